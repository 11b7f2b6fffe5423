import { and, asc, eq, inArray, max, sql } from 'drizzle-orm'
import { type Db, type Tx, inTransaction } from '../../db/client.ts'
import { applications, calls, enterpriseDomains, enterprises, reviews, users } from '../../db/schema/index.ts'
import { needsDistrictReview, transition, type ApplicationState } from '../domain/application-state.ts'
import { planAssignment, type AssignmentApplication } from '../domain/assignment.ts'
import { errors } from '../domain/errors.ts'
import { ENDED_WITHOUT_SCORE, OPEN_REVIEW_STATES } from '../domain/review-state.ts'
import { recordAudit, type AuditContext } from '../lib/audit.ts'
import { conflictUsccs } from './conflicts.ts'
import { notify } from './notifications.ts'

/**
 * Assignment of reviewers (issue 4): by hand for one application, for a
 * whole call, and the replacement of a reviewer who ended without a score.
 * The plan itself (conflict-free, balanced, by expertise) is the pure
 * planAssignment of server/domain/assignment.ts; this module loads its
 * inputs and applies it, in the caller's transaction or its own.
 *
 * A round is one pass of review: round 1 after submission, a new round after
 * a resubmission (returned for revision) or an appeal; reviewers of earlier
 * rounds are avoided for an appeal where the pool allows.
 */

type ReviewRow = typeof reviews.$inferSelect
type ApplicationRow = typeof applications.$inferSelect

/** Open = still to be done by the reviewer. */
const OPEN_STATES = OPEN_REVIEW_STATES
/**
 * Application states in which reviewers may be assigned; a submitted one of a
 * call with a district pre-screen only once its district recommended it
 * (district_reviewed).
 */
const ASSIGNABLE_STATES: ApplicationState[] = ['submitted', 'district_reviewed', 'under_review', 'appealed']

// ---------------------------------------------------------------------------
// Rounds and assignment.

export async function lastRound (tx: Db, applicationId: string): Promise<number> {
  const [row] = await tx.select({ round: max(reviews.round) }).from(reviews).where(eq(reviews.applicationId, applicationId))
  return row?.round ?? 0
}

/** The round new assignments go to: a fresh one when review (re)starts, else the running one. */
export async function assignmentRound (tx: Db, a: ApplicationRow): Promise<number> {
  const last = await lastRound(tx, a.id)
  return a.state === 'under_review' && last > 0 ? last : last + 1
}

export const reviewAudit = (r: ReviewRow) => ({
  applicationId: r.applicationId, reviewerId: r.reviewerId, round: r.round, state: r.state,
  scores: r.scores, comment: r.comment, recuseReason: r.recuseReason, reassignReason: r.reassignReason, version: r.version
})

export async function firmUscc (tx: Db, enterpriseId: string): Promise<string> {
  const [e] = await tx.select({ uscc: enterprises.uscc }).from(enterprises).where(eq(enterprises.id, enterpriseId))
  return e.uscc
}

/** Inserts assignments and moves the application to under_review, notifying each reviewer. */
async function applyAssignments (tx: Db, a: ApplicationRow, round: number, reviewerIds: string[], actor: AuditContext): Promise<ReviewRow[]> {
  if (reviewerIds.length === 0) return []
  const rows = await tx.insert(reviews).values(reviewerIds.map(reviewerId => ({ applicationId: a.id, reviewerId, round, assignedBy: actor.actorId })))
    .returning()
  for (const r of rows) await recordAudit(tx, actor, { action: 'review.assign', objectType: 'review', objectId: r.id, after: reviewAudit(r) })
  const next = transition(a.state as ApplicationState, 'assign')
  if (next !== a.state) {
    const [after] = await tx.update(applications).set({ state: next, version: a.version + 1, updatedAt: new Date() }).where(eq(applications.id, a.id))
      .returning()
    await recordAudit(tx, actor, { action: 'application.review_start', objectType: 'application', objectId: a.id, before: { state: a.state, version: a.version }, after: { state: after.state, version: after.version } })
  }
  for (const r of rows) await notify(tx, [r.reviewerId], 'review_assigned', { reviewId: r.id, applicationId: a.id, callId: a.callId })
  return rows
}

export async function lockApplication (tx: Db, id: string): Promise<ApplicationRow> {
  const [a] = await tx.select().from(applications).where(eq(applications.id, id)).for('update')
  if (a == null) throw errors.notFound()
  return a
}

/**
 * Assigns the named reviewers to one application (officer). Every one must
 * be an active reviewer without a conflict with the firm (409
 * CONFLICT_OF_INTEREST names the first who has one).
 */
export async function assignReviewers (tx: Db, applicationId: string, reviewerIds: string[], actor: AuditContext) {
  const a = await lockApplication(tx, applicationId)
  transition(a.state as ApplicationState, 'assign')
  const [call] = await tx.select({ districtReview: calls.districtReview }).from(calls).where(eq(calls.id, a.callId))
  if (needsDistrictReview(a.state as ApplicationState, call.districtReview)) throw errors.districtReviewPending()
  const unique = [...new Set(reviewerIds)]
  const found = await tx.select({ id: users.id }).from(users)
    .where(and(inArray(users.id, unique), eq(users.role, 'reviewer'), eq(users.disabled, false)))
  const known = new Set(found.map(u => u.id))
  const unknown = unique.filter(id => !known.has(id))
  if (unknown.length > 0) throw errors.validation(unknown.map(id => ({ field: 'body.reviewerIds', message: `${id} is not an active reviewer` })))
  const uscc = await firmUscc(tx, a.enterpriseId)
  for (const id of unique) {
    if ((await conflictUsccs(tx, id)).includes(uscc)) throw errors.conflictOfInterest(id)
  }
  const round = await assignmentRound(tx, a)
  const existing = await tx.select({ reviewerId: reviews.reviewerId }).from(reviews).where(and(eq(reviews.applicationId, a.id), eq(reviews.round, round)))
  const on = new Set(existing.map(r => r.reviewerId))
  for (const id of unique) if (on.has(id)) throw errors.alreadyAssigned(id)
  const rows = await applyAssignments(tx, a, round, unique, actor)
  return { applicationId: a.id, round, assigned: rows.map(r => ({ reviewId: r.id, reviewerId: r.reviewerId })) }
}

/**
 * Assigns every application of the call waiting for reviewers: each gets the
 * call's number of reviewers, loads as even as possible, never a conflicted
 * reviewer (server/domain/assignment.ts). Reports the applications left short.
 */
export async function autoAssignCall (db: Db, callId: string, actor: AuditContext) {
  return await inTransaction(db, async (tx) => await autoAssignCallIn(tx, callId, actor))
}

async function autoAssignCallIn (tx: Tx, callId: string, actor: AuditContext) {
  // One automatic assignment per call at a time.
  const [call] = await tx.select().from(calls).where(eq(calls.id, callId)).for('update')
  if (call == null) throw errors.notFound()
  const apps = await tx.select().from(applications)
    .where(and(eq(applications.callId, callId), inArray(applications.state, ASSIGNABLE_STATES)))
    .orderBy(asc(applications.id)).for('update')
  // Those still waiting for their district's pre-screen are left for later.
  const ready = apps.filter(a => !needsDistrictReview(a.state as ApplicationState, call.districtReview))
  return await assignApplications(tx, ready, call.reviewersPerApplication, actor)
}

/** Plans and applies assignments for these (locked) applications. */
export async function assignApplications (tx: Db, apps: ApplicationRow[], perApplication: number, actor: AuditContext) {
  const reviewerRows = await tx.select({ id: users.id, employer: users.employerUscc, domains: users.domains }).from(users)
    .where(and(eq(users.role, 'reviewer'), eq(users.disabled, false))).orderBy(asc(users.id))
  // Load = open reviews that can still be done: of the current round of an
  // application under review (a returned or withdrawn one's no longer count).
  const loads = await tx.select({ reviewerId: reviews.reviewerId, n: sql<number>`count(*)::int` }).from(reviews)
    .innerJoin(applications, eq(applications.id, reviews.applicationId))
    .where(and(inArray(reviews.state, [...OPEN_STATES]), eq(applications.state, 'under_review'),
      sql`${reviews.round} = (select max(r2.round) from ${reviews} r2 where r2.application_id = ${reviews.applicationId})`))
    .groupBy(reviews.reviewerId)
  const loadOf = new Map(loads.map(l => [l.reviewerId, Number(l.n)]))
  const pool = []
  for (const r of reviewerRows) pool.push({ id: r.id, conflicts: await conflictUsccs(tx, r.id), load: loadOf.get(r.id) ?? 0, domains: r.domains })

  const inputs: AssignmentApplication[] = []
  const rounds = new Map<string, number>()
  for (const a of apps) {
    const round = await assignmentRound(tx, a)
    rounds.set(a.id, round)
    const all = await tx.select({ reviewerId: reviews.reviewerId, round: reviews.round, state: reviews.state }).from(reviews)
      .where(eq(reviews.applicationId, a.id))
    const thisRound = all.filter(r => r.round === round)
    inputs.push({
      id: a.id,
      uscc: await firmUscc(tx, a.enterpriseId),
      needed: Math.max(0, perApplication - thisRound.filter(r => !(ENDED_WITHOUT_SCORE as readonly string[]).includes(r.state)).length),
      onIt: thisRound.map(r => r.reviewerId),
      domains: (await tx.select({ code: enterpriseDomains.domainCode }).from(enterpriseDomains).where(eq(enterpriseDomains.enterpriseId, a.enterpriseId)))
        .map(d => d.code),
      // After an appeal (or a revision), fresh eyes where the pool allows.
      avoid: all.filter(r => r.round < round).map(r => r.reviewerId)
    })
  }
  const plan = planAssignment(inputs, pool)
  const assigned: Array<{ applicationId: string, reviewerId: string, reviewId: string }> = []
  for (const a of apps) {
    const ids = plan.assignments.filter(x => x.applicationId === a.id).map(x => x.reviewerId)
    const rows = await applyAssignments(tx, a, rounds.get(a.id) as number, ids, actor)
    for (const r of rows) assigned.push({ applicationId: a.id, reviewerId: r.reviewerId, reviewId: r.id })
  }
  return { assigned, short: plan.short, matched: plan.matched }
}
