import t from 'tap'
import fc from 'fast-check'
import { publishedGroups, suppressCells, type SuppressionInput } from '../server/domain/suppression.ts'

const cell = (key: Array<string | null>, firms: number, size = 0n): SuppressionInput => ({ key, firms, size })
const sumFirms = (cells: SuppressionInput[]) => cells.reduce((s, c) => s + c.firms, 0)

t.test('primary suppression at the k boundary', async (t) => {
  const cases: Array<[string, number, number, boolean]> = [
    ['0 firms, k=3', 0, 3, true],
    ['1 firm, k=3', 1, 3, true],
    ['2 firms, k=3', 2, 3, true],
    ['3 firms, k=3', 3, 3, false],
    ['4 firms, k=3', 4, 3, false],
    ['1 firm, k=1', 1, 1, false],
    ['4 firms, k=5', 4, 5, true],
    ['5 firms, k=5', 5, 5, false]
  ]
  for (const [name, firms, k, hidden] of cases) {
    // Alone with large neighbours so that only primary suppression is at work on this cell.
    const r = suppressCells([cell(['a'], firms), cell(['b'], 100), cell(['c'], 100)], firms + 200, k)
    t.equal(r.suppressed[0], hidden, name)
  }
})

t.test('complementary suppression in one dimension', async (t) => {
  // One small cell among big ones: the totals would give it away, so the next-smallest goes too.
  const r = suppressCells([cell(['a'], 50, 900n), cell(['b'], 2, 10n), cell(['c'], 8, 500n), cell(['d'], 8, 400n)], 68, 3)
  t.same(r.suppressed, [false, true, false, true], 'd: fewest firms (8, tie with c) and smaller figure')
  t.equal(r.totalsSuppressed, false)
  t.equal(r.primary, 1)
  t.equal(r.complementary, 1)

  const two = suppressCells([cell(['a'], 50), cell(['b'], 2), cell(['c'], 1)], 53, 3)
  t.same(two.suppressed, [false, true, true], 'two primary cells protect each other')
  t.equal(two.complementary, 0)

  const none = suppressCells([cell(['a'], 5), cell(['b'], 3)], 8, 3)
  t.same(none.suppressed, [false, false])
})

t.test('one cell suppressed and nothing else to hide: the totals go', async (t) => {
  const r = suppressCells([cell(['a'], 2)], 2, 3)
  t.same(r.suppressed, [true])
  t.equal(r.totalsSuppressed, true, 'fewer than k firms behind the totals')
  // Domain breakdown: two cells, one firm in both, but three firms in all.
  const d = suppressCells([cell(['ai'], 3), cell(['iot'], 1)], 3, 3)
  t.same(d.suppressed, [true, true])
  t.equal(d.totalsSuppressed, false)
})

t.test('a request narrowed below k firms hides everything', async (t) => {
  const r = suppressCells([cell(['a'], 1), cell(['b'], 1)], 2, 3)
  t.same(r.suppressed, [true, true])
  t.equal(r.totalsSuppressed, true)
  const empty = suppressCells([], 0, 3)
  t.equal(empty.totalsSuppressed, true, 'no firms at all: nothing to show either')
})

t.test('two dimensions: rows and columns both protected', async (t) => {
  //        d1   d2   d3
  // tA      1   10   10
  // tB     10   10   10
  const cells = [
    cell(['A', 'd1'], 1), cell(['A', 'd2'], 10, 5n), cell(['A', 'd3'], 10, 9n),
    cell(['B', 'd1'], 10, 5n), cell(['B', 'd2'], 10, 7n), cell(['B', 'd3'], 10, 9n)
  ]
  const r = suppressCells(cells, sumFirms(cells), 3)
  // Row A hides d2 (smaller), column d1 hides B.d1, then column d2 has A.d2 hidden alone → B.d2.
  t.same(r.suppressed, [true, true, false, true, true, false])
  t.equal(r.primary, 1)
  t.equal(r.complementary, 3)
})

t.test('publishedGroups: the table and each line', async (t) => {
  const g = publishedGroups([['A', 'x'], ['A', 'y'], ['B', 'x']])
  t.same(g, [
    { cells: [0, 1, 2], isTable: true },
    { cells: [0, 2], isTable: false }, // column x (varying dimension 0)
    { cells: [1], isTable: false }, // column y
    { cells: [0, 1], isTable: false }, // row A
    { cells: [2], isTable: false } // row B
  ])
  t.same(publishedGroups([['a'], ['b']]), [{ cells: [0, 1], isTable: true }])
})

/** Random tables of 1-3 dimensions, sparse, with firm counts and figures. */
const tableArb = fc.record({
  dims: fc.integer({ min: 1, max: 3 }),
  sizes: fc.tuple(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 3 })),
  fill: fc.array(fc.record({ present: fc.boolean(), firms: fc.integer({ min: 1, max: 12 }), value: fc.bigInt({ min: 0n, max: 10_000n }) }), { minLength: 60, maxLength: 60 }),
  k: fc.integer({ min: 1, max: 5 })
}).map(({ dims, sizes, fill, k }) => {
  const cells: Array<SuppressionInput & { value: bigint }> = []
  let n = 0
  const walk = (prefix: string[]) => {
    if (prefix.length === dims) {
      const f = fill[n++ % fill.length]
      if (f.present || n === 1) cells.push({ key: prefix, firms: f.firms, size: f.value, value: f.value })
      return
    }
    for (let v = 0; v < sizes[prefix.length]; v++) walk([...prefix, `v${v}`])
  }
  walk([])
  return { cells, k }
})

t.test('property: no suppressed figure is recoverable from a published sum and the visible cells', async (t) => {
  fc.assert(fc.property(tableArb, ({ cells, k }) => {
    const total = sumFirms(cells)
    const r = suppressCells(cells, total, k)
    for (const group of publishedGroups(cells.map(c => c.key))) {
      if (group.isTable && r.totalsSuppressed) continue
      const hidden = group.cells.filter(i => r.suppressed[i])
      if (hidden.length !== 1) continue
      // Exactly one hidden cell in a published group: total − visible = the secret. Allowed only
      // for a one-cell line (its sum is the cell itself; see the module comment).
      if (group.isTable || group.cells.length > 1) return false
    }
    return true
  }), { numRuns: 500 })
  t.pass('500 random tables')
})

t.test('property: primary cells and small totals are always hidden; big tables are not over-hidden', async (t) => {
  fc.assert(fc.property(tableArb, ({ cells, k }) => {
    const total = sumFirms(cells)
    const r = suppressCells(cells, total, k)
    if (cells.some((c, i) => c.firms < k && !r.suppressed[i])) return false
    if (total < k && !r.totalsSuppressed) return false
    if (cells.every(c => c.firms >= k) && r.suppressed.some(Boolean)) return false
    return r.primary === cells.filter(c => c.firms < k).length
  }), { numRuns: 500 })
  t.pass('500 random tables')
})

t.test('property: deterministic', async (t) => {
  fc.assert(fc.property(tableArb, ({ cells, k }) => {
    const a = suppressCells(cells, sumFirms(cells), k)
    const b = suppressCells(cells, sumFirms(cells), k)
    return JSON.stringify(a) === JSON.stringify(b)
  }), { numRuns: 100 })
  t.pass('100 random tables')
})
