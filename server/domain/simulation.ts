import { evaluateEligibility, type EligibilityGates } from './eligibility.ts'
import { toFen } from './money.ts'
import { computeReevaluation, type MemberForReview, type PoolPolicy, type ReevaluationResult, type YearDeclaration } from './reevaluation.ts'
import { autoScore, toHundredths, type Rubric } from './rubrics.ts'
import { aggregateScores, parsePoints, type ApplicationScore } from './scoring.ts'
import { frozenFigures, type ApplicationSnapshot } from './submission.ts'
import { evaluateTarget, type PlanTarget, type TargetResult, type TierSums } from './targets.ts'
import { TIER_CODES, tierClassifier, type TierCode, type TierRule } from './tiers.ts'

/**
 * Policy what-if: a proposed tier rule set, eligibility gates, rubric or plan
 * targets evaluated against one year's stored declarations, pool and
 * applications, next to the policy in force. Pure and in memory: the caller
 * loads the year once and nothing is written, so the figures, the pool and
 * the audit trail cannot change (docs/simulations.md).
 *
 * "Before" is what is stored (each declaration's tier, the application's
 * score) or, where the proposal could change it, the policy in force applied
 * the same way, so the comparison shows the proposal's effect alone.
 */

/** One declaration of the year with its firm. */
export interface SimulationFirm {
  enterpriseId: string
  /** Name, credit code and founding date are read only for the firms of firmsNeedingDetails. */
  name: string
  uscc: string
  /** YYYY-MM-DD */
  foundedOn: string
  /** Sorted codes. */
  domains: string[]
  operatingRevenue: string
  softwareRevenue: string
  rdExpense: string
  employees: number
  /** The tier stored with the declaration. */
  tierCode: string
}

/** A live pool member re-evaluation would look at, with the years it declared in the missing-streak window. */
export interface SimulationMember extends MemberForReview {
  enterpriseName: string
  uscc: string
  declaredYears: number[]
  /** The member's declarations of the earlier years a failure streak can reach (the year itself comes from `firms`). */
  priorDeclarations?: Record<number, YearDeclaration>
}

export interface SimulationApplication {
  id: string
  callId: string
  enterpriseId: string
  firmName: string
  state: string
  snapshot: ApplicationSnapshot
  score: ApplicationScore | null
}

export interface SimulationCall { id: string, title: string, program: string, rubric: Rubric }

/** A plan target as stored, with its labels. */
export interface LabelledTarget extends PlanTarget { labelZh: string, labelEn: string }

export interface Policy {
  tierRules: TierRule[]
  gates: EligibilityGates
  targets: LabelledTarget[]
  exitMissingYears: number
  /** Program → next program (policy graduation_paths); default startup → innovative_growth → leading_platform. */
  graduationPaths?: Record<string, string>
}

export interface Proposal {
  tierRules?: TierRule[]
  eligibilityGates?: EligibilityGates
  /** A new rubric for one program: the year's calls of that program are graded with it instead of their own. */
  rubric?: Rubric & { program: string }
  targets?: LabelledTarget[]
}

export interface SimulationInput {
  year: number
  firms: SimulationFirm[]
  /** Live memberships (notice, active, warned), for "newly qualifies". */
  memberships: Array<{ enterpriseId: string, programCode: string }>
  /** The members re-evaluation examines (active and warned). */
  members: SimulationMember[]
  calls: SimulationCall[]
  applications: SimulationApplication[]
  current: Policy
  proposal: Proposal
  /**
   * The year's sums per tier as stored (the analytics rollup): the targets'
   * "before". When absent they are summed from `firms`. "After" is these
   * with the firms that change tier moved, so only those firms are summed.
   */
  tierSums?: TierSums[]
  /** proposedTiers(firms, year, proposal), when the caller has it already. */
  after?: string[]
  /** Longest list of firms kept per section (officers read them; counts are always complete). */
  listLimit?: number
}

export type PoolOutcome = 'stays' | 'warned' | 'exits' | 'graduates'
const OUTCOMES: readonly PoolOutcome[] = ['stays', 'warned', 'exits', 'graduates']

export interface TargetSide extends TargetResult { goal: string, comparator: string, suppressed?: boolean }

export interface SimulationResult {
  year: number
  firms: number
  tiers: {
    before: Record<string, number>
    after: Record<string, number>
    /** The transition matrix: every non-empty (from, to) pair, the diagonal (firms that keep their tier) included. */
    moves: Array<{ from: string, to: string, firms: number }>
    changed: number
    changes?: Array<{ enterpriseId: string, name: string, uscc: string, from: string, to: string }>
  }
  targets: Array<{
    code: string, labelZh: string, labelEn: string, measure: string, tierCode: string | null, before: TargetSide | null,
    after: TargetSide | null
  }>
  pool: {
    evaluated: number
    changed: number
    outcomes: { before: Record<PoolOutcome, number>, after: Record<PoolOutcome, number> }
    members?: Array<{
      membershipId: string, enterpriseId: string, firmName: string, uscc: string, program: string,
      before: { outcome: PoolOutcome, tier: string }, after: { outcome: PoolOutcome, tier: string, failedGates: string[] }
    }>
    newlyQualifying: Record<string, number>
    noLongerQualifying: Record<string, number>
    qualifying?: Array<{ enterpriseId: string, firmName: string, uscc: string, program: string, change: 'qualifies' | 'no_longer_qualifies' }>
  }
  applications: {
    examined: number
    eligibilityFlips: number
    passFlips: number
    rankChanges: number
    calls: Array<{
      callId: string, title: string, program: string, applications: number, eligibilityFlips: number, passFlips: number, rankChanges: number
      items?: Array<{
        applicationId: string, enterpriseId: string, firmName: string, state: string
        eligible: { before: boolean, after: boolean }
        pass: { before: boolean | null, after: boolean | null }
        total: { before: string | null, after: string | null }
        rank: { before: number | null, after: number | null }
      }>
    }>
  }
  /** How many firms each list holds at most (lists say `truncated` counts through the section counts). */
  listLimit: number
  notes: string[]
}

const emptyOutcomes = (): Record<PoolOutcome, number> => ({ stays: 0, warned: 0, exits: 0, graduates: 0 })

/** The re-evaluation outcome in the words of the simulation. */
function outcomeOf (member: MemberForReview, r: ReevaluationResult): PoolOutcome {
  const kinds = new Set(r.changes.map(c => c.kind))
  if (kinds.has('exited')) return 'exits'
  if (kinds.has('graduated')) return 'graduates'
  if (kinds.has('warned') || (member.status === 'warned' && !kinds.has('renewed'))) return 'warned'
  return 'stays'
}

const DEFAULT_PATHS: Record<string, string> = { startup: 'innovative_growth', innovative_growth: 'leading_platform' }

/** The sums per tier with `moved` firms taken out of their old tier and put into their new one. */
function sumsWithMoves (base: readonly TierSums[], moved: Array<{ firm: SimulationFirm, from: string, to: string }>): TierSums[] {
  const byTier = new Map<string, TierSums>(base.map(s => [s.tierCode, { ...s }]))
  const add = (tier: string, f: SimulationFirm, sign: 1n | -1n) => {
    let s = byTier.get(tier)
    if (s == null) byTier.set(tier, s = { tierCode: tier, firms: 0, operatingRevenueFen: 0n, softwareRevenueFen: 0n, rdExpenseFen: 0n, employees: 0n })
    s.firms += Number(sign)
    s.operatingRevenueFen += sign * toFen(f.operatingRevenue)
    s.softwareRevenueFen += sign * toFen(f.softwareRevenue)
    s.rdExpenseFen += sign * toFen(f.rdExpense)
    s.employees += sign * BigInt(f.employees)
  }
  for (const m of moved) {
    add(m.from, m.firm, -1n)
    add(m.to, m.firm, 1n)
  }
  return [...byTier.values()].filter(s => s.firms > 0)
}

/** Competition ranking by total, highest first (equal totals share a rank). */
function ranks (entries: Array<{ id: string, total: number }>): Map<string, number> {
  const sorted = [...entries].sort((a, b) => b.total - a.total)
  const out = new Map<string, number>()
  sorted.forEach((e, i) => out.set(e.id, i > 0 && sorted[i - 1].total === e.total ? out.get(sorted[i - 1].id) as number : i + 1))
  return out
}

/**
 * The score an application would have had under `rubric`: its auto indicators
 * scored afresh from the frozen figures, each judged indicator keeping the
 * points the reviewers gave it (aggregated as stored; capped at the new
 * maximum; 0 for a judged indicator the stored rubric did not have).
 */
export function rescore (rubric: Rubric, snapshot: ApplicationSnapshot, stored: ApplicationScore): ApplicationScore {
  const judged: Record<string, number> = {}
  for (const ind of stored.indicators ?? []) {
    if (ind.kind !== 'judged') continue
    const next = rubric.indicators.find(i => i.key === ind.key && i.kind === 'judged')
    if (next != null) judged[ind.key] = Math.min(parsePoints(ind.points), toHundredths(next.max)) / 100
  }
  return aggregateScores(rubric, autoScore(rubric, frozenFigures(snapshot)), [{ reviewerId: 'stored', scores: judged }], 0)
}

/** Each firm's tier under the proposal (the stored one when it proposes no tier rules), in the order of `firms`. */
export function proposedTiers (firms: ReadonlyArray<Pick<SimulationFirm, 'operatingRevenue' | 'domains' | 'tierCode'>>, year: number, proposal: Proposal): string[] {
  if (proposal.tierRules == null) return firms.map(f => f.tierCode)
  const classify = tierClassifier(proposal.tierRules, year)
  return firms.map(f => classify(f.operatingRevenue, f.domains))
}

/**
 * Which firms' details (founding date, name, credit code) the simulation
 * reads: those whose tier changes, or every firm when the gates change. The
 * caller may load the year without them and fill these in.
 */
export function firmsNeedingDetails (firms: readonly SimulationFirm[], after: readonly string[], proposal: Proposal): number[] {
  const out: number[] = []
  firms.forEach((f, i) => { if (proposal.eligibilityGates != null || after[i] !== f.tierCode) out.push(i) })
  return out
}

export function simulatePolicy (input: SimulationInput): SimulationResult {
  const { year, firms, current, proposal } = input
  const listLimit = input.listLimit ?? 5000
  const gatesAfter = proposal.eligibilityGates ?? current.gates
  const notes: string[] = []

  // ---- tiers
  const after = input.after ?? proposedTiers(firms, year, proposal)
  const before: Record<string, number> = {}
  const afterCount: Record<string, number> = {}
  for (const tier of TIER_CODES) { before[tier] = 0; afterCount[tier] = 0 }
  const moves = new Map<string, number>()
  const changes: NonNullable<SimulationResult['tiers']['changes']> = []
  const movedFirms: Array<{ firm: SimulationFirm, from: string, to: string }> = []
  let changed = 0
  firms.forEach((f, i) => {
    before[f.tierCode] = (before[f.tierCode] ?? 0) + 1
    afterCount[after[i]] = (afterCount[after[i]] ?? 0) + 1
    const key = `${f.tierCode}>${after[i]}`
    moves.set(key, (moves.get(key) ?? 0) + 1)
    if (after[i] !== f.tierCode) {
      changed++
      movedFirms.push({ firm: f, from: f.tierCode, to: after[i] })
      if (changes.length < listLimit) changes.push({ enterpriseId: f.enterpriseId, name: f.name, uscc: f.uscc, from: f.tierCode, to: after[i] })
    }
  })
  const rank = (t: string) => TIER_CODES.indexOf(t as TierCode)
  const moveList = [...moves].map(([k, n]) => { const [from, to] = k.split('>'); return { from, to, firms: n } })
    .sort((a, b) => rank(a.from) - rank(b.from) || rank(a.to) - rank(b.to))

  // ---- targets
  const sumsBefore = input.tierSums ?? sumsWithMoves([], firms.map(f => ({ firm: f, from: '', to: f.tierCode })))
  const sumsAfter = movedFirms.length === 0 ? sumsBefore : sumsWithMoves(sumsBefore, movedFirms)
  const side = (t: LabelledTarget | undefined, sums: TierSums[]): TargetSide | null =>
    t == null ? null : { goal: t.goal, comparator: t.comparator, ...evaluateTarget(t, sums) }
  const targetsAfter = proposal.targets ?? current.targets
  const codes = [...new Set([...current.targets.map(t => t.key), ...targetsAfter.map(t => t.key)])]
  const targets = codes.map(code => {
    const b = current.targets.find(t => t.key === code)
    const a = targetsAfter.find(t => t.key === code)
    const t = (a ?? b) as LabelledTarget
    return { code, labelZh: t.labelZh, labelEn: t.labelEn, measure: t.measure, tierCode: t.tierCode, before: side(b, sumsBefore), after: side(a, sumsAfter) }
  })

  // ---- pool: members re-evaluated under both policies
  const firmIndex = new Map(firms.map((f, i) => [f.enterpriseId, i]))
  const poolPolicy = (gates: EligibilityGates): PoolPolicy => ({
    termYears: 3, exitAfterFailures: current.exitMissingYears, gates, graduationPaths: current.graduationPaths ?? DEFAULT_PATHS
  })
  const policyBefore = poolPolicy(current.gates)
  const policyAfter = poolPolicy(gatesAfter)
  const heldPrograms = new Map<string, Set<string>>()
  for (const m of input.memberships) heldPrograms.set(m.enterpriseId, new Set([...(heldPrograms.get(m.enterpriseId) ?? []), m.programCode]))
  const outcomes = { before: emptyOutcomes(), after: emptyOutcomes() }
  const members: NonNullable<SimulationResult['pool']['members']> = []
  let poolChanged = 0
  for (const m of input.members) {
    const i = firmIndex.get(m.enterpriseId)
    const f = i == null ? null : firms[i]
    // The same pure re-evaluation the pool runs, without expiries (the clock is not what a policy changes).
    const run = (tier: string, policy: PoolPolicy) => {
      const years = new Map<number, YearDeclaration>(Object.entries(m.priorDeclarations ?? {}).map(([y, d]) => [Number(y), d]))
      if (f != null) years.set(year, { tierCode: tier, operatingRevenue: f.operatingRevenue, rdExpense: f.rdExpense })
      return computeReevaluation({
        year, today: '0000-01-01', members: [m], declarations: new Map([[m.enterpriseId, years]]),
        livePrograms: new Map([[m.enterpriseId, heldPrograms.get(m.enterpriseId) ?? new Set([m.programCode])]]), policy
      })
    }
    const ob = run(f?.tierCode ?? '', policyBefore)
    const oa = run(i == null ? '' : after[i], policyAfter)
    const kb = outcomeOf(m, ob)
    const ka = outcomeOf(m, oa)
    outcomes.before[kb]++
    outcomes.after[ka]++
    const tierOf = (r: ReevaluationResult) => r.changes.find(c => c.kind === 'promoted' || c.kind === 'demoted')?.to ?? m.currentTier
    const tierB = tierOf(ob)
    const tierA = tierOf(oa)
    if (kb === ka && tierB === tierA) continue
    poolChanged++
    if (members.length < listLimit) {
      members.push({
        membershipId: m.id, enterpriseId: m.enterpriseId, firmName: m.enterpriseName, uscc: m.uscc, program: m.programCode,
        before: { outcome: kb, tier: tierB }, after: {
          outcome: ka, tier: tierA, failedGates: [...new Set(oa.changes.flatMap(c => (c.failedGates ?? [])
            .map(g => g.gate)))]
        }
      })
    }
  }

  // ---- firms outside a program that would newly qualify for it (or no longer)
  const livePrograms = new Map<string, Set<string>>()
  for (const m of input.memberships) {
    let set = livePrograms.get(m.enterpriseId)
    if (set == null) livePrograms.set(m.enterpriseId, set = new Set())
    set.add(m.programCode)
  }
  const programs = [...new Set([...Object.keys(current.gates), ...Object.keys(gatesAfter)])].sort()
  const newlyQualifying: Record<string, number> = {}
  const noLongerQualifying: Record<string, number> = {}
  for (const p of programs) { newlyQualifying[p] = 0; noLongerQualifying[p] = 0 }
  const qualifying: NonNullable<SimulationResult['pool']['qualifying']> = []
  firms.forEach((f, i) => {
    // Same tier and same gates: nothing can change for this firm.
    if (proposal.eligibilityGates == null && after[i] === f.tierCode) return
    for (const p of programs) {
      if (livePrograms.get(f.enterpriseId)?.has(p) === true) continue
      const facts = { callYear: year, foundedOn: f.foundedOn, operatingRevenue: f.operatingRevenue, rdExpense: f.rdExpense }
      const was = evaluateEligibility(current.gates[p] ?? [], { ...facts, tierCode: f.tierCode }).passed
      const will = evaluateEligibility(gatesAfter[p] ?? [], { ...facts, tierCode: after[i] }).passed
      if (was === will) continue
      if (will) newlyQualifying[p]++
      else noLongerQualifying[p]++
      if (qualifying.length < listLimit) qualifying.push({ enterpriseId: f.enterpriseId, firmName: f.name, uscc: f.uscc, program: p, change: will ? 'qualifies' : 'no_longer_qualifies' })
    }
  })

  // ---- applications of the year's calls
  const callsOut: SimulationResult['applications']['calls'] = []
  let examined = 0
  let eligibilityFlips = 0
  let passFlips = 0
  let rankChanges = 0
  // An application is graded on the declaration of its own year, which need not be the simulated one.
  const classifiers = new Map<number, ReturnType<typeof tierClassifier>>()
  const classifyIn = (y: number) => {
    let c = classifiers.get(y)
    if (c == null) classifiers.set(y, c = tierClassifier(proposal.tierRules ?? [], y))
    return c
  }
  for (const call of input.calls) {
    const apps = input.applications.filter(a => a.callId === call.id)
    const rubricAfter = proposal.rubric != null && proposal.rubric.program === call.program ? proposal.rubric : null
    const rows = apps.map(a => {
      const d = a.snapshot.declaration
      const facts = { callYear: a.snapshot.call.year, foundedOn: a.snapshot.enterprise.foundedOn, operatingRevenue: d.operatingRevenue, rdExpense: d.rdExpense }
      const tierAfter = proposal.tierRules == null
        ? d.tierCode
        : classifyIn(d.year)(d.operatingRevenue, [...a.snapshot.enterprise.domains].sort())
      const eligibleBefore = evaluateEligibility(current.gates[call.program] ?? [], { ...facts, tierCode: d.tierCode }).passed
      const eligibleAfter = evaluateEligibility(gatesAfter[call.program] ?? [], { ...facts, tierCode: tierAfter }).passed
      const scoreAfter = a.score == null || !eligibleAfter ? null : rubricAfter == null ? a.score : rescore(rubricAfter, a.snapshot, a.score)
      return {
        a,
        eligible: { before: eligibleBefore, after: eligibleAfter },
        pass: { before: a.score?.pass ?? null, after: scoreAfter?.pass ?? null },
        total: { before: a.score?.total ?? null, after: scoreAfter?.total ?? null }
      }
    })
    const rankBefore = ranks(rows.filter(r => r.total.before != null && r.eligible.before).map(r => ({
      id: r.a.id,
      total: parsePoints(r.total.before as string)
    })))
    const rankAfter = ranks(rows.filter(r => r.total.after != null).map(r => ({ id: r.a.id, total: parsePoints(r.total.after as string) })))
    const out: SimulationResult['applications']['calls'][number] = {
      callId: call.id, title: call.title, program: call.program, applications: rows.length, eligibilityFlips: 0, passFlips: 0, rankChanges: 0, items: []
    }
    for (const r of rows) {
      const rank = { before: rankBefore.get(r.a.id) ?? null, after: rankAfter.get(r.a.id) ?? null }
      const eFlip = r.eligible.before !== r.eligible.after
      const pFlip = r.pass.before != null && r.pass.after != null && r.pass.before !== r.pass.after
      const rFlip = rank.before !== rank.after
      if (eFlip) out.eligibilityFlips++
      if (pFlip) out.passFlips++
      if (rFlip) out.rankChanges++
      if ((eFlip || pFlip || rFlip || r.total.before !== r.total.after) && (out.items as unknown[]).length < listLimit) {
        out.items?.push({
          applicationId: r.a.id, enterpriseId: r.a.enterpriseId, firmName: r.a.firmName, state: r.a.state, eligible: r.eligible,
          pass: r.pass, total: r.total, rank
        })
      }
    }
    examined += rows.length
    eligibilityFlips += out.eligibilityFlips
    passFlips += out.passFlips
    rankChanges += out.rankChanges
    callsOut.push(out)
  }
  if (proposal.rubric != null) {
    notes.push('applications are rescored with the proposed rubric: auto indicators from the frozen figures, judged indicators keep the reviewers\' aggregated points (0 for a judged indicator the call\'s rubric did not have)')
  }
  notes.push('an application is compared with the gates in force now and with the proposed ones, on its frozen declaration; adopting a policy never changes a submitted application')

  return {
    year,
    firms: firms.length,
    tiers: { before, after: afterCount, moves: moveList, changed, changes },
    targets,
    pool: { evaluated: input.members.length, changed: poolChanged, outcomes, members, newlyQualifying, noLongerQualifying, qualifying },
    applications: { examined, eligibilityFlips, passFlips, rankChanges, calls: callsOut },
    listLimit,
    notes
  }
}

/** Revenue-share measures: under proposed thresholds their value is the revenue of the firms between two lines. */
const MONEY_MEASURES = new Set(['revenue_share_at_least_tier'])

/**
 * What an aggregate-only reader (an analyst) may see of a simulation, under
 * the same disclosure rules as the rest of analytics (docs/confidentiality.md):
 * firm counts are public, so the tier moves, pool outcomes and qualification
 * counts stay; no list names a firm; and a revenue-share target's value is
 * withheld whenever the proposal changes it (a new target, another tier, or
 * thresholds that move firms), since the difference from a published share
 * would be the revenue of the few firms between two chosen lines. Analysts'
 * thresholds are held to a coarse grid (onCoarseGrid), so counts under
 * chosen lines place a firm's revenue only between two grid lines.
 */
export function aggregateView (result: SimulationResult): SimulationResult {
  const targets = result.targets.map(t => {
    if (!MONEY_MEASURES.has(t.measure) || t.after == null || (t.before != null && t.after.value === t.before.value)) return t
    return { ...t, after: { ...t.after, value: null, met: null, gap: null, suppressed: true } }
  })
  const { members: _m, qualifying: _q, ...pool } = result.pool
  return {
    ...result,
    tiers: { before: result.tiers.before, after: result.tiers.after, moves: result.tiers.moves, changed: result.tiers.changed },
    targets,
    pool,
    applications: { ...result.applications, calls: result.applications.calls.map(({ items: _i, ...c }) => c) },
    notes: [...result.notes, 'aggregate view: no list names a firm; a revenue share the proposal changes is withheld']
  }
}

export const POOL_OUTCOMES = OUTCOMES

/**
 * The thresholds an aggregate-only reader may propose: 1, 1.5, 2, 3, 5 or 7
 * times a power of ten yuan. Each step is at least a third above the one
 * below, so however many simulations an analyst runs, moving a threshold
 * tells at most that a firm's revenue lies between two such lines: never
 * within 10%.
 */
export function onCoarseGrid (minRevenue: string): boolean {
  const m = /^([1-9]\d*)(?:\.(\d{1,2}))?$/.exec(minRevenue)
  if (m == null) return false
  if (m[2] != null && /[1-9]/.test(m[2])) return false
  const digits = m[1].replace(/0+$/, '')
  return ['1', '15', '2', '3', '5', '7'].includes(digits)
}
