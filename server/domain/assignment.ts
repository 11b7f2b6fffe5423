import { MinCostFlow } from './min-cost-flow.ts'

/**
 * Conflict-free, balanced, expertise-aware assignment of reviewers to
 * applications, as an optimal plan (not a greedy pass). Pure and
 * deterministic: the same input always gives the same plan.
 *
 * The plan is a minimum-cost maximum flow (server/domain/min-cost-flow.ts):
 * source → application (capacity: reviewers still needed) → reviewer
 * (capacity 1, only when the reviewer has no conflict with the firm and is
 * not on it already) → sink. Maximum flow first: an application is short only
 * when every eligible reviewer is already on it. Among the plans of that
 * size, the cost ranks, strictly in this order:
 *
 * 1. `avoid` (e.g. the first round's reviewers, for an appeal): used only
 *    when nobody else is left;
 * 2. balance: a reviewer's k-th extra assignment costs (L+k)² − (L+k−1)²
 *    (L = their open load), so the flow minimises the sum of squared loads —
 *    which keeps max − min ≤ 1 whenever conflicts allow it;
 * 3. expertise: an assignment whose reviewer shares none of the firm's
 *    domains costs 1, so among equally balanced plans the one with the most
 *    domain matches wins.
 *
 * The weights make each rank outweigh everything below it (big-M).
 */

export interface AssignmentApplication {
  id: string
  /** The firm's credit code: conflicts are declared by USCC. */
  uscc: string
  /** How many more reviewers this application needs. */
  needed: number
  /** Reviewers already on it (in any state): never assigned again. */
  onIt?: readonly string[]
  /** Reviewers to avoid where the pool allows. */
  avoid?: readonly string[]
  /** The firm's domains (fields); a reviewer sharing one is preferred. */
  domains?: readonly string[]
}

export interface AssignmentReviewer {
  id: string
  /** Credit codes the reviewer may not grade: declared conflicts and their own employer. */
  conflicts: readonly string[]
  /** Open assignments the reviewer already has. */
  load: number
  /** The reviewer's fields of expertise (domain codes). */
  domains?: readonly string[]
}

export interface AssignmentPlan {
  assignments: Array<{ applicationId: string, reviewerId: string }>
  short: Array<{ applicationId: string, missing: number }>
  /** Load of every reviewer after the plan. */
  loads: Record<string, number>
  /** How many of the assignments have a reviewer sharing a domain with the firm. */
  matched: number
}

export function isConflicted (reviewer: Pick<AssignmentReviewer, 'conflicts'>, uscc: string): boolean {
  return reviewer.conflicts.includes(uscc)
}

const byId = (a: string, b: string) => a < b ? -1 : a > b ? 1 : 0

export function sharesDomain (reviewer: Pick<AssignmentReviewer, 'domains'>, app: Pick<AssignmentApplication, 'domains'>): boolean {
  const mine = reviewer.domains ?? []
  return (app.domains ?? []).some(d => mine.includes(d))
}

export function planAssignment (applications: readonly AssignmentApplication[], reviewers: readonly AssignmentReviewer[]): AssignmentPlan {
  const sortedReviewers = [...reviewers].sort((a, b) => byId(a.id, b.id))
  const apps = [...applications].filter(a => a.needed > 0).sort((a, b) => byId(a.id, b.id))
  const eligible = (app: AssignmentApplication, r: AssignmentReviewer) => !isConflicted(r, app.uscc) && !(app.onIt ?? []).includes(r.id)

  const A = apps.length
  const R = sortedReviewers.length
  const source = 0
  const sink = A + R + 1
  const units = apps.reduce((n, a) => n + Math.min(a.needed, sortedReviewers.filter(r => eligible(a, r)).length), 0)
  const maxLoad = Math.max(0, ...sortedReviewers.map(r => r.load))
  // Big-M weights: each rank outweighs the whole range of the ranks below it.
  const MISMATCH = 1
  const BALANCE = units * MISMATCH + 1
  const AVOID = BALANCE * units * (2 * (maxLoad + units) + 1) + 1
  if (!Number.isSafeInteger(AVOID * (units + 1))) throw new RangeError('assignment too large to plan exactly')

  const flow = new MinCostFlow(A + R + 2)
  const edges: Array<{ edge: number, app: AssignmentApplication, reviewer: AssignmentReviewer }> = []
  const eligibleCount = new Map<string, number>(sortedReviewers.map(r => [r.id, 0]))
  apps.forEach((app, i) => {
    flow.addEdge(source, 1 + i, app.needed, 0)
    const avoid = new Set(app.avoid ?? [])
    sortedReviewers.forEach((r, j) => {
      if (!eligible(app, r)) return
      eligibleCount.set(r.id, (eligibleCount.get(r.id) as number) + 1)
      const cost = (avoid.has(r.id) ? AVOID : 0) + (sharesDomain(r, app) ? 0 : MISMATCH)
      edges.push({ edge: flow.addEdge(1 + i, 1 + A + j, 1, cost), app, reviewer: r })
    })
  })
  sortedReviewers.forEach((r, j) => {
    // Convex cost of load: the k-th extra assignment costs (L+k)² − (L+k−1)².
    const room = Math.min(eligibleCount.get(r.id) as number, units)
    for (let k = 1; k <= room; k++) flow.addEdge(1 + A + j, sink, 1, BALANCE * (2 * (r.load + k) - 1))
  })
  flow.run(source, sink)

  const loads = new Map(sortedReviewers.map(r => [r.id, r.load]))
  const assignments: AssignmentPlan['assignments'] = []
  let matched = 0
  for (const { edge, app, reviewer } of edges) {
    if (flow.flowOn(edge) !== 1) continue
    assignments.push({ applicationId: app.id, reviewerId: reviewer.id })
    loads.set(reviewer.id, (loads.get(reviewer.id) as number) + 1)
    if (sharesDomain(reviewer, app)) matched++
  }
  const short: AssignmentPlan['short'] = []
  for (const app of apps) {
    const got = assignments.filter(a => a.applicationId === app.id).length
    if (got < app.needed) short.push({ applicationId: app.id, missing: app.needed - got })
  }
  return { assignments, short, loads: Object.fromEntries(loads), matched }
}
