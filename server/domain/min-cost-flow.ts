/**
 * Minimum-cost maximum flow by successive shortest paths (Edmonds–Karp
 * style augmentation along a cheapest path, found with Dijkstra on reduced
 * costs and Johnson potentials). Costs must be non-negative integers on the
 * edges as added (residual edges carry the negatives; the potentials keep
 * reduced costs non-negative). Pure and deterministic: ties are broken by
 * node number and edge insertion order.
 *
 * Used by reviewer assignment (server/domain/assignment.ts), where the
 * graphs are small (applications × reviewers) and every augmentation pushes
 * one unit, so the simple binary-heap Dijkstra is plenty.
 */

interface Edge { to: number, cap: number, cost: number, flow: number }

export class MinCostFlow {
  private readonly edges: Edge[] = []
  private readonly adjacency: number[][]

  constructor (readonly nodes: number) {
    this.adjacency = Array.from({ length: nodes }, () => [])
  }

  /** Adds an edge and its residual twin; returns its id (for flowOn). */
  addEdge (from: number, to: number, capacity: number, cost: number): number {
    if (!Number.isInteger(from) || from < 0 || from >= this.nodes || !Number.isInteger(to) || to < 0 || to >= this.nodes) throw new RangeError('no such node')
    if (!(capacity >= 0) || !Number.isSafeInteger(cost) || cost < 0) throw new RangeError('capacity and cost must be non-negative (cost an integer)')
    const id = this.edges.length
    this.edges.push({ to, cap: capacity, cost, flow: 0 }, { to: from, cap: 0, cost: -cost, flow: 0 })
    this.adjacency[from].push(id)
    this.adjacency[to].push(id + 1)
    return id
  }

  /** The flow on an edge added with addEdge. */
  flowOn (edgeId: number): number {
    return this.edges[edgeId].flow
  }

  /**
   * Pushes as much flow as possible (at most `limit`) from `source` to
   * `sink`, at the least total cost among flows of that value.
   */
  run (source: number, sink: number, limit = Infinity): { flow: number, cost: number } {
    const n = this.nodes
    const potential = new Array<number>(n).fill(0)
    let flow = 0
    let cost = 0
    while (flow < limit) {
      const dist = new Array<number>(n).fill(Infinity)
      const via = new Array<number>(n).fill(-1)
      dist[source] = 0
      const heap = new MinHeap()
      heap.push(0, source)
      while (heap.size > 0) {
        const [d, u] = heap.pop()
        if (d > dist[u]) continue
        for (const id of this.adjacency[u]) {
          const e = this.edges[id]
          if (e.cap - e.flow <= 0) continue
          const nd = d + e.cost + potential[u] - potential[e.to]
          if (nd < dist[e.to]) {
            dist[e.to] = nd
            via[e.to] = id
            heap.push(nd, e.to)
          }
        }
      }
      if (dist[sink] === Infinity) break
      for (let v = 0; v < n; v++) if (dist[v] < Infinity) potential[v] += dist[v]
      // The bottleneck along the path, then push it.
      let push = limit - flow
      for (let v = sink; v !== source; v = this.edges[via[v] ^ 1].to) {
        const e = this.edges[via[v]]
        push = Math.min(push, e.cap - e.flow)
      }
      for (let v = sink; v !== source; v = this.edges[via[v] ^ 1].to) {
        this.edges[via[v]].flow += push
        this.edges[via[v] ^ 1].flow -= push
        cost += push * this.edges[via[v]].cost
      }
      flow += push
    }
    return { flow, cost }
  }
}

/** A binary heap of [priority, node], smallest priority first, then smallest node. */
class MinHeap {
  private readonly items: Array<[number, number]> = []
  get size (): number { return this.items.length }

  private less (a: [number, number], b: [number, number]): boolean {
    return a[0] < b[0] || (a[0] === b[0] && a[1] < b[1])
  }

  push (priority: number, node: number): void {
    const items = this.items
    items.push([priority, node])
    let i = items.length - 1
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (!this.less(items[i], items[parent])) break
      ;[items[i], items[parent]] = [items[parent], items[i]]
      i = parent
    }
  }

  pop (): [number, number] {
    const items = this.items
    const top = items[0]
    const last = items.pop() as [number, number]
    if (items.length > 0) {
      items[0] = last
      let i = 0
      for (;;) {
        const l = 2 * i + 1
        const r = l + 1
        let m = i
        if (l < items.length && this.less(items[l], items[m])) m = l
        if (r < items.length && this.less(items[r], items[m])) m = r
        if (m === i) break
        ;[items[i], items[m]] = [items[m], items[i]]
        i = m
      }
    }
    return top
  }
}
