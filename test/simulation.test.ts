import t from 'tap'
import fc from 'fast-check'
import { AppError } from '../server/domain/errors.ts'
import { SIMULATION_EVENTS, SIMULATION_STATES, simulationTransition } from '../server/domain/simulation-state.ts'
import { aggregateView, onCoarseGrid, simulatePolicy, type Policy, type SimulationFirm, type SimulationMember } from '../server/domain/simulation.ts'
import { classifyTier, tierClassifier } from '../server/domain/tiers.ts'
import { DEFAULT_TIER_RULES } from './fixtures.ts'

const GATES = {
  startup: [{ gate: 'founded_within_years' as const, years: 5 }, { gate: 'tier_below' as const, tier: 'billion' as const }],
  innovative_growth: [{ gate: 'tier_at_least' as const, tier: 'above_scale' as const }, { gate: 'rd_intensity_at_least' as const, ratio: '0.03' }],
  leading_platform: [{ gate: 'tier_at_least' as const, tier: 'billion' as const }]
}
const POLICY: Policy = {
  tierRules: DEFAULT_TIER_RULES,
  gates: GATES,
  exitMissingYears: 2,
  targets: [
    { key: 'above', measure: 'firms_at_least_tier', tierCode: 'above_scale', comparator: 'gte', goal: '3', unit: 'firms', dueYear: 2028, labelZh: '规上', labelEn: 'Above' },
    { key: 'share', measure: 'revenue_share_at_least_tier', tierCode: 'above_scale', comparator: 'gte', goal: '0.9', unit: 'ratio', dueYear: 2028, labelZh: '占比', labelEn: 'Share' }
  ]
}

let n = 0
function firm (revenue: string, extra: Partial<SimulationFirm> = {}): SimulationFirm {
  n++
  const id = `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`
  const domains = extra.domains ?? ['ai']
  return {
    enterpriseId: id, name: `firm ${n}`, uscc: `U${n}`, foundedOn: '2015-01-01', domains,
    operatingRevenue: revenue, softwareRevenue: revenue, rdExpense: '0.00', employees: 10,
    tierCode: classifyTier(revenue, 2025, domains, DEFAULT_TIER_RULES), ...extra
  }
}
const raised = (min: string) => DEFAULT_TIER_RULES.map(r => r.tierCode === 'above_scale' && r.domainCode == null && r.fromYear === 2022 ? { ...r, minRevenue: min } : r)

t.test('the state machine: simulated → adopted, once', async (t) => {
  const allowed: Record<string, string | undefined> = { 'simulated adopt': 'adopted' }
  for (const state of SIMULATION_STATES) {
    for (const event of SIMULATION_EVENTS) {
      const next = allowed[`${state} ${event}`]
      if (next != null) t.equal(simulationTransition(state, event), next, `${state} --${event}--> ${next}`)
      else {
        try { simulationTransition(state, event); t.fail(`${state} ${event} refused`) } catch (err) {
          t.ok(err instanceof AppError && err.code === 'INVALID_STATE', `${state} ${event}: 409 INVALID_STATE`)
        }
      }
    }
  }
})

t.test('tierClassifier classifies exactly as classifyTier', async (t) => {
  const domains = fc.subarray(['ai', 'big_data', 'info_security', 'industrial_software', 'cloud'])
  fc.assert(fc.property(fc.bigInt({ min: 0n, max: 20_000_000_000_00n }), fc.integer({ min: 2015, max: 2030 }), domains, (fen, year, ds) => {
    const revenue = `${fen / 100n}.${String(fen % 100n).padStart(2, '0')}`
    return tierClassifier(DEFAULT_TIER_RULES, year)(revenue, ds) === classifyTier(revenue, year, ds, DEFAULT_TIER_RULES)
  }))
  t.pass('1000 random firms classified alike')
})

t.test('tiers, moves and targets before and after', async (t) => {
  const firms = [
    firm('25000000.00'), firm('21000000.00'), firm('25000000.00', { domains: ['big_data'] }), firm('40000000.00'),
    firm('150000000.00'), firm('1000000.00')
  ]
  const r = simulatePolicy({ year: 2025, firms, memberships: [], members: [], calls: [], applications: [], current: POLICY, proposal: { tierRules: raised('30000000.00') } })
  t.same(r.tiers.before, { below_scale: 1, above_scale: 4, hundred_million: 1, billion: 0, ten_billion: 0 })
  t.same(r.tiers.after, { below_scale: 3, above_scale: 2, hundred_million: 1, billion: 0, ten_billion: 0 })
  t.same(r.tiers.moves, [
    { from: 'below_scale', to: 'below_scale', firms: 1 },
    { from: 'above_scale', to: 'below_scale', firms: 2 },
    { from: 'above_scale', to: 'above_scale', firms: 2 },
    { from: 'hundred_million', to: 'hundred_million', firms: 1 }
  ], 'the big-data firm keeps its 5M line')
  t.same(r.tiers.changes?.map(c => c.name), [firms[0].name, firms[1].name])
  const above = r.targets.find(x => x.code === 'above')
  t.same([above?.before?.value, above?.after?.value, above?.after?.met, above?.after?.gap], ['5', '3', true, '0'])
  const share = r.targets.find(x => x.code === 'share')
  // 261M of 262M before; 25M + 40M + 150M = 215M of 262M after.
  t.same([share?.before?.value, share?.after?.value], ['0.996183', '0.820611'])

  // Analysts: counts stay (they are public), firm lists and a share the proposal changes do not.
  const agg = aggregateView(r)
  t.same(agg.tiers.moves, r.tiers.moves)
  t.equal(agg.tiers.changes, undefined)
  const aggShare = agg.targets.find(x => x.code === 'share')
  t.same([aggShare?.after?.value, aggShare?.after?.suppressed, aggShare?.before?.value], [null, true, '0.996183'], 'a share under a proposed line is withheld')
  t.equal(agg.targets.find(x => x.code === 'above')?.after?.value, '3', 'counts stay')
})

t.test('the pool: exits, graduations and firms that newly qualify', async (t) => {
  const grower = firm('1500000000.00', { foundedOn: '2022-01-01', rdExpense: '100000000.00' })
  const small = firm('25000000.00', { rdExpense: '5000000.00' })
  const outsider = firm('25000000.00', { rdExpense: '5000000.00' })
  const member = (f: SimulationFirm, program: string, tier: string): SimulationMember => ({
    id: `m-${f.enterpriseId}`, enterpriseId: f.enterpriseId, enterpriseName: f.name, uscc: f.uscc, programCode: program, currentTier: tier,
    status: 'active', missingYears: 0, admittedOn: '2024-06-30', foundedOn: f.foundedOn, declaredYears: [2025],
    statusReason: null, validFrom: '2024-06-30', validUntil: '2027-06-29'
  })
  const members = [member(grower, 'startup', 'billion'), member(small, 'innovative_growth', 'above_scale')]
  const base = {
    year: 2025, firms: [grower, small, outsider], memberships: members.map(m => ({
      enterpriseId: m.enterpriseId,
      programCode: m.programCode
    })), members, calls: [], applications: [], current: POLICY
  }

  // The startup member already fails tier_below billion: it graduates either way; the growth member drops out when the line rises.
  const r = simulatePolicy({ ...base, proposal: { tierRules: raised('30000000.00') } })
  t.same(r.pool.outcomes.before, { stays: 1, warned: 0, exits: 0, graduates: 1 })
  t.same(r.pool.outcomes.after, { stays: 0, warned: 0, exits: 1, graduates: 1 })
  t.same(r.pool.members?.map(m => [m.uscc, m.before.outcome, m.after.outcome, m.after.tier, m.after.failedGates]), [[small.uscc, 'stays', 'exits', 'below_scale', ['tier_at_least']]])
  t.same(r.pool.noLongerQualifying.innovative_growth, 1, 'the outsider no longer qualifies for growth')
  t.same(r.pool.newlyQualifying.startup, 0)

  // Gates: a startup may be up to 10 years old and below ten billion; the grower no longer graduates.
  const gates = { ...GATES, startup: [{ gate: 'founded_within_years' as const, years: 10 }, { gate: 'tier_below' as const, tier: 'ten_billion' as const }] }
  const g = simulatePolicy({ ...base, proposal: { eligibilityGates: gates } })
  t.same(g.pool.outcomes.after, { stays: 2, warned: 0, exits: 0, graduates: 0 })
  const byUscc = (a: string[], b: string[]) => a[0] < b[0] ? -1 : 1
  t.same(g.pool.qualifying?.map(q => [q.uscc, q.program, q.change]).sort(byUscc), [[outsider.uscc, 'startup', 'qualifies'], [small.uscc, 'startup', 'qualifies']].sort(byUscc))
  t.same(g.pool.newlyQualifying.startup, 2)
})

t.test('analysts propose thresholds on a coarse grid only', async (t) => {
  for (const ok of ['1.00', '15', '20000000.00', '30000000', '50000000.00', '70000000', '100000000.00', '1500000000.00']) t.ok(onCoarseGrid(ok), ok)
  for (const bad of ['0', '23456789.00', '25000000.00', '4000000.00', '20000000.50', '-1', 'x', '1.50']) t.notOk(onCoarseGrid(bad), bad)
  // Each step of the grid is at least 4/3 of the one below: no threshold pair narrows a revenue to within 10%.
  const grid = [1, 1.5, 2, 3, 5, 7, 10]
  for (let i = 1; i < grid.length; i++) t.ok(grid[i] / grid[i - 1] >= 4 / 3 - 1e-9, `${grid[i - 1]} → ${grid[i]}`)
})
