import type { FastifyInstance } from 'fastify'
import { eq } from 'drizzle-orm'
import { publicNotices } from '../db/schema/index.ts'
import { declare, openCall } from './application-fixtures.ts'
import { auth, createStaff, registerFirm, type Firm } from './helper.ts'

/**
 * A firm admitted through the API as people do it (declare, apply, submit,
 * one reviewer grades, an officer admits): its admission is under public
 * notice. Returns the firm, the officer, the reviewer and the notice id.
 */
export async function admittedFirm (app: FastifyInstance, overrides: Record<string, unknown> = {}) {
  const officer = await createStaff(app, 'officer')
  const reviewer = await createStaff(app, 'reviewer')
  const firm: Firm = await registerFirm(app, { domains: ['ai'], ...overrides })
  await declare(app, firm, 2025, { operatingRevenue: '150000000.00', rdExpense: '9000000.00' })
  const call = await openCall(app, officer.token, { reviewersPerApplication: 1 })
  const created = await app.inject({ method: 'POST', url: '/v1/applications', headers: auth(firm.token), payload: { callId: call.id } })
  if (created.statusCode !== 201) throw new Error(`apply: ${created.statusCode} ${created.body}`)
  const applicationId: string = created.json().id
  const submitted = await app.inject({ method: 'POST', url: `/v1/applications/${applicationId}/submit`, headers: auth(firm.token) })
  if (submitted.statusCode !== 200) throw new Error(`submit: ${submitted.statusCode} ${submitted.body}`)
  const assigned = await app.inject({ method: 'POST', url: `/v1/applications/${applicationId}/assignments`, headers: auth(officer.token), payload: { reviewerIds: [reviewer.id] } })
  if (assigned.statusCode >= 300) throw new Error(`assign: ${assigned.statusCode} ${assigned.body}`)
  const list = await app.inject({ url: '/v1/reviews?limit=500', headers: auth(reviewer.token) })
  const review = list.json().items.find((r: any) => r.applicationId === applicationId)
  const saved = await app.inject({ method: 'PUT', url: `/v1/reviews/${review.id}`, headers: { ...auth(reviewer.token), 'if-match': String(review.version) }, payload: { scores: { ip_relevance: 10, strategic_industry: 10 }, comment: '意见' } })
  if (saved.statusCode !== 200) throw new Error(`save review: ${saved.statusCode} ${saved.body}`)
  const sent = await app.inject({ method: 'POST', url: `/v1/reviews/${review.id}/submit`, headers: auth(reviewer.token) })
  if (sent.statusCode !== 200) throw new Error(`submit review: ${sent.statusCode} ${sent.body}`)
  const admit = await app.inject({ method: 'POST', url: `/v1/applications/${applicationId}/decision`, headers: auth(officer.token), payload: { decision: 'admit', reason: '符合条件' } })
  if (admit.statusCode !== 200) throw new Error(`admit: ${admit.statusCode} ${admit.body}`)
  const [notice] = await app.db.select().from(publicNotices).where(eq(publicNotices.applicationId, applicationId))
  return { firm, officer, reviewer, applicationId, noticeId: notice.id }
}
