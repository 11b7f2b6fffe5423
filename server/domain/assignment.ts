/**
 * Conflict-free, balanced assignment of reviewers to applications (issue 4).
 * Pure and deterministic: the same input always gives the same plan.
 *
 * Each application needs `needed` more reviewers. Applications with the
 * fewest eligible reviewers are served first (so scarce reviewers go where
 * they are the only option); each slot goes to the eligible reviewer with the
 * lowest load (existing assignments count), ties broken by id. Picking the
 * least loaded balances loads in the common case; conflicts can still leave
 * the greedy plan lopsided, so a second pass moves assignments along chains
 * (A hands an application to B, B one to C …) from the most loaded reviewer
 * to one with at least two fewer, until no such chain exists: max − min ≤ 1
 * whenever the conflicts allow it. A reviewer is never put on an application whose firm they have
 * a conflict with, nor twice on one application. `avoid` (e.g. the reviewers
 * of the first round, for an appeal) is a preference: used only when nobody
 * else is left.
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
}

export interface AssignmentReviewer {
  id: string
  /** Credit codes the reviewer may not grade: declared conflicts and their own employer. */
  conflicts: readonly string[]
  /** Open assignments the reviewer already has. */
  load: number
}

export interface AssignmentPlan {
  assignments: Array<{ applicationId: string, reviewerId: string }>
  short: Array<{ applicationId: string, missing: number }>
  /** Load of every reviewer after the plan. */
  loads: Record<string, number>
}

export function isConflicted (reviewer: Pick<AssignmentReviewer, 'conflicts'>, uscc: string): boolean {
  return reviewer.conflicts.includes(uscc)
}

const byId = (a: string, b: string) => a < b ? -1 : a > b ? 1 : 0

export function planAssignment (applications: readonly AssignmentApplication[], reviewers: readonly AssignmentReviewer[]): AssignmentPlan {
  const loads = new Map(reviewers.map(r => [r.id, r.load]))
  const sortedReviewers = [...reviewers].sort((a, b) => byId(a.id, b.id))
  const eligible = (app: AssignmentApplication) => sortedReviewers.filter(r => !isConflicted(r, app.uscc) && !(app.onIt ?? []).includes(r.id))
  const order = applications
    .filter(a => a.needed > 0)
    .map(a => ({ app: a, count: eligible(a).length }))
    .sort((x, y) => x.count - y.count || byId(x.app.id, y.app.id))
  const assignments: AssignmentPlan['assignments'] = []
  const short: AssignmentPlan['short'] = []
  for (const { app } of order) {
    const pool = eligible(app)
    const taken = new Set<string>()
    const avoid = new Set(app.avoid ?? [])
    let missing = app.needed
    while (missing > 0) {
      let best: AssignmentReviewer | undefined
      for (const r of pool) {
        if (taken.has(r.id)) continue
        if (best == null) { best = r; continue }
        const ra = avoid.has(r.id) ? 1 : 0
        const ba = avoid.has(best.id) ? 1 : 0
        const rl = loads.get(r.id) as number
        const bl = loads.get(best.id) as number
        if (ra < ba || (ra === ba && rl < bl)) best = r
      }
      if (best == null) break
      taken.add(best.id)
      loads.set(best.id, (loads.get(best.id) as number) + 1)
      assignments.push({ applicationId: app.id, reviewerId: best.id })
      missing--
    }
    if (missing > 0) short.push({ applicationId: app.id, missing })
  }
  rebalance(assignments, applications, sortedReviewers, loads)
  short.sort((a, b) => byId(a.applicationId, b.applicationId))
  return { assignments, short, loads: Object.fromEntries(loads) }
}

/**
 * Moves new assignments along chains from an overloaded reviewer to one with
 * at least two fewer (breadth-first, in id order, so deterministic). Each
 * move lowers the sum of squared loads, so it ends.
 */
function rebalance (
  assignments: AssignmentPlan['assignments'],
  applications: readonly AssignmentApplication[],
  reviewers: readonly AssignmentReviewer[],
  loads: Map<string, number>
): void {
  const appById = new Map(applications.map(a => [a.id, a]))
  const reviewerById = new Map(reviewers.map(r => [r.id, r]))
  const onApp = (appId: string, reviewerId: string) =>
    (appById.get(appId)?.onIt ?? []).includes(reviewerId) || assignments.some(a => a.applicationId === appId && a.reviewerId === reviewerId)
  const canTake = (appId: string, reviewerId: string) => {
    const app = appById.get(appId) as AssignmentApplication
    return !isConflicted(reviewerById.get(reviewerId) as AssignmentReviewer, app.uscc) && !(app.avoid ?? []).includes(reviewerId) && !onApp(appId, reviewerId)
  }
  for (let guard = 0; guard < 10_000; guard++) {
    const max = Math.max(...loads.values())
    let moved = false
    for (const source of reviewers) {
      if (loads.get(source.id) !== max) continue
      // BFS: reviewer → (previous reviewer, index of the assignment handed over)
      const prev = new Map<string, { from: string, index: number }>([[source.id, { from: '', index: -1 }]])
      const queue = [source.id]
      let target: string | undefined
      while (queue.length > 0 && target == null) {
        const current = queue.shift() as string
        for (let i = 0; i < assignments.length && target == null; i++) {
          if (assignments[i].reviewerId !== current) continue
          for (const next of reviewers) {
            if (prev.has(next.id) || !canTake(assignments[i].applicationId, next.id)) continue
            prev.set(next.id, { from: current, index: i })
            if ((loads.get(next.id) as number) <= max - 2) { target = next.id; break }
            queue.push(next.id)
          }
        }
      }
      if (target == null) continue
      // Hand each assignment on the chain over, last link first.
      for (let at = target; at !== source.id;) {
        const link = prev.get(at) as { from: string, index: number }
        assignments[link.index] = { applicationId: assignments[link.index].applicationId, reviewerId: at }
        at = link.from
      }
      loads.set(source.id, (loads.get(source.id) as number) - 1)
      loads.set(target, (loads.get(target) as number) + 1)
      moved = true
      break
    }
    if (!moved) return
  }
}
