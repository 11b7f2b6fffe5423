import { createHash } from 'node:crypto'
import { evaluateEligibility, type EligibilityGates, type FailedGate } from './eligibility.ts'
import { membershipTransition, termEnd, type MembershipEvent, type MembershipState, type ReviewedMembershipState } from './membership-state.ts'
import { tierRank } from './tiers.ts'

/**
 * The pool's yearly re-evaluation (dynamic management, 动态管理; docs/pool.md),
 * as one pure function: members, declarations and policy in, the changes out.
 * The service stores the result as a preview and applies it later; policy
 * what-if simulations call the same function with a proposed policy.
 *
 * For each active or warned member and the evaluated year Y:
 * - a member whose term ended before `today` expires;
 * - the current tier follows Y's declaration (promoted, demoted);
 * - a year counts as a failed re-review when the firm did not declare it or
 *   its declaration fails the program's eligibility gates; a member that
 *   failed Y and meets the gates of a later program on its path (policy
 *   graduation_paths) graduates to it; otherwise one failure warns and
 *   `exitAfterFailures` in a row exit (policy pool_exit_failed_reviews);
 * - a member that passes Y is renewed: back to active after a warning, and
 *   for a new term when its term would end before the next re-evaluation.
 *   Terms granted by a re-evaluation run from the 1st of January after Y.
 *
 * The outcome depends only on the inputs, so evaluating the same year again
 * after applying changes nothing.
 */

export const CHANGE_KINDS = ['renewed', 'warned', 'exited', 'graduated', 'expired', 'promoted', 'demoted'] as const
export type ChangeKind = typeof CHANGE_KINDS[number]

export interface MemberForReview {
  id: string
  enterpriseId: string
  enterpriseName: string
  programCode: string
  currentTier: string
  status: ReviewedMembershipState
  statusReason: string | null
  missingYears: number
  /** YYYY-MM-DD */
  admittedOn: string
  foundedOn: string
  validFrom: string
  validUntil: string
}

export interface YearDeclaration {
  tierCode: string
  operatingRevenue: string
  rdExpense: string
}

export interface PoolPolicy {
  termYears: number
  /** Consecutive failed re-reviews (no declaration, or failed gates) after which a member exits. */
  exitAfterFailures: number
  gates: EligibilityGates
  /** Program → the next program on the growth path. */
  graduationPaths: Record<string, string>
}

export interface ReevaluationInput {
  year: number
  /** YYYY-MM-DD: terms that ended before it expire. */
  today: string
  members: readonly MemberForReview[]
  /** enterpriseId → year → declaration (at least the years a failure streak can reach back to). */
  declarations: ReadonlyMap<string, ReadonlyMap<number, YearDeclaration>>
  /** enterpriseId → programs in which the firm holds a live membership (notice included): no graduation into those. */
  livePrograms: ReadonlyMap<string, ReadonlySet<string>>
  policy: PoolPolicy
}

export interface GateFailure { gate: string, message: string, messageZh: string, required: string | number, actual: string | number | null }

export interface MembershipChange {
  enterpriseId: string
  membershipId: string
  enterpriseName: string
  program: string
  kind: ChangeKind
  /** tier (promoted, demoted), status (renewed, warned, exited, expired) or program (graduated) */
  from?: string
  to?: string
  /** The member's term end after the change. */
  validUntil?: string
  reason: string
  reasonZh: string
  failedGates?: GateFailure[]
}

/** What applying changes on one membership row; `graduateTo` creates the new membership. */
export interface MembershipUpdate {
  membershipId: string
  enterpriseId: string
  events: MembershipEvent[]
  status: MembershipState
  statusReason: string | null
  currentTier: string
  missingYears: number
  lastEvaluatedYear: number
  validFrom: string
  validUntil: string
  graduateTo?: { program: string, tier: string, validFrom: string, validUntil: string }
}

export type ChangeCounts = Record<ChangeKind, number>

export interface ReevaluationResult {
  year: number
  evaluated: number
  unchanged: number
  counts: ChangeCounts
  changes: MembershipChange[]
  updates: MembershipUpdate[]
}

export const emptyCounts = (): ChangeCounts => Object.fromEntries(CHANGE_KINDS.map(k => [k, 0])) as ChangeCounts

/**
 * Consecutive years up to and including `year` for which `failed(y)` holds,
 * counted no further back than the year of admission (before it the firm was
 * not a member) and no further than `cap`.
 */
export function failureStreak (year: number, admittedOn: string, cap: number, failed: (y: number) => boolean): number {
  const firstCounted = Number(admittedOn.slice(0, 4))
  let n = 0
  for (let y = year; y >= firstCounted && n < cap && failed(y); y--) n++
  return n
}

/** Consecutive years without a declaration (see failureStreak). */
export function missingStreak (year: number, declaredYears: ReadonlySet<number>, admittedOn: string, cap: number): number {
  return failureStreak(year, admittedOn, cap, y => !declaredYears.has(y))
}

const gateView = (g: FailedGate): GateFailure => ({ gate: g.gate, message: g.message, messageZh: g.messageZh, required: g.required, actual: g.actual })

function gatesOf (policy: PoolPolicy, program: string, year: number, member: MemberForReview, d: YearDeclaration) {
  return evaluateEligibility(policy.gates[program] ?? [], {
    callYear: year, foundedOn: member.foundedOn, tierCode: d.tierCode, operatingRevenue: d.operatingRevenue, rdExpense: d.rdExpense
  })
}

/** The later programs on the path from `program`, nearest first (a cycle in the policy is cut). */
export function pathAfter (paths: Record<string, string>, program: string): string[] {
  const out: string[] = []
  for (let p = paths[program]; p != null && p !== program && !out.includes(p); p = paths[p]) out.push(p)
  return out
}

/** One member's changes for the year; `taken` holds the programs the firm already has (updated when it graduates). */
export function reevaluateMember (
  m: MemberForReview, input: Omit<ReevaluationInput, 'members' | 'livePrograms'>, taken: Set<string>
): { changes: MembershipChange[], update: MembershipUpdate | null } {
  const { year, today, policy } = input
  const years = input.declarations.get(m.enterpriseId) ?? new Map<number, YearDeclaration>()
  const base = { enterpriseId: m.enterpriseId, membershipId: m.id, enterpriseName: m.enterpriseName, program: m.programCode }
  const changes: MembershipChange[] = []
  const row = {
    status: m.status as MembershipState, statusReason: m.statusReason, currentTier: m.currentTier,
    missingYears: m.missingYears, validFrom: m.validFrom, validUntil: m.validUntil
  }
  const events: MembershipEvent[] = []
  const move = (event: MembershipEvent) => {
    row.status = membershipTransition(row.status, event)
    events.push(event)
  }
  const finish = (graduateTo?: MembershipUpdate['graduateTo']) => ({
    changes,
    update: changes.length === 0 && row.missingYears === m.missingYears
      ? null
      : { membershipId: m.id, enterpriseId: m.enterpriseId, events, ...row, lastEvaluatedYear: year, ...(graduateTo != null ? { graduateTo } : {}) }
  })

  if (m.validUntil < today) {
    move('expire')
    row.statusReason = `The term ended on ${m.validUntil} without a passed re-review`
    changes.push({
      ...base, kind: 'expired', from: m.status, to: 'expired', validUntil: m.validUntil, reason: row.statusReason,
      reasonZh: `有效期已于 ${m.validUntil} 届满,未通过复核;可再次申报`
    })
    return finish()
  }

  const declaration = years.get(year) ?? null
  if (declaration != null && declaration.tierCode !== m.currentTier) {
    const kind = tierRank(declaration.tierCode) > tierRank(m.currentTier) ? 'promoted' : 'demoted'
    if (!events.includes('retier')) events.push('retier')
    row.currentTier = declaration.tierCode
    changes.push({
      ...base, kind, from: m.currentTier, to: declaration.tierCode,
      reason: `The ${year} declaration puts the firm in the ${declaration.tierCode} tier`,
      reasonZh: `${year} 年度申报数据对应的规模等级为 ${declaration.tierCode}`
    })
  }

  const cap = Math.max(1, policy.exitAfterFailures)
  row.missingYears = missingStreak(year, new Set(years.keys()), m.admittedOn, cap)
  const failedIn = (y: number): boolean => {
    const d = years.get(y)
    return d == null || !gatesOf(policy, m.programCode, y, m, d).passed
  }
  const streak = failureStreak(year, m.admittedOn, cap, failedIn)
  const termFrom = `${year + 1}-01-01`
  const termUntil = termEnd(termFrom, policy.termYears)

  if (streak === 0) {
    const due = m.validUntil <= `${year + 1}-12-31` && termUntil > m.validUntil
    if (m.status === 'warned' || due) {
      move('renew')
      if (due) {
        row.validFrom = termFrom
        row.validUntil = termUntil
      }
      row.statusReason = due ? `Passed the ${year} re-review; renewed until ${termUntil}` : `Passed the ${year} re-review after a warning`
      changes.push({
        ...base, kind: 'renewed', from: m.status, to: 'active', validUntil: row.validUntil, reason: row.statusReason,
        reasonZh: due ? `通过 ${year} 年度复核,有效期延续至 ${termUntil}` : `通过 ${year} 年度复核,警示解除`
      })
    }
    return finish()
  }

  const failedGates = declaration == null ? [] : gatesOf(policy, m.programCode, year, m, declaration).failedGates.map(gateView)
  if (declaration != null) {
    for (const next of pathAfter(policy.graduationPaths, m.programCode)) {
      if (taken.has(next) || !gatesOf(policy, next, year, m, declaration).passed) continue
      move('graduate')
      taken.add(next)
      row.statusReason = `Outgrew ${m.programCode} in ${year} and meets the ${next} gates: moved to ${next}`
      changes.push({
        ...base, kind: 'graduated', from: m.programCode, to: next, validUntil: termUntil, reason: row.statusReason,
        reasonZh: `${year} 年度已超出 ${m.programCode} 计划条件,符合 ${next} 计划条件,转入 ${next} 计划培育`, failedGates
      })
      return finish({ program: next, tier: declaration.tierCode, validFrom: termFrom, validUntil: termUntil })
    }
  }

  const why = declaration == null ? `no declaration for ${year}` : `failed the ${m.programCode} gates in ${year}: ${failedGates.map(g => g.message).join('; ')}`
  const whyZh = declaration == null ? `未填报 ${year} 年度经营数据` : `${year} 年度未达到 ${m.programCode} 计划条件:${failedGates.map(g => g.messageZh).join(';')}`
  if (streak >= cap) {
    move('exit')
    row.statusReason = `Did not pass the re-review ${streak} year(s) in a row (${why})`
    changes.push({
      ...base, kind: 'exited', from: m.status, to: 'exited', reason: row.statusReason,
      reasonZh: `连续 ${streak} 年未通过复核(${whyZh}),退出培育库;符合条件后可再次申报`, ...(failedGates.length > 0 ? { failedGates } : {})
    })
    return finish()
  }
  const reason = `Did not pass the ${year} re-review (${why}); ${cap - streak} more failed re-review(s) in a row and the membership ends`
  if (m.status !== 'warned' || m.statusReason !== reason) {
    move('warn')
    row.statusReason = reason
    changes.push({
      ...base, kind: 'warned', from: m.status, to: 'warned', reason,
      reasonZh: `未通过 ${year} 年度复核(${whyZh});再连续 ${cap - streak} 年未通过将退出培育库`, ...(failedGates.length > 0 ? { failedGates } : {})
    })
  }
  return finish()
}

/** The whole report for the year: every member's changes, counts by kind, and the row updates that apply them. */
export function computeReevaluation (input: ReevaluationInput): ReevaluationResult {
  const counts = emptyCounts()
  const changes: MembershipChange[] = []
  const updates: MembershipUpdate[] = []
  const taken = new Map<string, Set<string>>()
  let unchanged = 0
  const members = [...input.members].sort((a, b) => a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  for (const m of members) {
    let programs = taken.get(m.enterpriseId)
    if (programs == null) taken.set(m.enterpriseId, (programs = new Set(input.livePrograms.get(m.enterpriseId) ?? [m.programCode])))
    const r = reevaluateMember(m, input, programs)
    for (const c of r.changes) counts[c.kind]++
    changes.push(...r.changes)
    if (r.update != null) updates.push(r.update)
    if (r.changes.length === 0) unchanged++
  }
  return { year: input.year, evaluated: members.length, unchanged, counts, changes, updates }
}

/**
 * A digest of everything a re-evaluation read except the clock: the
 * members, the declarations, the live programs and the policy. A preview
 * may be applied only while the digest is unchanged.
 */
export function reevaluationFingerprint (input: Omit<ReevaluationInput, 'today'>): string {
  const members = [...input.members].sort((a, b) => a.id < b.id ? -1 : 1)
    .map(m => [m.id, m.enterpriseId, m.programCode, m.currentTier, m.status, m.statusReason, m.missingYears, m.admittedOn, m.foundedOn, m.validFrom,
      m.validUntil])
  const declarations = [...input.declarations.entries()].sort(([a], [b]) => a < b ? -1 : 1)
    .map(([firm, years]) => [firm, [...years.entries()].sort(([a], [b]) => a - b).map(([y, d]) => [y, d.tierCode, d.operatingRevenue, d.rdExpense])])
  const live = [...input.livePrograms.entries()].sort(([a], [b]) => a < b ? -1 : 1).map(([firm, p]) => [firm, [...p].sort()])
  const policy = {
    termYears: input.policy.termYears,
    exitAfterFailures: input.policy.exitAfterFailures,
    gates: Object.entries(input.policy.gates).sort(([a], [b]) => a < b ? -1 : 1),
    graduationPaths: Object.entries(input.policy.graduationPaths).sort(([a], [b]) => a < b ? -1 : 1)
  }
  return createHash('sha256').update(JSON.stringify({ year: input.year, members, declarations, live, policy })).digest('hex')
}

/** A stored report's life: `previewed` (nothing changed) → `applied` (once). */
export const REEVALUATION_STATES = ['previewed', 'applied'] as const
export type ReevaluationState = typeof REEVALUATION_STATES[number]
export const REEVALUATION_EVENTS = ['apply'] as const
export type ReevaluationEvent = typeof REEVALUATION_EVENTS[number]
export const REEVALUATION_TRANSITIONS: Readonly<Record<ReevaluationState, Readonly<Partial<Record<ReevaluationEvent, ReevaluationState>>>>> = {
  previewed: { apply: 'applied' },
  applied: {}
}
export function nextReevaluationState (state: ReevaluationState, event: ReevaluationEvent): ReevaluationState | null {
  return REEVALUATION_TRANSITIONS[state]?.[event] ?? null
}
