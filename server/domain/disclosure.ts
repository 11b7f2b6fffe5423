/**
 * Disclosure control for aggregate-only readers: a protected table per year
 * from which every figure such a reader can obtain is derived.
 *
 * The table is a tree of nested cells (a laminar family): the year, then each
 * level of a fixed hierarchy (band of tiers → tier → district → program →
 * domain set), down to leaves that partition the firms. Each cell is either
 * published (its exact sums) or withheld. Every answer is a sum of published
 * cells (`answer`), so a reader learns nothing beyond the published cells,
 * however many requests they combine: differences, complements, other years
 * and averages are all linear combinations of the same published values.
 *
 * Why nested cells: in a nested family, knowing the published cells is the
 * same as knowing the sum of each *free group* — the firms of a published
 * cell that lie in none of its published sub-cells — and nothing else. So the
 * table is safe exactly when every free group is safe: at least `minFirms`
 * firms (the threshold rule) and not dominated (the p% rule: what remains
 * after the two largest contributors is at least p% of the largest, so even
 * the second-largest firm cannot estimate the largest to within p%). Published
 * cells are then unions of safe groups, which are safe themselves. The
 * protection (`protectTable`) works bottom-up: a cell whose free group is
 * unsafe first withholds sub-cells (their free groups join its own: secondary
 * suppression that keeps the margin), and when that cannot help it is
 * withheld itself (its firms join its parent's free group).
 *
 * Mandated cells (the year's totals, the tier bands the plan's targets
 * measure) are published even when unsafe; `unprotected` lists any such case.
 * Each measure is protected on its own. Pure: no database, no Fastify.
 */

export const PROTECTED_MEASURES = ['operatingRevenue', 'softwareRevenue', 'rdExpense', 'exportRevenue', 'employees'] as const
export type Measure = typeof PROTECTED_MEASURES[number]

/** A set of firms' contribution to one measure: enough to test both rules, and mergeable. Money in fen. */
export interface Contribution {
  sum: bigint
  /** The largest and second-largest single firm's value (0n when absent). */
  top1: bigint
  top2: bigint
}

/** A set of firms: how many, and their contribution to each measure. */
export interface Group {
  firms: number
  measures: Record<Measure, Contribution>
}

export interface DisclosureRule {
  /** Threshold rule: a group of fewer firms is sensitive (policy suppression_min_firms). */
  minFirms: number
  /** p% rule: sensitive when sum − top1 − top2 < p% of top1 (policy disclosure_dominance_percent). */
  dominancePercent: number
}

export const EMPTY_CONTRIBUTION: Contribution = { sum: 0n, top1: 0n, top2: 0n }

export function emptyGroup (): Group {
  return { firms: 0, measures: Object.fromEntries(PROTECTED_MEASURES.map(m => [m, EMPTY_CONTRIBUTION])) as Record<Measure, Contribution> }
}

/** One firm as a group. */
export function firmGroup (values: Record<Measure, bigint>): Group {
  return {
    firms: 1,
    measures: Object.fromEntries(PROTECTED_MEASURES.map(m => [m, { sum: values[m], top1: values[m], top2: 0n }])) as Record<Measure, Contribution>
  }
}

function mergeContribution (a: Contribution, b: Contribution): Contribution {
  const [top1, top2] = [a.top1, a.top2, b.top1, b.top2].sort((p, q) => (p < q ? 1 : p > q ? -1 : 0))
  return { sum: a.sum + b.sum, top1, top2 }
}

export function mergeGroups (a: Group, b: Group): Group {
  return {
    firms: a.firms + b.firms,
    measures: Object.fromEntries(PROTECTED_MEASURES.map(m => [m, mergeContribution(a.measures[m], b.measures[m])])) as Record<Measure, Contribution>
  }
}

/** Whether publishing this group's sum of `measure` would disclose a firm (an empty group discloses nothing). */
export function isSensitive (g: Group, measure: Measure, rule: DisclosureRule): boolean {
  if (g.firms === 0) return false
  if (g.firms < rule.minFirms) return true
  const c = g.measures[measure]
  return (c.sum - c.top1 - c.top2) * 100n < BigInt(rule.dominancePercent) * c.top1
}

/** A leaf of the table: the firms sharing one value on every level of the hierarchy. */
export interface Leaf {
  /** One value per level, top level first (e.g. [band, tier, district, program, domains]). */
  key: readonly string[]
  group: Group
}

interface Node {
  key: readonly string[]
  children: Node[]
  parent: Node | null
  /** All firms under the cell. */
  group: Group
  leafCount: number
  published: Record<Measure, boolean>
  /** The free group the cell had when it was published (its firms in no published sub-cell). */
  free: Record<Measure, Group>
}

export interface ProtectedTable {
  rule: DisclosureRule
  leaves: readonly Leaf[]
  /** Mandated cells that stay published although their free group is sensitive (key, measure). */
  unprotected: Array<{ key: readonly string[], measure: Measure }>
  /** @internal */
  root: Node
  /** @internal the leaf node of each input leaf, by index */
  leafNodes: Node[]
}

const id = (key: readonly string[]) => key.join('\u0001')

/**
 * Builds and protects the table. `mandated(key, measure)` says which cells
 * must be published whatever their content (the root, key [], is always).
 * Deterministic: the same leaves in any order give the same table.
 */
export function protectTable (leaves: readonly Leaf[], rule: DisclosureRule, mandated: (key: readonly string[],
  measure: Measure) => boolean = () => false): ProtectedTable {
  const nodes = new Map<string, Node>()
  const make = (key: readonly string[], parent: Node | null): Node => {
    const node: Node = {
      key, children: [], parent, group: emptyGroup(), leafCount: 0,
      published: Object.fromEntries(PROTECTED_MEASURES.map(m => [m, true])) as Record<Measure, boolean>,
      free: Object.fromEntries(PROTECTED_MEASURES.map(m => [m, emptyGroup()])) as Record<Measure, Group>
    }
    nodes.set(id(key), node)
    parent?.children.push(node)
    return node
  }
  const root = make([], null)
  const leafNodes = leaves.map(leaf => {
    let node = root
    for (let depth = 1; depth <= leaf.key.length; depth++) {
      const key = leaf.key.slice(0, depth)
      node = nodes.get(id(key)) ?? make(key, node)
    }
    for (let n: Node | null = node; n != null; n = n.parent) {
      n.group = mergeGroups(n.group, leaf.group)
      n.leafCount++
    }
    return node
  })
  const order = (a: Node, b: Node) => (id(a.key) < id(b.key) ? -1 : id(a.key) > id(b.key) ? 1 : 0)
  for (const n of nodes.values()) n.children.sort(order)

  const unprotected: ProtectedTable['unprotected'] = []
  for (const measure of PROTECTED_MEASURES) {
    /** Protects the subtree; returns the firms it leaves to its parent's free group. */
    const protect = (node: Node): Group => {
      let free = node.children.length === 0 ? node.group : emptyGroup()
      for (const child of node.children) free = mergeGroups(free, protect(child))
      const isMandated = node === root || mandated(node.key, measure)
      if (!isSensitive(free, measure, rule)) return publish(node, free)
      // Secondary suppression: withhold published cells below until the free group is safe. Withholding a cell adds its
      // free group and makes its own published sub-cells candidates in turn.
      const frontier = node.children.filter(c => c.published[measure])
      const chosen: Node[] = []
      let merged = free
      const size = (c: Node) => c.free[measure].measures[measure].sum
      const larger = (a: Node, b: Node) => (size(b) > size(a) ? 1 : size(b) < size(a) ? -1 : 0) || b.group.firms - a.group.firms || order(a, b)
      while (isSensitive(merged, measure, rule) && frontier.length > 0) {
        // The smallest cell that makes the group safe on its own; failing that, the one that adds most.
        const helpful = frontier.filter(c => c.free[measure].firms > 0)
        const byCost = [...helpful].sort((a, b) => a.free[measure].firms - b.free[measure].firms || -larger(a, b))
        const enough = byCost.find(c => !isSensitive(mergeGroups(merged, c.free[measure]), measure, rule))
        const pick = enough ?? (helpful.length > 0 ? helpful : frontier).sort(larger)[0]
        frontier.splice(frontier.indexOf(pick), 1)
        chosen.push(pick)
        merged = mergeGroups(merged, pick.free[measure])
        frontier.push(...pick.children.filter(c => c.published[measure]))
      }
      if (!isSensitive(merged, measure, rule) || isMandated) {
        for (const c of chosen) c.published[measure] = false
        if (isSensitive(merged, measure, rule)) unprotected.push({ key: node.key, measure })
        return publish(node, merged)
      }
      // Nothing below can protect it: withhold the cell itself; its firms join the parent's free group.
      node.published[measure] = false
      return free
    }
    const publish = (node: Node, free: Group): Group => {
      node.published[measure] = true
      node.free[measure] = free
      return emptyGroup()
    }
    protect(root)
  }
  return { rule, leaves, unprotected, root, leafNodes }
}

export type Figures = Record<Measure, bigint | null>

/**
 * The figures of the cell made of the given leaves (indexes into the table's
 * leaves), as sums of published cells only: a cell the answer covers whole is
 * taken as published, or makes that measure withheld (null); a cell covered
 * in part is split into its sub-cells. Also the exact sums, for readers who
 * may see single firms anyway.
 */
export function answer (table: ProtectedTable, leafIndexes: Iterable<number>): { firms: number, protectedFigures: Figures, exact: Record<Measure, bigint> } {
  const covered = new Map<Node, number>()
  const exact = Object.fromEntries(PROTECTED_MEASURES.map(m => [m, 0n])) as Record<Measure, bigint>
  let firms = 0
  for (const i of new Set(leafIndexes)) {
    const leaf = table.leaves[i]
    firms += leaf.group.firms
    for (const m of PROTECTED_MEASURES) exact[m] += leaf.group.measures[m].sum
    for (let n: Node | null = table.leafNodes[i]; n != null; n = n.parent) covered.set(n, (covered.get(n) ?? 0) + 1)
  }
  const sum = (node: Node, measure: Measure): bigint | null => {
    const c = covered.get(node) ?? 0
    if (c === 0) return 0n
    if (c === node.leafCount) return node.published[measure] ? node.group.measures[measure].sum : null
    let total = 0n
    for (const child of node.children) {
      const v = sum(child, measure)
      if (v == null) return null
      total += v
    }
    return total
  }
  const protectedFigures = Object.fromEntries(PROTECTED_MEASURES.map(m => [m, sum(table.root, m)])) as Figures
  return { firms, protectedFigures, exact }
}

/** Whether a cell (by key prefix) is published for a measure; undefined when the table has no such cell. For tests and audits. */
export function isPublished (table: ProtectedTable, key: readonly string[], measure: Measure): boolean | undefined {
  let node: Node | undefined = table.root
  for (let depth = 1; depth <= key.length && node != null; depth++) node = node.children.find(c => c.key[depth - 1] === key[depth - 1])
  return node?.published[measure]
}

/**
 * The free groups of the published cells for a measure: what a reader who
 * has every published figure knows, group by group. Each must be safe (or its
 * cell mandated); the tests check this invariant on random tables.
 */
export function freeGroups (table: ProtectedTable, measure: Measure): Array<{ key: readonly string[], group: Group }> {
  const out: Array<{ key: readonly string[], group: Group }> = []
  const walk = (n: Node) => {
    if (n.published[measure]) out.push({ key: n.key, group: n.free[measure] })
    n.children.forEach(walk)
  }
  walk(table.root)
  return out
}
