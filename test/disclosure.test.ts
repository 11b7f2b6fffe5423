import t from 'tap'
import fc from 'fast-check'
import {
  answer, firmGroup, isPublished, isSensitive, mergeGroups, emptyGroup, protectTable, PROTECTED_MEASURES,
  type DisclosureRule, type Group, type Leaf, type Measure
} from '../server/domain/disclosure.ts'

const RULE: DisclosureRule = { minFirms: 3, dominancePercent: 10 }

const firm = (op: bigint, others: bigint = op / 2n): Group =>
  firmGroup({ operatingRevenue: op, softwareRevenue: others, rdExpense: others / 10n, exportRevenue: 0n, employees: 10n })

const groupOf = (...firms: Group[]) => firms.reduce(mergeGroups, emptyGroup())

t.test('sensitivity: fewer than k firms, or the p% rule', async (t) => {
  t.equal(isSensitive(emptyGroup(), 'operatingRevenue', RULE), false, 'an empty group discloses nothing')
  t.equal(isSensitive(groupOf(firm(100n), firm(100n)), 'operatingRevenue', RULE), true, 'two firms')
  t.equal(isSensitive(groupOf(firm(100n), firm(100n), firm(100n)), 'operatingRevenue', RULE), false, 'three equal firms')
  // One firm earns 99%: the two others each learn it to within 1%.
  t.equal(isSensitive(groupOf(firm(9900n), firm(50n), firm(50n)), 'operatingRevenue', RULE), true, 'dominated')
  // Remainder after the two largest exactly p% of the largest: safe; one fen less: sensitive.
  t.equal(isSensitive(groupOf(firm(1000n), firm(500n), firm(100n)), 'operatingRevenue', RULE), false, 'remainder = 10%')
  t.equal(isSensitive(groupOf(firm(1000n), firm(500n), firm(99n)), 'operatingRevenue', RULE), true, 'remainder < 10%')
  t.equal(isSensitive(groupOf(firm(1000n), firm(500n), firm(99n)), 'exportRevenue', RULE), false, 'all zero: nothing to disclose')
  t.same(groupOf(firm(5n), firm(9n), firm(7n)).measures.operatingRevenue, { sum: 21n, top1: 9n, top2: 7n }, 'merging keeps the two largest')
})

t.test('the differencing of the issue: a district and the district without its one big firm', async (t) => {
  // One district of the year: one ten-billion firm and nine small ones in two tiers.
  const leaves: Leaf[] = [
    { key: ['ten_billion', 'd1'], group: firm(12_000_000_000_00n) },
    ...Array.from({ length: 5 }, (_, i) => ({ key: ['above_scale', 'd1', `p${i}`], group: firm(30_000_000_00n + BigInt(i)) })),
    ...Array.from({ length: 4 }, (_, i) => ({ key: ['billion', 'd1', `p${i}`], group: firm(1_500_000_000_00n + BigInt(i)) })),
    ...Array.from({ length: 6 }, (_, i) => ({ key: ['above_scale', 'd2', `p${i}`], group: firm(25_000_000_00n + BigInt(i)) }))
  ].map(l => ({ key: l.key.length === 2 ? [...l.key, 'p'] : l.key, group: l.group }))
  const table = protectTable(leaves, RULE)
  const district = leaves.flatMap((l, i) => l.key[1] === 'd1' ? [i] : [])
  const withoutBig = district.filter(i => leaves[i].key[0] !== 'ten_billion')
  const a = answer(table, district).protectedFigures.operatingRevenue
  const b = answer(table, withoutBig).protectedFigures.operatingRevenue
  t.ok(a == null || b == null, 'one of the two answers is withheld')
  t.equal(answer(table, leaves.map((_, i) => i)).protectedFigures.operatingRevenue, answer(table, leaves.map((_, i) => i)).exact.operatingRevenue,
    'the year\'s total is exact')
})

/** Each leaf's owner: its nearest published cell (itself or an ancestor), computed from isPublished alone. */
function ownerGroups (leaves: Leaf[], table: ReturnType<typeof protectTable>, measure: Measure): Map<string, { key: string[], group: Group }> {
  const owners = new Map<string, { key: string[], group: Group }>()
  for (const leaf of leaves) {
    let depth = leaf.key.length
    while (depth > 0 && isPublished(table, leaf.key.slice(0, depth), measure) !== true) depth--
    const key = leaf.key.slice(0, depth)
    const id = key.join('/')
    const o = owners.get(id) ?? { key, group: emptyGroup() }
    o.group = mergeGroups(o.group, leaf.group)
    owners.set(id, o)
  }
  return owners
}

const leafArb = fc.record({
  tier: fc.constantFrom('t0', 't1', 't2'),
  district: fc.constantFrom('d0', 'd1', 'd2', 'd3'),
  program: fc.constantFrom('', 'p1'),
  firms: fc.array(fc.bigInt({ min: 0n, max: 10_000_000n }), { minLength: 1, maxLength: 5 })
})

t.test('property: every group a reader of all published cells knows is safe, and answers use published cells only', async (t) => {
  fc.assert(fc.property(fc.array(leafArb, { minLength: 1, maxLength: 30 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 0, max: 40 }),
    fc.array(fc.nat(), { maxLength: 10 }), (raw, k, p, picks) => {
      const byKey = new Map<string, Leaf>()
      for (const r of raw) {
        const key = [r.tier, r.district, r.program]
        const id = key.join('/')
        const group = r.firms.map(v => firm(v, v / 3n)).reduce(mergeGroups, byKey.get(id)?.group ?? emptyGroup())
        byKey.set(id, { key, group })
      }
      const leaves = [...byKey.values()]
      const rule = { minFirms: k, dominancePercent: p }
      const mandated = (key: readonly string[], m: Measure) => key.length === 1 && m === 'operatingRevenue'
      const table = protectTable(leaves, rule, mandated)
      for (const m of PROTECTED_MEASURES) {
        for (const { key, group } of ownerGroups(leaves, table, m).values()) {
          const allowed = key.length === 0 || mandated(key, m)
          if (isSensitive(group, m, rule) && !allowed) return false
          if (isSensitive(group, m, rule) && !table.unprotected.some(u => u.measure === m && u.key.join('/') === key.join('/'))) return false
        }
      }
      // Any set of leaves: a protected figure is exact or withheld, never approximate; the whole year is always exact.
      const subset = picks.map(i => i % leaves.length)
      const a = answer(table, subset)
      for (const m of PROTECTED_MEASURES) if (a.protectedFigures[m] != null && a.protectedFigures[m] !== a.exact[m]) return false
      const all = answer(table, leaves.map((_, i) => i))
      return PROTECTED_MEASURES.every(m => all.protectedFigures[m] === all.exact[m])
    }), { seed: 1101, numRuns: 400 })
  t.pass('invariant held on 400 random tables')
})

t.test('deterministic: the same leaves in another order give the same table', async (t) => {
  const leaves: Leaf[] = [
    { key: ['a', 'x'], group: groupOf(firm(10n), firm(20n)) },
    { key: ['a', 'y'], group: groupOf(firm(10n), firm(20n), firm(30n), firm(40n)) },
    { key: ['b', 'x'], group: groupOf(firm(5n)) },
    { key: ['b', 'y'], group: groupOf(firm(10n), firm(11n), firm(12n)) },
    { key: ['b', 'z'], group: groupOf(firm(10n), firm(11n), firm(12n)) }
  ]
  const one = protectTable(leaves, RULE)
  const two = protectTable([...leaves].reverse(), RULE)
  for (const l of leaves) {
    for (const key of [l.key.slice(0, 1), l.key]) t.equal(isPublished(one, key, 'operatingRevenue'), isPublished(two, key, 'operatingRevenue'), key.join('/'))
  }
  // ['b','x'] has one firm: withheld, and a sibling with it so it cannot be subtracted from ['b'].
  t.equal(isPublished(one, ['b', 'x'], 'operatingRevenue'), false)
  t.equal(['y', 'z'].filter(d => isPublished(one, ['b', d], 'operatingRevenue') === false).length, 1, 'one complementary cell in b')
  t.equal(isPublished(one, ['b'], 'operatingRevenue'), true, 'the margin stays published')
})
