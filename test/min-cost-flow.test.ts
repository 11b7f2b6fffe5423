import t from 'tap'
import fc from 'fast-check'
import { MinCostFlow } from '../server/domain/min-cost-flow.ts'

t.test('a textbook network: the cheapest of the maximum flows', async (t) => {
  // 0 → 1 (cap 2, cost 1), 0 → 2 (cap 1, cost 2), 1 → 2 (cap 1, cost 1), 1 → 3 (cap 1, cost 3), 2 → 3 (cap 2, cost 1)
  const f = new MinCostFlow(4)
  const e01 = f.addEdge(0, 1, 2, 1)
  const e02 = f.addEdge(0, 2, 1, 2)
  const e12 = f.addEdge(1, 2, 1, 1)
  const e13 = f.addEdge(1, 3, 1, 3)
  const e23 = f.addEdge(2, 3, 2, 1)
  t.same(f.run(0, 3), { flow: 3, cost: 1 * 2 + 2 + 1 + 3 + 2 * 1 })
  t.same([e01, e02, e12, e13, e23].map(e => f.flowOn(e)), [2, 1, 1, 1, 2])
})

t.test('the limit stops early; a cheap path is used first, and a later path may undo it', async (t) => {
  const f = new MinCostFlow(4)
  f.addEdge(0, 1, 1, 0); f.addEdge(0, 2, 1, 0); f.addEdge(1, 3, 1, 5); f.addEdge(2, 3, 1, 1)
  t.same(f.run(0, 3, 1), { flow: 1, cost: 1 })
  // Residual re-routing: the classic case where the second path cancels flow on a middle edge.
  const g = new MinCostFlow(4)
  g.addEdge(0, 1, 1, 0); g.addEdge(0, 2, 1, 0); g.addEdge(1, 2, 1, 0); g.addEdge(1, 3, 1, 10); g.addEdge(2, 3, 1, 0)
  t.same(g.run(0, 3), { flow: 2, cost: 10 })
})

t.test('bad edges are refused', async (t) => {
  const f = new MinCostFlow(2)
  t.throws(() => f.addEdge(0, 2, 1, 0), RangeError)
  t.throws(() => f.addEdge(0, 1, 1, -1), RangeError)
  t.throws(() => f.addEdge(0, 1, 1, 0.5), RangeError)
  t.same(f.run(0, 1), { flow: 0, cost: 0 }, 'no edge, no flow')
})

function permutations (n: number): number[][] {
  if (n === 0) return [[]]
  return permutations(n - 1).flatMap(p => Array.from({ length: n }, (_, i) => [...p.slice(0, i), n - 1, ...p.slice(i)]))
}

t.test('property: as an assignment problem, the cost equals the brute-force optimum', async (t) => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 5 }).chain(n => fc.array(fc.array(fc.integer({ min: 0, max: 50 }), { minLength: n, maxLength: n }),
    { minLength: n, maxLength: n })), (costs) => {
    const n = costs.length
    const f = new MinCostFlow(2 * n + 2)
    for (let i = 0; i < n; i++) {
      f.addEdge(0, 1 + i, 1, 0)
      f.addEdge(1 + n + i, 2 * n + 1, 1, 0)
      for (let j = 0; j < n; j++) f.addEdge(1 + i, 1 + n + j, 1, costs[i][j])
    }
    const { flow, cost } = f.run(0, 2 * n + 1)
    const best = Math.min(...permutations(n).map(p => p.reduce((s, j, i) => s + costs[i][j], 0)))
    return flow === n && cost === best
  }), { numRuns: 300 })
  t.pass('held for 300 random cost matrices')
})

t.test('property: flow is conserved at every inner node and never exceeds a capacity', async (t) => {
  fc.assert(fc.property(fc.array(fc.record({
    from: fc.integer({ min: 0, max: 5 }), to: fc.integer({ min: 0, max: 5 }), cap: fc.integer({ min: 0, max: 4 }),
    cost: fc.integer({ min: 0, max: 9 })
  }), { maxLength: 20 }), (spec) => {
    const f = new MinCostFlow(6)
    const ids = spec.map(e => f.addEdge(e.from, e.to, e.cap, e.cost))
    const { flow, cost } = f.run(0, 5)
    const net = new Array(6).fill(0)
    let total = 0
    spec.forEach((e, i) => {
      const x = f.flowOn(ids[i])
      if (x < 0 || x > e.cap) throw new Error('capacity')
      net[e.from] -= x; net[e.to] += x
      total += x * e.cost
    })
    return net.slice(1, 5).every(v => v === 0) && net[5] === flow && total === cost
  }), { numRuns: 300 })
  t.pass('held')
})
