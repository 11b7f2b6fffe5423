import { and, eq, inArray } from 'drizzle-orm'
import { type Db, type Tx, inTransaction } from '../../db/client.ts'
import { applications, calls, enterprises, reviews, rubrics } from '../../db/schema/index.ts'
import { transition, type ApplicationState } from '../domain/application-state.ts'
import { errors } from '../domain/errors.ts'
import { isOpenReview, OPEN_REVIEW_STATES, reviewTransition } from '../domain/review-state.ts'
import { autoScore, type AutoScore, type FrozenFigures } from '../domain/rubrics.ts'
import { aggregateScores, checkJudgedScores } from '../domain/scoring.ts'
import { frozenFigures, type ApplicationSnapshot } from '../domain/submission.ts'
import { recordAudit, type AuditContext } from '../lib/audit.ts'
import { checkVersion } from '../lib/versioning.ts'
import type { Principal } from '../domain/access.ts'
import { declareConflict } from './conflicts.ts'
import { notify, roleUserIds } from './notifications.ts'
import { policyNumber } from './policy.ts'
import { rubricOf } from './rubrics.ts'
import { assignApplications, firmUscc, lastRound, lockApplication, reviewAudit } from './assignment.ts'
import { findVisibleReview, reviewView, type ReviewRow } from './review-reads.ts'

/**
 * Reviews (issue 4): drafts with If-Match, submission, recusal and
 * reassignment, and aggregation into the application's score when the last
 * review of a round is in. Assigning reviewers is services/assignment.ts.
 *
 * A round is one pass of review: round 1 after submission, a new round after
 * a resubmission (returned for revision) or an appeal. Only the current
 * round's reviews count; reviewers of earlier rounds are avoided for an
 * appeal where the pool allows.
 *
 * The reads (the workbench list, one review, a call's progress) are in
 * review-reads.ts, re-exported here.
 */
export { callProgress, getReview, listMyReviews, type ReviewView } from './review-reads.ts'

type ApplicationRow = typeof applications.$inferSelect

/** Open = still to be done by the reviewer. */
const OPEN_STATES = OPEN_REVIEW_STATES

/** The frozen figures of an application's snapshot in the shape the auto indicators read, null before it was submitted. */
function frozenFiguresOf (snapshot: unknown): FrozenFigures | null {
  const s = snapshot as ApplicationSnapshot | null
  return s?.declaration == null ? null : frozenFigures(s)
}

// ---------------------------------------------------------------------------
// Writing reviews.

/** The review is the reviewer's own, open, of the current round of an application under review. */
async function lockOwnOpenReview (tx: Db, user: Principal, id: string) {
  const r = await findVisibleReview(tx, user, id, true)
  if (user.role !== 'reviewer' || r.reviewerId !== user.id) throw errors.notFound()
  const a = await lockApplication(tx, r.applicationId)
  if (!isOpenReview(r.state)) throw errors.invalidState(r.state, 'the review is no longer open')
  if (a.state !== 'under_review' || r.round !== await lastRound(tx, a.id)) throw errors.reviewNotCurrent(r.state)
  const [call] = await tx.select({ rubricId: calls.rubricId, perApplication: calls.reviewersPerApplication }).from(calls).where(eq(calls.id, a.callId))
  const [rubricRow] = await tx.select().from(rubrics).where(eq(rubrics.id, call.rubricId))
  return { r, a, rubric: rubricOf(rubricRow), perApplication: call.perApplication }
}

/** Saves a draft (If-Match): scores may be partial but each must be in range. */
export async function saveReview (db: Db, user: Principal, id: string, input: { scores: Record<string, number>, comment?: string },
  expectedVersion: number | undefined, actor: AuditContext) {
  return await inTransaction(db, async (tx) => {
    const { r, rubric } = await lockOwnOpenReview(tx, user, id)
    checkVersion(r.version, expectedVersion)
    const problems = checkJudgedScores(rubric, input.scores, true)
    if (problems.length > 0) throw errors.validation(problems)
    const [after] = await tx.update(reviews).set({
      scores: input.scores, comment: input.comment ?? r.comment, state: reviewTransition(r.state, 'save'), version: r.version + 1, updatedAt: new Date()
    }).where(eq(reviews.id, id)).returning()
    await recordAudit(tx, actor, { action: 'review.save', objectType: 'review', objectId: id, before: reviewAudit(r), after: reviewAudit(after) })
    return reviewView(after)
  })
}

/**
 * Submits a review: final; every judged indicator scored within range. When
 * it is the last open review of the round and the round has the call's number
 * of submitted reviews, the application is aggregated and becomes `scored`.
 */
export async function submitReview (db: Db, user: Principal, id: string, expectedVersion: number | undefined, actor: AuditContext) {
  return await inTransaction(db, async (tx) => {
    const { r, a, rubric, perApplication } = await lockOwnOpenReview(tx, user, id)
    checkVersion(r.version, expectedVersion)
    const problems = checkJudgedScores(rubric, r.scores)
    if (problems.length > 0) throw errors.validation(problems)
    const now = new Date()
    const [after] = await tx.update(reviews).set({ state: reviewTransition(r.state, 'submit'), version: r.version + 1, submittedAt: now, updatedAt: now })
      .where(eq(reviews.id, id)).returning()
    await recordAudit(tx, actor, { action: 'review.submit', objectType: 'review', objectId: id, before: reviewAudit(r), after: reviewAudit(after) })
    await scoreIfComplete(tx, a, r.round, perApplication, actor)
    return reviewView(after)
  })
}

/** Aggregates the round into the application's score once every review is in. */
async function scoreIfComplete (tx: Db, a: ApplicationRow, round: number, perApplication: number, actor: AuditContext) {
  const roundReviews = await tx.select().from(reviews).where(and(eq(reviews.applicationId, a.id), eq(reviews.round, round)))
  const submitted = roundReviews.filter(x => x.state === 'submitted')
  const open = roundReviews.filter(x => isOpenReview(x.state))
  if (open.length > 0 || submitted.length < perApplication) return
  const [call] = await tx.select({ rubricId: calls.rubricId }).from(calls).where(eq(calls.id, a.callId))
  const [rubricRow] = await tx.select().from(rubrics).where(eq(rubrics.id, call.rubricId))
  const rubric = rubricOf(rubricRow)
  let auto = a.autoScores as AutoScore | null
  if (auto == null) {
    const figures = frozenFiguresOf(a.snapshot)
    auto = figures == null ? { indicators: [], total: '0.00' } : autoScore(rubric, figures)
  }
  const disagreementPoints = await policyNumber(tx, 'review_disagreement_points', 15)
  const score = aggregateScores(rubric, auto, submitted.map(x => ({ reviewerId: x.reviewerId, scores: x.scores })), disagreementPoints)
  const next = transition(a.state as ApplicationState, 'score')
  const [after] = await tx.update(applications).set({ state: next, score, autoScores: auto, version: a.version + 1, updatedAt: new Date() })
    .where(eq(applications.id, a.id)).returning()
  await recordAudit(tx, actor, { action: 'application.score', objectType: 'application', objectId: a.id, before: { state: a.state, version: a.version }, after: { state: after.state, version: after.version, score } })
}

/**
 * The reviewer steps down: declares a conflict with the firm (from now on
 * they never see it), the officers are told, and a replacement is assigned
 * by the same rules as any assignment (replaceReviewer); when nobody is left
 * the slot stays open and the progress shows it.
 */
export async function recuseReview (db: Db, user: Principal, id: string, reason: string, actor: AuditContext) {
  return await inTransaction(db, async (tx) => {
    const { r, a, perApplication } = await lockOwnOpenReview(tx, user, id)
    const [after] = await tx.update(reviews).set({ state: reviewTransition(r.state, 'recuse'), recuseReason: reason, version: r.version + 1, updatedAt: new Date() })
      .where(eq(reviews.id, id)).returning()
    await recordAudit(tx, actor, { action: 'review.recuse', objectType: 'review', objectId: id, before: reviewAudit(r), after: reviewAudit(after) })
    await declareConflict(tx, user.id, { uscc: await firmUscc(tx, a.enterpriseId), reason, source: 'recusal' }, actor)
    await afterRecusal(tx, a, after, perApplication, actor)
    return reviewView(after)
  })
}

/** Tells the officers of a recusal and fills the slot when the round is still running. */
async function afterRecusal (tx: Db, a: ApplicationRow, recused: ReviewRow, perApplication: number, actor: AuditContext): Promise<void> {
  const current = a.state === 'under_review' && recused.round === await lastRound(tx, a.id)
  const replacement = current ? await replaceReviewer(tx, a, recused, perApplication, actor) : null
  await notify(tx, await roleUserIds(tx, 'officer'), 'review_recused', {
    reviewId: recused.id, applicationId: a.id, callId: a.callId, replacementReviewId: replacement?.id ?? null
  })
}

/**
 * Assigns a replacement for an ended review (recused or reassigned) by the
 * assignment rules: conflict-free, balanced, by expertise; never a reviewer
 * already on the round (the replaced one included). Null when nobody is left.
 */
async function replaceReviewer (tx: Db, a: ApplicationRow, ended: ReviewRow, perApplication: number, actor: AuditContext): Promise<ReviewRow | null> {
  const plan = await assignApplications(tx, [a], perApplication, actor)
  const first = plan.assigned[0]
  if (first == null) return null
  await tx.update(reviews).set({ replacedBy: first.reviewId }).where(eq(reviews.id, ended.id))
  const [row] = await tx.select().from(reviews).where(eq(reviews.id, first.reviewId))
  return row
}

/**
 * An officer replaces a reviewer (late, unreachable, unwell): the open review
 * ends `reassigned` (its draft scores never count) and a replacement is
 * assigned by the assignment rules; 409 NO_REVIEWER_AVAILABLE, with nothing
 * changed, when nobody is left. Returns the new review.
 */
export async function reassignReview (db: Db, id: string, reason: string, actor: AuditContext) {
  return await inTransaction(db, async (tx) => await reassignIn(tx, id, reason, actor))
}

async function reassignIn (tx: Tx, id: string, reason: string, actor: AuditContext) {
  const [r] = await tx.select().from(reviews).where(eq(reviews.id, id)).for('update')
  if (r == null) throw errors.notFound()
  const a = await lockApplication(tx, r.applicationId)
  const next = reviewTransition(r.state, 'reassign')
  if (a.state !== 'under_review' || r.round !== await lastRound(tx, a.id)) throw errors.reviewNotCurrent(r.state)
  const [call] = await tx.select({ perApplication: calls.reviewersPerApplication }).from(calls).where(eq(calls.id, a.callId))
  const [ended] = await tx.update(reviews).set({ state: next, reassignReason: reason, version: r.version + 1, updatedAt: new Date() })
    .where(eq(reviews.id, id)).returning()
  const replacement = await replaceReviewer(tx, a, ended, call.perApplication, actor)
  if (replacement == null) throw errors.noReviewer()
  const [final] = await tx.select().from(reviews).where(eq(reviews.id, id))
  await recordAudit(tx, actor, {
    action: 'review.reassign', objectType: 'review', objectId: id,
    before: reviewAudit(r), after: { ...reviewAudit(final), reassignReason: reason, replacedBy: replacement.id }
  })
  await notify(tx, [r.reviewerId], 'review_reassigned', { reviewId: id, applicationId: a.id, callId: a.callId })
  return { review: reviewView(replacement), replaced: reviewView(final) }
}

/**
 * A reviewer declares a conflict of interest with a firm: from then on they
 * never see it, and their open reviews of its applications are recused.
 */
export async function declareReviewerConflict (db: Db, reviewerId: string, input: { uscc: string, reason: string }, actor: AuditContext) {
  return await inTransaction(db, async (tx) => {
    const created = await declareConflict(tx, reviewerId, { ...input, source: 'declared' }, actor)
    await recuseOpenReviewsForConflict(tx, reviewerId, created?.uscc ?? input.uscc, input.reason, actor)
    return created
  })
}

/** A newly declared conflict recuses the reviewer from their open reviews of that firm, each replaced as a recusal is. */
export async function recuseOpenReviewsForConflict (tx: Db, reviewerId: string, uscc: string, reason: string, actor: AuditContext): Promise<number> {
  const open = await tx.select({ review: reviews }).from(reviews)
    .innerJoin(applications, eq(applications.id, reviews.applicationId))
    .innerJoin(enterprises, eq(enterprises.id, applications.enterpriseId))
    .where(and(eq(reviews.reviewerId, reviewerId), eq(enterprises.uscc, uscc), inArray(reviews.state, [...OPEN_STATES])))
    .for('update', { of: reviews })
  for (const { review } of open) {
    const [after] = await tx.update(reviews).set({ state: reviewTransition(review.state, 'recuse'), recuseReason: reason, version: review.version + 1, updatedAt: new Date() })
      .where(eq(reviews.id, review.id)).returning()
    await recordAudit(tx, actor, { action: 'review.recuse', objectType: 'review', objectId: review.id, before: reviewAudit(review), after: reviewAudit(after) })
    const a = await lockApplication(tx, review.applicationId)
    const [call] = await tx.select({ perApplication: calls.reviewersPerApplication }).from(calls).where(eq(calls.id, a.callId))
    await afterRecusal(tx, a, after, call.perApplication, actor)
  }
  return open.length
}
