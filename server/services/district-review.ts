import { and, asc, eq, sql, type SQL } from 'drizzle-orm'
import { type Db, type Tx, inTransaction } from '../../db/client.ts'
import { applications, calls, enterprises } from '../../db/schema/index.ts'
import { applicationVisibility, type Principal } from '../domain/access.ts'
import { transition, type ApplicationState } from '../domain/application-state.ts'
import { errors } from '../domain/errors.ts'
import { recordAudit, type AuditContext } from '../lib/audit.ts'
import { decodeCursor, page } from '../lib/pagination.ts'
import { applicationDetail, applicationView, findVisibleApplication } from './applications.ts'
import { firmUserIds, notify } from './notifications.ts'

/**
 * The district's pre-screen (区县预审推荐) of submitted applications, for
 * calls that ask for it (`districtReview`). The district officer of the
 * firm's district recommends an application to the city (`district_reviewed`:
 * the city then assigns reviewers) or not (`rejected` at district level, a
 * decision the firm may appeal like any rejection; the appeal goes to the
 * city's review). Another district's application is 404, like a missing one
 * (applicationVisibility in server/domain/access.ts).
 */

export interface DistrictReviewInput { recommend: boolean, opinion: string }

export async function districtReview (db: Db, user: Principal, id: string, input: DistrictReviewInput, ctx: AuditContext, now = new Date()) {
  return await inTransaction(db, async (tx) => await districtReviewIn(tx, user, id, input, ctx, now))
}

async function districtReviewIn (tx: Tx, user: Principal, id: string, input: DistrictReviewInput, ctx: AuditContext, now: Date) {
  if (user.role !== 'district_officer') throw errors.notFound()
  const { application: a, program } = await findVisibleApplication(tx, user, id, { lock: true })
  const [call] = await tx.select({ districtReview: calls.districtReview }).from(calls).where(eq(calls.id, a.callId))
  if (call == null || !call.districtReview) throw errors.districtReviewNotRequired()
  const next = transition(a.state as ApplicationState, input.recommend ? 'district_recommend' : 'district_reject')
  const opinion = input.opinion.trim()
  if (opinion === '') throw errors.validation([{ field: 'body.opinion', message: 'must not be blank' }])
  const [after] = await tx.update(applications).set({
    state: next,
    version: a.version + 1,
    districtRecommend: input.recommend,
    districtOpinion: opinion,
    districtReviewedBy: user.id,
    districtReviewedAt: now,
    // Not recommended ends the application at district level: a rejection the firm may appeal like the city's.
    ...(input.recommend ? {} : { decision: 'reject', decisionReason: opinion, decidedAt: now, decidedBy: user.id }),
    updatedAt: now
  }).where(eq(applications.id, id)).returning()
  await recordAudit(tx, ctx, {
    action: input.recommend ? 'application.district_recommend' : 'application.district_reject',
    objectType: 'application',
    objectId: id,
    before: { state: a.state, version: a.version, districtRecommend: a.districtRecommend, districtOpinion: a.districtOpinion },
    after: { state: after.state, version: after.version, districtRecommend: input.recommend, districtOpinion: opinion }
  })
  if (!input.recommend) {
    await notify(tx, await firmUserIds(tx, a.enterpriseId), 'decision_made', { applicationId: id, callId: a.callId, decision: 'reject', level: 'district' })
  }
  return applicationDetail(after, program, user)
}

export interface QueueQuery { limit: number, cursor?: string, callId?: string, all?: boolean }

/**
 * The district officer's queue: the applications of its district's firms to
 * calls with a district pre-screen, waiting for it (state submitted), oldest
 * submission first; `all` adds the ones it has pre-screened already. Items
 * carry the firm's name and credit code and the call's title.
 */
export async function districtQueue (db: Db, user: Principal, q: QueueQuery) {
  const after = decodeCursor<{ s: string, id: string }>(q.cursor, ['s', 'id'])
  const where: Array<SQL | undefined> = [applicationVisibility(user), eq(calls.districtReview, true)]
  where.push(q.all === true ? sql`${applications.state} <> 'draft'` : eq(applications.state, 'submitted'))
  if (q.callId != null) where.push(eq(applications.callId, q.callId))
  if (after != null) where.push(sql`(${applications.submittedAt}, ${applications.id}) > (${after.s}::timestamptz, ${after.id}::uuid)`)
  const rows = await db.select({
    application: applications, program: calls.programCode, callTitle: calls.title, firmName: enterprises.name, uscc: enterprises.uscc,
    district: enterprises.districtCode
  })
    .from(applications).innerJoin(calls, eq(calls.id, applications.callId)).innerJoin(enterprises, eq(enterprises.id, applications.enterpriseId))
    .where(and(...where))
    .orderBy(asc(applications.submittedAt), asc(applications.id)).limit(q.limit + 1)
  const p = page(rows, q.limit, r => ({ s: (r.application.submittedAt ?? r.application.createdAt).toISOString(), id: r.application.id }))
  return {
    items: p.items.map(r => ({
      ...applicationView(r.application, r.program, user),
      firmName: r.firmName, uscc: r.uscc, district: r.district, callTitle: r.callTitle
    })),
    nextCursor: p.nextCursor
  }
}
