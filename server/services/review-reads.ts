import { and, asc, eq, ne, sql, type SQL } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import { applications, calls, enterprises, reviews, users } from '../../db/schema/index.ts'
import { ownReviewsSql, reviewVisibility, type Principal } from '../domain/access.ts'
import { errors } from '../domain/errors.ts'
import { isOpenReview } from '../domain/review-state.ts'
import { decodeCursor, page } from '../lib/pagination.ts'

/**
 * Reading reviews: a reviewer's workbench list, one review with what grading
 * needs, a call's progress, and the view of a review. Nothing here writes;
 * drafts, submission, recusal and reassignment are in reviews.ts, which
 * re-exports these for its callers.
 */

export type ReviewRow = typeof reviews.$inferSelect

export function reviewView (r: ReviewRow) {
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

export async function listMyReviews (db: Db, reviewerId: string, q: { limit: number, cursor?: string, state?: string }) {
  const after = decodeCursor<{ t: string, id: string }>(q.cursor, ['t', 'id'])
  // A replaced reviewer no longer sees the review (as GET /v1/reviews/:id).
  const where: SQL[] = [ownReviewsSql(reviewerId), ne(reviews.state, 'reassigned')]
  if (q.state != null) where.push(eq(reviews.state, q.state as ReviewRow['state']))
  if (after != null) where.push(sql`(${reviews.assignedAt}, ${reviews.id}) > (${after.t}::timestamptz, ${after.id}::uuid)`)
  // One query for the page: what a workbench lists (firm, program, call, due date) joined in.
  const rows = await db.select({
    r: reviews, firmName: enterprises.name, program: calls.programCode, callId: calls.id, callTitle: calls.title,
    dueAt: calls.reviewDueAt
  })
    .from(reviews).innerJoin(applications, eq(applications.id, reviews.applicationId))
    .innerJoin(calls, eq(calls.id, applications.callId)).innerJoin(enterprises, eq(enterprises.id, applications.enterpriseId))
    .where(and(...where)).orderBy(asc(reviews.assignedAt), asc(reviews.id)).limit(q.limit + 1)
  const p = page(rows, q.limit, x => ({ t: x.r.assignedAt.toISOString(), id: x.r.id }))
  return {
    items: p.items.map(x => ({
      ...reviewView(x.r), firmName: x.firmName, program: x.program, callId: x.callId, callTitle: x.callTitle,
      dueAt: x.dueAt?.toISOString() ?? null
    })),
    nextCursor: p.nextCursor
  }
}

/** The review if `user` may see it (reviewVisibility), else 404. */
export async function findVisibleReview (db: Db, user: Principal, id: string, lock = false): Promise<ReviewRow> {
  const query = db.select().from(reviews).where(and(eq(reviews.id, id), reviewVisibility(user)))
  const [row] = lock ? await query.for('update') : await query
  if (row == null) throw errors.notFound()
  return row
}

/**
 * One review with what grading needs: the application's frozen figures and
 * auto scores, the rubric id; the other reviewers' scores of the same round
 * only once this reviewer has submitted (officers always see them).
 */
export async function getReview (db: Db, user: Principal, id: string) {
  const r = await findVisibleReview(db, user, id)
  const [row] = await db.select({
    a: applications, rubricId: calls.rubricId, program: calls.programCode, firmName: enterprises.name,
    firmUscc: enterprises.uscc
  })
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
// Progress.

/** Per call: applications by state; reviews done / assigned per application and per reviewer (current rounds). */
export async function callProgress (db: Db, callId: string, now = new Date()) {
  const [call] = await db.select({ id: calls.id, perApplication: calls.reviewersPerApplication, reviewDueAt: calls.reviewDueAt }).from(calls)
    .where(eq(calls.id, callId))
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
  const perApplication = new Map<string, {
    applicationId: string, firm: string, state: string, assigned: number, submitted: number, recused: number,
    reviews: ProgressReview[]
  }>()
  const perReviewer = new Map<string, {
    reviewerId: string, name: string, assigned: number, submitted: number, overdue: number,
    overdueReviews: Array<{ reviewId: string, applicationId: string, firm: string }>
  }>()
  // Overdue: still open on an application under review after the call's review due date.
  const pastDue = call.reviewDueAt != null && call.reviewDueAt.getTime() <= now.getTime()
  for (const r of rows) {
    const entry = perApplication.get(r.applicationId) ?? {
      applicationId: r.applicationId, firm: r.firm, state: r.state, assigned: 0, submitted: 0,
      recused: 0, reviews: []
    }
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
