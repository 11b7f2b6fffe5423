import { ifMatchTag } from '../lib/versioning.ts'
import { and, asc, eq, inArray, max, ne, sql, type Placeholder, type SQL } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import { applications, calls, enterpriseDomains, enterprises, reviews, rubrics, users } from '../../db/schema/index.ts'
import { transition, type ApplicationState } from '../domain/application-state.ts'
import { planAssignment, type AssignmentApplication } from '../domain/assignment.ts'
import { AppError, errors } from '../domain/errors.ts'
import { ENDED_WITHOUT_SCORE, isOpenReview, OPEN_REVIEW_STATES, reviewTransition } from '../domain/review-state.ts'
import { autoScore, type AutoScore, type FrozenFigures } from '../domain/rubrics.ts'
import { aggregateScores, checkJudgedScores } from '../domain/scoring.ts'
import { frozenFigures, type ApplicationSnapshot } from '../domain/submission.ts'
import { recordAudit, type AuditContext } from '../lib/audit.ts'
import { decodeCursor, page } from '../lib/pagination.ts'
import type { Principal } from '../plugins/auth.ts'
import { conflictedSql, conflictUsccs, declareConflict } from './conflicts.ts'
import { notify, roleUserIds } from './notifications.ts'
import { policyNumber } from './policy.ts'
import { rubricOf } from './rubrics.ts'

/**
 * Reviews (issue 4): assignment of reviewers (by hand and for a whole call),
 * drafts with If-Match, submission, recusal, and aggregation into the
 * application's score when the last review of a round is in.
 *
 * A round is one pass of review: round 1 after submission, a new round after
 * a resubmission (returned for revision) or an appeal. Only the current
 * round's reviews count; reviewers of earlier rounds are avoided for an
 * appeal where the pool allows.
 */

type ReviewRow = typeof reviews.$inferSelect
type ApplicationRow = typeof applications.$inferSelect

/** Open = still to be done by the reviewer. */
const OPEN_STATES = OPEN_REVIEW_STATES
/** Application states in which reviewers may be assigned. */
const ASSIGNABLE_STATES: ApplicationState[] = ['submitted', 'under_review', 'appealed']

export const reviewErrors = {
  notCurrent: (state: string) => errors.invalidState(state, 'this review belongs to a finished round or to an application no longer under review'),
  noReviewer: () => new AppError(409, 'NO_REVIEWER_AVAILABLE'),
  alreadyAssigned: (reviewer: string) => new AppError(409, 'CONFLICT', { detail: `reviewer ${reviewer} is already assigned to this application` })
}

// ---------------------------------------------------------------------------
// Visibility.

/**
 * SQL on `applications`: the reviewer is assigned to it (any round, not
 * recused) and has no conflict with its firm. The applications, documents
 * and enterprise modules use it so a reviewer sees exactly what they grade.
 */
export function reviewerSeesApplicationSql (reviewerId: string | Placeholder, applicationId: SQL | import('drizzle-orm').AnyColumn = applications.id, enterpriseId: SQL | import('drizzle-orm').AnyColumn = applications.enterpriseId): SQL {
  return sql`(exists (select 1 from ${reviews} rv where rv.application_id = ${applicationId} and rv.reviewer_id = ${reviewerId} and rv.state not in ('recused', 'reassigned'))
    and not ${conflictedSql(reviewerId, sql`(select e.uscc from ${enterprises} e where e.id = ${enterpriseId})`)})`
}

/** SQL on `enterprises`: the reviewer grades an application of this firm and has no conflict with it. */
export function reviewerSeesEnterpriseSql (reviewerId: string, enterpriseId: SQL | import('drizzle-orm').AnyColumn = enterprises.id): SQL {
  return sql`(exists (select 1 from ${reviews} rv join ${applications} ap on ap.id = rv.application_id
      where ap.enterprise_id = ${enterpriseId} and rv.reviewer_id = ${reviewerId} and rv.state not in ('recused', 'reassigned'))
    and not ${conflictedSql(reviewerId, sql`(select e.uscc from ${enterprises} e where e.id = ${enterpriseId})`)})`
}

// ---------------------------------------------------------------------------
// Rounds and assignment.

async function lastRound (tx: Db, applicationId: string): Promise<number> {
  const [row] = await tx.select({ round: max(reviews.round) }).from(reviews).where(eq(reviews.applicationId, applicationId))
  return row?.round ?? 0
}

/** The round new assignments go to: a fresh one when review (re)starts, else the running one. */
async function assignmentRound (tx: Db, a: ApplicationRow): Promise<number> {
  const last = await lastRound(tx, a.id)
  return a.state === 'under_review' && last > 0 ? last : last + 1
}

const reviewAudit = (r: ReviewRow) => ({
  applicationId: r.applicationId, reviewerId: r.reviewerId, round: r.round, state: r.state,
  scores: r.scores, comment: r.comment, recuseReason: r.recuseReason, reassignReason: r.reassignReason, version: r.version
})

async function firmUscc (tx: Db, enterpriseId: string): Promise<string> {
  const [e] = await tx.select({ uscc: enterprises.uscc }).from(enterprises).where(eq(enterprises.id, enterpriseId))
  return e.uscc
}

/** Inserts assignments and moves the application to under_review, notifying each reviewer. */
async function applyAssignments (tx: Db, a: ApplicationRow, round: number, reviewerIds: string[], actor: AuditContext): Promise<ReviewRow[]> {
  if (reviewerIds.length === 0) return []
  const rows = await tx.insert(reviews).values(reviewerIds.map(reviewerId => ({ applicationId: a.id, reviewerId, round, assignedBy: actor.actorId }))).returning()
  for (const r of rows) await recordAudit(tx, actor, { action: 'review.assign', objectType: 'review', objectId: r.id, after: reviewAudit(r) })
  const next = transition(a.state as ApplicationState, 'assign')
  if (next !== a.state) {
    const [after] = await tx.update(applications).set({ state: next, version: a.version + 1, updatedAt: new Date() }).where(eq(applications.id, a.id)).returning()
    await recordAudit(tx, actor, { action: 'application.review_start', objectType: 'application', objectId: a.id, before: { state: a.state, version: a.version }, after: { state: after.state, version: after.version } })
  }
  for (const r of rows) await notify(tx, [r.reviewerId], 'review_assigned', { reviewId: r.id, applicationId: a.id, callId: a.callId })
  return rows
}

async function lockApplication (tx: Db, id: string): Promise<ApplicationRow> {
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
  for (const id of unique) if (on.has(id)) throw reviewErrors.alreadyAssigned(id)
  const rows = await applyAssignments(tx, a, round, unique, actor)
  return { applicationId: a.id, round, assigned: rows.map(r => ({ reviewId: r.id, reviewerId: r.reviewerId })) }
}

/**
 * Assigns every application of the call waiting for reviewers: each gets the
 * call's number of reviewers, loads as even as possible, never a conflicted
 * reviewer (server/domain/assignment.ts). Reports the applications left short.
 */
export async function autoAssignCall (tx: Db, callId: string, actor: AuditContext) {
  // One automatic assignment per call at a time.
  const [call] = await tx.select().from(calls).where(eq(calls.id, callId)).for('update')
  if (call == null) throw errors.notFound()
  const apps = await tx.select().from(applications)
    .where(and(eq(applications.callId, callId), inArray(applications.state, ASSIGNABLE_STATES)))
    .orderBy(asc(applications.id)).for('update')
  return await assignApplications(tx, apps, call.reviewersPerApplication, actor)
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
    const all = await tx.select({ reviewerId: reviews.reviewerId, round: reviews.round, state: reviews.state }).from(reviews).where(eq(reviews.applicationId, a.id))
    const thisRound = all.filter(r => r.round === round)
    inputs.push({
      id: a.id,
      uscc: await firmUscc(tx, a.enterpriseId),
      needed: Math.max(0, perApplication - thisRound.filter(r => !(ENDED_WITHOUT_SCORE as readonly string[]).includes(r.state)).length),
      onIt: thisRound.map(r => r.reviewerId),
      domains: (await tx.select({ code: enterpriseDomains.domainCode }).from(enterpriseDomains).where(eq(enterpriseDomains.enterpriseId, a.enterpriseId))).map(d => d.code),
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

// ---------------------------------------------------------------------------
// Reading reviews.

function reviewView (r: ReviewRow) {
  return {
    id: r.id,
    applicationId: r.applicationId,
    reviewerId: r.reviewerId,
    round: r.round,
    state: r.state,
    scores: r.scores,
    comment: r.comment,
    recuseReason: r.recuseReason ?? null,
    reassignReason: r.reassignReason ?? null,
    replacedBy: r.replacedBy ?? null,
    version: r.version,
    assignedAt: r.assignedAt.toISOString(),
    submittedAt: r.submittedAt?.toISOString() ?? null
  }
}
export type ReviewView = ReturnType<typeof reviewView>

/** SQL on `reviews`: the reviewer's own rows on firms they have no conflict with. */
function ownReviewsSql (reviewerId: string): SQL {
  return and(eq(reviews.reviewerId, reviewerId), sql`not ${conflictedSql(reviewerId, sql`(select e.uscc from ${applications} ap join ${enterprises} e on e.id = ap.enterprise_id where ap.id = ${reviews.applicationId})`)}`) as SQL
}

export async function listMyReviews (db: Db, reviewerId: string, q: { limit: number, cursor?: string, state?: string }) {
  const after = decodeCursor<{ t: string, id: string }>(q.cursor, ['t', 'id'])
  // A replaced reviewer no longer sees the review (as GET /v1/reviews/:id).
  const where: SQL[] = [ownReviewsSql(reviewerId), ne(reviews.state, 'reassigned')]
  if (q.state != null) where.push(eq(reviews.state, q.state as ReviewRow['state']))
  if (after != null) where.push(sql`(${reviews.assignedAt}, ${reviews.id}) > (${after.t}::timestamptz, ${after.id}::uuid)`)
  // One query for the page: what a workbench lists (firm, program, call, due date) joined in.
  const rows = await db.select({ r: reviews, firmName: enterprises.name, program: calls.programCode, callId: calls.id, callTitle: calls.title, dueAt: calls.reviewDueAt })
    .from(reviews).innerJoin(applications, eq(applications.id, reviews.applicationId))
    .innerJoin(calls, eq(calls.id, applications.callId)).innerJoin(enterprises, eq(enterprises.id, applications.enterpriseId))
    .where(and(...where)).orderBy(asc(reviews.assignedAt), asc(reviews.id)).limit(q.limit + 1)
  const p = page(rows, q.limit, x => ({ t: x.r.assignedAt.toISOString(), id: x.r.id }))
  return {
    items: p.items.map(x => ({ ...reviewView(x.r), firmName: x.firmName, program: x.program, callId: x.callId, callTitle: x.callTitle, dueAt: x.dueAt?.toISOString() ?? null })),
    nextCursor: p.nextCursor
  }
}

/** The review if `user` may see it (its reviewer, unconflicted; officers: API.md), else 404. */
async function findVisibleReview (db: Db, user: Principal, id: string, lock = false): Promise<ReviewRow> {
  // A reviewer who was replaced no longer reads the application through the review.
  const where = user.role === 'reviewer'
    ? and(eq(reviews.id, id), ownReviewsSql(user.id), ne(reviews.state, 'reassigned'))
    : user.role === 'officer' ? eq(reviews.id, id) : sql`false`
  const query = db.select().from(reviews).where(where)
  const [row] = lock ? await query.for('update') : await query
  if (row == null) throw errors.notFound()
  return row
}

/** The frozen figures in the shape the auto indicators read, from the application's snapshot. */
/** The frozen figures of an application's snapshot, null before it was submitted. */
function frozenFiguresOf (snapshot: unknown): FrozenFigures | null {
  const s = snapshot as ApplicationSnapshot | null
  return s?.declaration == null ? null : frozenFigures(s)
}

/**
 * One review with what grading needs: the application's frozen figures and
 * auto scores, the rubric id; the other reviewers' scores of the same round
 * only once this reviewer has submitted (officers always see them).
 */
export async function getReview (db: Db, user: Principal, id: string) {
  const r = await findVisibleReview(db, user, id)
  const [row] = await db.select({ a: applications, rubricId: calls.rubricId, program: calls.programCode, firmName: enterprises.name, firmUscc: enterprises.uscc })
    .from(applications).innerJoin(calls, eq(calls.id, applications.callId)).innerJoin(enterprises, eq(enterprises.id, applications.enterpriseId))
    .where(eq(applications.id, r.applicationId))
  const seeOthers = user.role !== 'reviewer' || r.state === 'submitted'
  const others = seeOthers
    ? (await db.select().from(reviews).where(and(eq(reviews.applicationId, r.applicationId), eq(reviews.round, r.round), ne(reviews.id, r.id), eq(reviews.state, 'submitted'))).orderBy(asc(reviews.id)))
        .map(o => ({ reviewId: o.id, reviewerId: o.reviewerId, scores: o.scores, comment: o.comment }))
    : null
  const snapshot = row.a.snapshot as { declaration?: unknown, previousDeclaration?: unknown } | null
  return {
    ...reviewView(r),
    application: {
      id: row.a.id,
      callId: row.a.callId,
      program: row.program,
      state: row.a.state,
      rubricId: row.rubricId,
      enterprise: { id: row.a.enterpriseId, name: row.firmName, uscc: row.firmUscc },
      statement: row.a.statement,
      declaration: snapshot?.declaration ?? null,
      previousDeclaration: snapshot?.previousDeclaration ?? null,
      autoScores: row.a.autoScores ?? null
    },
    otherReviews: others
  }
}

// ---------------------------------------------------------------------------
// Writing reviews.

/** The review is the reviewer's own, open, of the current round of an application under review. */
async function lockOwnOpenReview (tx: Db, user: Principal, id: string) {
  const r = await findVisibleReview(tx, user, id, true)
  if (user.role !== 'reviewer' || r.reviewerId !== user.id) throw errors.notFound()
  const a = await lockApplication(tx, r.applicationId)
  if (!isOpenReview(r.state)) throw errors.invalidState(r.state, 'the review is no longer open')
  if (a.state !== 'under_review' || r.round !== await lastRound(tx, a.id)) throw reviewErrors.notCurrent(r.state)
  const [call] = await tx.select({ rubricId: calls.rubricId, perApplication: calls.reviewersPerApplication }).from(calls).where(eq(calls.id, a.callId))
  const [rubricRow] = await tx.select().from(rubrics).where(eq(rubrics.id, call.rubricId))
  return { r, a, rubric: rubricOf(rubricRow), perApplication: call.perApplication }
}

/** Saves a draft (If-Match): scores may be partial but each must be in range. */
export async function saveReview (db: Db, user: Principal, id: string, input: { scores: Record<string, number>, comment?: string }, expectedVersion: number, actor: AuditContext) {
  return await db.transaction(async (t) => {
    const tx = t as unknown as Db
    const { r, rubric } = await lockOwnOpenReview(tx, user, id)
    if (r.version !== expectedVersion) throw errors.versionMismatch(expectedVersion)
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
  return await db.transaction(async (t) => {
    const tx = t as unknown as Db
    const { r, a, rubric, perApplication } = await lockOwnOpenReview(tx, user, id)
    if (expectedVersion != null && r.version !== expectedVersion) throw errors.versionMismatch(expectedVersion)
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
  return await db.transaction(async (t) => {
    const tx = t as unknown as Db
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
export async function reassignReview (tx: Db, id: string, reason: string, actor: AuditContext) {
  const [r] = await tx.select().from(reviews).where(eq(reviews.id, id)).for('update')
  if (r == null) throw errors.notFound()
  const a = await lockApplication(tx, r.applicationId)
  const next = reviewTransition(r.state, 'reassign')
  if (a.state !== 'under_review' || r.round !== await lastRound(tx, a.id)) throw reviewErrors.notCurrent(r.state)
  const [call] = await tx.select({ perApplication: calls.reviewersPerApplication }).from(calls).where(eq(calls.id, a.callId))
  const [ended] = await tx.update(reviews).set({ state: next, reassignReason: reason, version: r.version + 1, updatedAt: new Date() })
    .where(eq(reviews.id, id)).returning()
  const replacement = await replaceReviewer(tx, a, ended, call.perApplication, actor)
  if (replacement == null) throw reviewErrors.noReviewer()
  const [final] = await tx.select().from(reviews).where(eq(reviews.id, id))
  await recordAudit(tx, actor, {
    action: 'review.reassign', objectType: 'review', objectId: id,
    before: reviewAudit(r), after: { ...reviewAudit(final), reassignReason: reason, replacedBy: replacement.id }
  })
  await notify(tx, [r.reviewerId], 'review_reassigned', { reviewId: id, applicationId: a.id, callId: a.callId })
  return { review: reviewView(replacement), replaced: reviewView(final) }
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

// ---------------------------------------------------------------------------
// Progress.

/** Per call: applications by state; reviews done / assigned per application and per reviewer (current rounds). */
export async function callProgress (db: Db, callId: string, now = new Date()) {
  const [call] = await db.select({ id: calls.id, perApplication: calls.reviewersPerApplication, reviewDueAt: calls.reviewDueAt }).from(calls).where(eq(calls.id, callId))
  if (call == null) throw errors.notFound()
  const byStateRows = await db.select({ state: applications.state, n: sql<number>`count(*)::int` }).from(applications)
    .where(eq(applications.callId, callId)).groupBy(applications.state)
  const rows = await db.select({
    applicationId: applications.id, state: applications.state, firm: enterprises.name,
    reviewId: reviews.id, reviewerId: reviews.reviewerId, reviewerName: users.name, reviewState: reviews.state, round: reviews.round,
    lastRound: sql<number>`(select max(r2.round) from ${reviews} r2 where r2.application_id = "applications"."id")`
  }).from(applications)
    .innerJoin(enterprises, eq(enterprises.id, applications.enterpriseId))
    .leftJoin(reviews, eq(reviews.applicationId, applications.id))
    .leftJoin(users, eq(users.id, reviews.reviewerId))
    .where(eq(applications.callId, callId))
    .orderBy(asc(applications.id), asc(reviews.reviewerId))
  interface ProgressReview { reviewId: string, reviewerId: string, name: string, state: ReviewRow['state'], overdue: boolean }
  const perApplication = new Map<string, { applicationId: string, firm: string, state: string, assigned: number, submitted: number, recused: number, reviews: ProgressReview[] }>()
  const perReviewer = new Map<string, { reviewerId: string, name: string, assigned: number, submitted: number, overdue: number, overdueReviews: Array<{ reviewId: string, applicationId: string, firm: string }> }>()
  // Overdue: still open on an application under review after the call's review due date.
  const pastDue = call.reviewDueAt != null && call.reviewDueAt.getTime() <= now.getTime()
  for (const r of rows) {
    const entry = perApplication.get(r.applicationId) ?? { applicationId: r.applicationId, firm: r.firm, state: r.state, assigned: 0, submitted: 0, recused: 0, reviews: [] }
    perApplication.set(r.applicationId, entry)
    if (r.reviewerId == null || r.round !== Number(r.lastRound)) continue
    const open = r.state === 'under_review' && r.reviewId != null && isOpenReview(r.reviewState as ReviewRow['state'])
    entry.reviews.push({ reviewId: r.reviewId as string, reviewerId: r.reviewerId, name: r.reviewerName ?? '', state: r.reviewState as ReviewRow['state'], overdue: pastDue && open })
    if (r.reviewState === 'recused') { entry.recused++; continue }
    // A replaced reviewer's review is neither assigned nor done: its replacement counts.
    if (r.reviewState === 'reassigned') continue
    entry.assigned++
    const rev = perReviewer.get(r.reviewerId) ?? { reviewerId: r.reviewerId, name: r.reviewerName ?? '', assigned: 0, submitted: 0, overdue: 0, overdueReviews: [] }
    perReviewer.set(r.reviewerId, rev)
    rev.assigned++
    if (r.reviewState === 'submitted') { entry.submitted++; rev.submitted++ }
    if (pastDue && open) {
      rev.overdue++
      rev.overdueReviews.push({ reviewId: r.reviewId as string, applicationId: r.applicationId, firm: r.firm })
    }
  }
  return {
    callId,
    reviewersPerApplication: call.perApplication,
    reviewDueAt: call.reviewDueAt?.toISOString() ?? null,
    overdue: [...perReviewer.values()].reduce((n, r) => n + r.overdue, 0),
    applicationsByState: Object.fromEntries(byStateRows.map(r => [r.state, Number(r.n)])),
    applications: [...perApplication.values()],
    reviewers: [...perReviewer.values()].sort((x, y) => x.reviewerId < y.reviewerId ? -1 : 1)
  }
}

/** Parses If-Match (`3`, `"3"` or `W/"3"`); undefined when absent unless `required` (428). */
export function ifMatchVersion (header: string | undefined, required: boolean): number | undefined {
  const version = ifMatchTag(header)
  if (version === undefined) {
    if (required) throw errors.preconditionRequired()
    return undefined
  }
  if (version === null) throw errors.validation([{ field: 'If-Match', message: 'must be the version number from ETag or `version`' }])
  return version
}
