import { evaluateEligibility, type GateDefinition, type FailedGate } from './eligibility.ts'
import { tierRank } from './tiers.ts'

/**
 * The pool's yearly re-evaluation (dynamic management, 动态管理): each live
 * member's tier is recomputed from the year's declaration; a member that did
 * not declare is warned, and exits after `exitMissingYears` consecutive
 * missing years (policy pool_exit_missing_years); a member that no longer
 * passes its program's eligibility gates (policy eligibility_gates) exits.
 *
 * The outcome depends only on the declarations and the membership, never on
 * how many times it ran: running the same year twice changes nothing the
 * second time.
 */

export interface MemberForReview {
  id: string
  enterpriseId: string
  programCode: string
  currentTier: string
  /** Only 'active' and 'warned' members are re-evaluated; 'notice' ones were just admitted on current figures. */
  status: 'active' | 'warned'
  missingYears: number
  /** YYYY-MM-DD */
  admittedOn: string
  foundedOn: string
}

export interface YearDeclaration {
  tierCode: string
  operatingRevenue: string
  rdExpense: string
}

export interface ReevaluationPolicy {
  exitMissingYears: number
  gates: Record<string, GateDefinition[]>
}

export type MemberOutcome = {
  tier: { from: string, to: string, change: 'promoted' | 'demoted' } | null
  status: { from: string, to: 'active' | 'warned' | 'exited', reason: 'missing_declaration' | 'missing_declarations' | 'failed_gates' | 'declared_again' } | null
  missingYears: number
  failedGates: FailedGate[]
}

/**
 * Consecutive years up to and including `year` without a declaration, counted
 * no further back than the year of admission (before it the firm was not a
 * member, and it was admitted on the previous year's figures) and no further
 * than `cap`.
 */
export function missingStreak (year: number, declaredYears: ReadonlySet<number>, admittedOn: string, cap: number): number {
  const firstCounted = Number(admittedOn.slice(0, 4))
  let n = 0
  for (let y = year; y >= firstCounted && n < cap && !declaredYears.has(y); y--) n++
  return n
}

/** One member's outcome for `year`. `declaration` is that year's, or null; `streak` from missingStreak. */
export function reevaluateMember (member: MemberForReview, year: number, declaration: YearDeclaration | null, streak: number, policy: ReevaluationPolicy): MemberOutcome {
  if (declaration == null) {
    const missingYears = Math.max(streak, 1)
    if (missingYears >= policy.exitMissingYears) {
      return { tier: null, status: { from: member.status, to: 'exited', reason: 'missing_declarations' }, missingYears, failedGates: [] }
    }
    const status = member.status === 'warned' ? null : { from: member.status, to: 'warned' as const, reason: 'missing_declaration' as const }
    return { tier: null, status, missingYears, failedGates: [] }
  }
  const to = declaration.tierCode
  const tier = to === member.currentTier
    ? null
    : { from: member.currentTier, to, change: tierRank(to) > tierRank(member.currentTier) ? 'promoted' as const : 'demoted' as const }
  const { passed, failedGates } = evaluateEligibility(policy.gates[member.programCode] ?? [], {
    callYear: year,
    foundedOn: member.foundedOn,
    tierCode: to,
    operatingRevenue: declaration.operatingRevenue,
    rdExpense: declaration.rdExpense
  })
  if (!passed) return { tier, status: { from: member.status, to: 'exited', reason: 'failed_gates' }, missingYears: 0, failedGates }
  const status = member.status === 'warned' ? { from: member.status, to: 'active' as const, reason: 'declared_again' as const } : null
  return { tier, status, missingYears: 0, failedGates: [] }
}

/** Whether the outcome changes the membership row at all. */
export function changesMembership (member: MemberForReview, o: MemberOutcome): boolean {
  return o.tier != null || o.status != null || o.missingYears !== member.missingYears
}
