import { eq } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import { applications, calls } from '../../db/schema/index.ts'
import { districtReviewErrors, transition, type ApplicationState } from '../domain/application-state.ts'
import { recordAudit, type AuditContext } from '../lib/audit.ts'
import type { Principal } from '../plugins/auth.ts'
import { applicationDetail, findVisibleApplication } from './applications.ts'
import { firmUserIds, notify } from './notifications.ts'

/**
 * The district's pre-screen (区县推荐/初审) of a submitted application, for
 * calls that ask for it: the district officer of the firm's district
 * recommends it to the city (district_reviewed) or not (rejected at district
 * level: a decision the firm may appeal like any rejection). Other districts'
 * applications are 404 (findVisibleApplication's rule).
 */
export async function districtReview (db: Db, user: Principal, id: string, input: { recommend: boolean, opinion: string }, ctx: AuditContext, now = new Date()) {
  return await db.transaction(async (t) => {
    const tx = t as unknown as Db
    const { application: a, program } = await findVisibleApplication(tx, user, id, { lock: true })
    const [call] = await tx.select({ districtReview: calls.districtReview }).from(calls).where(eq(calls.id, a.callId))
    if (!call.districtReview) throw districtReviewErrors.notRequired()
    const next = transition(a.state as ApplicationState, input.recommend ? 'district_recommend' : 'district_reject')
    const opinion = input.opinion.trim()
    const [after] = await tx.update(applications).set({
      state: next,
      version: a.version + 1,
      districtRecommend: input.recommend,
      districtOpinion: opinion,
      districtReviewedBy: user.id,
      districtReviewedAt: now,
      // Not recommended ends the application at district level: a rejection, appealable like the city's.
      ...(input.recommend ? {} : { decision: 'reject', decisionReason: opinion, decidedAt: now, decidedBy: user.id }),
      updatedAt: now
    }).where(eq(applications.id, id)).returning()
    await recordAudit(tx, ctx, {
      action: input.recommend ? 'application.district_recommend' : 'application.district_reject',
      objectType: 'application',
      objectId: id,
      before: { state: a.state, version: a.version },
      after: { state: after.state, version: after.version, districtRecommend: input.recommend, districtOpinion: opinion }
    })
    if (!input.recommend) {
      await notify(tx, await firmUserIds(tx, a.enterpriseId), 'decision_made', { applicationId: id, callId: a.callId, decision: 'reject', level: 'district' })
    }
    return applicationDetail(after, program, user)
  })
}
