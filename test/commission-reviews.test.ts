import t from 'tap'
import { and, eq } from 'drizzle-orm'
import { applications, auditLog, notifications, reviews } from '../db/schema/index.ts'
import { adminToken, auth, buildTestApp, createStaff, registerFirm } from './helper.ts'
import { declare, noLoadShedding, openCall } from './application-fixtures.ts'

// A reviewer who never submits is replaced; a recusal is replaced the same
// way; reviewers' domains feed the assignment.

t.setTimeout(600_000)

t.test('reassign, recusal and expertise', async (t) => {
  const app = await buildTestApp(t, noLoadShedding)
  const admin = await adminToken(app)
  const officer = await createStaff(app, 'officer')
  const reviewers = [await createStaff(app, 'reviewer'), await createStaff(app, 'reviewer'), await createStaff(app, 'reviewer'), await createStaff(app, 'reviewer')]
  const byId = new Map(reviewers.map(r => [r.id, r]))

  // Domains: the admin sets them; a reviewer sets their own; unknown codes are refused.
  const set = await app.inject({ method: 'PATCH', url: `/v1/users/${reviewers[0].id}`, headers: auth(admin), payload: { domains: ['iot'] } })
  t.equal(set.statusCode, 200, set.body)
  t.same(set.json().domains, ['iot'])
  const mine = await app.inject({ method: 'PATCH', url: '/v1/me', headers: auth(reviewers[1].token), payload: { domains: ['iot', 'ai'] } })
  t.equal(mine.statusCode, 200, mine.body)
  t.same(mine.json().domains, ['ai', 'iot'])
  const unknown = await app.inject({ method: 'PATCH', url: '/v1/me', headers: auth(reviewers[2].token), payload: { domains: ['astrology'] } })
  t.equal(unknown.statusCode, 400)
  t.equal(unknown.json().code, 'UNKNOWN_REFERENCE')
  t.equal((await app.inject({ method: 'PATCH', url: '/v1/me', headers: auth(officer.token), payload: { domains: ['ai'] } })).statusCode, 403)
  const notReviewer = await app.inject({ method: 'PATCH', url: `/v1/users/${officer.id}`, headers: auth(admin), payload: { domains: ['ai'] } })
  t.equal(notReviewer.statusCode, 400, 'only reviewers have domains')

  const firm = await registerFirm(app, { domains: ['iot'] })
  await declare(app, firm, 2025, { operatingRevenue: '50000000.00', rdExpense: '2500000.00' })
  const call = await openCall(app, officer.token, { reviewersPerApplication: 2 })
  const created = await app.inject({ method: 'POST', url: '/v1/applications', headers: auth(firm.token), payload: { callId: call.id } })
  const appId = created.json().id
  t.equal((await app.inject({ method: 'POST', url: `/v1/applications/${appId}/submit`, headers: auth(firm.token) })).statusCode, 200)

  const plan = await app.inject({ method: 'POST', url: `/v1/calls/${call.id}/assign`, headers: auth(officer.token) })
  t.equal(plan.statusCode, 200, plan.body)
  t.same(plan.json().assigned.map((a: any) => a.reviewerId).sort(), [reviewers[0].id, reviewers[1].id].sort(), 'the two iot experts')
  t.equal(plan.json().matched, 2)

  // Reviewer 0 submits; reviewer 1 never does and is replaced.
  const reviewOf = (reviewerId: string) => plan.json().assigned.find((a: any) => a.reviewerId === reviewerId).reviewId
  const r0 = reviewOf(reviewers[0].id)
  const r1 = reviewOf(reviewers[1].id)
  const rubricScores = { ip_relevance: 8, strategic_industry: 10 }
  const saved = await app.inject({ method: 'PUT', url: `/v1/reviews/${r0}`, headers: { ...auth(reviewers[0].token), 'if-match': '1' }, payload: { scores: rubricScores } })
  t.equal(saved.statusCode, 200, saved.body)
  t.equal((await app.inject({ method: 'POST', url: `/v1/reviews/${r0}/submit`, headers: auth(reviewers[0].token) })).statusCode, 200)
  // The late reviewer saved a draft with extreme scores: they must never count.
  await app.inject({ method: 'PUT', url: `/v1/reviews/${r1}`, headers: { ...auth(reviewers[1].token), 'if-match': '1' }, payload: { scores: { ip_relevance: 0, strategic_industry: 0 } } })

  const noReason = await app.inject({ method: 'POST', url: `/v1/reviews/${r1}/reassign`, headers: auth(officer.token), payload: {} })
  t.equal(noReason.statusCode, 400)
  const done = await app.inject({ method: 'POST', url: `/v1/reviews/${r0}/reassign`, headers: auth(officer.token), payload: { reason: '迟迟未提交' } })
  t.equal(done.statusCode, 409, 'a submitted review cannot be reassigned')
  t.equal(done.json().code, 'INVALID_STATE')
  const reassigned = await app.inject({ method: 'POST', url: `/v1/reviews/${r1}/reassign`, headers: auth(officer.token), payload: { reason: '迟迟未提交' } })
  t.equal(reassigned.statusCode, 201, reassigned.body)
  const replacement = reassigned.json()
  t.equal(replacement.applicationId, appId)
  t.notOk([reviewers[0].id, reviewers[1].id].includes(replacement.reviewerId), 'someone not already on the round')
  t.equal(replacement.state, 'assigned')
  const [old] = await app.db.select().from(reviews).where(eq(reviews.id, r1))
  t.same([old.state, old.reassignReason, old.replacedBy], ['reassigned', '迟迟未提交', replacement.id])
  const audit = await app.db.select().from(auditLog).where(and(eq(auditLog.action, 'review.reassign'), eq(auditLog.objectId, r1)))
  t.equal(audit.length, 1, 'audited')
  const told = await app.db.select().from(notifications).where(and(eq(notifications.userId, reviewers[1].id), eq(notifications.kind, 'review_reassigned')))
  t.equal(told.length, 1, 'the replaced reviewer is told')
  t.equal((await app.inject({ url: `/v1/applications/${appId}`, headers: auth(reviewers[1].token) })).statusCode, 404, 'the replaced reviewer no longer sees the application')
  t.equal((await app.inject({ url: `/v1/reviews/${r1}`, headers: auth(reviewers[1].token) })).statusCode, 404)
  t.equal((await app.inject({ method: 'PUT', url: `/v1/reviews/${r1}`, headers: { ...auth(reviewers[1].token), 'if-match': '3' }, payload: { scores: {} } })).statusCode, 404)

  // The replacement recuses: officers are told and the last reviewer takes the slot.
  const third = byId.get(replacement.reviewerId)!
  const recused = await app.inject({ method: 'POST', url: `/v1/reviews/${replacement.id}/recuse`, headers: auth(third.token), payload: { reason: '曾为该企业提供咨询' } })
  t.equal(recused.statusCode, 200, recused.body)
  t.equal(recused.json().state, 'recused')
  const [recusedRow] = await app.db.select().from(reviews).where(eq(reviews.id, replacement.id))
  t.ok(recusedRow.replacedBy != null, 'replaced at once')
  const [fourthReview] = await app.db.select().from(reviews).where(eq(reviews.id, recusedRow.replacedBy!))
  const fourth = byId.get(fourthReview.reviewerId)!
  t.notOk([reviewers[0].id, reviewers[1].id, third.id].includes(fourth.id))
  const officerNote = await app.db.select().from(notifications).where(and(eq(notifications.userId, officer.id), eq(notifications.kind, 'review_recused')))
  t.equal(officerNote.length, 1)
  t.equal(officerNote[0].payload.replacementReviewId, fourthReview.id)

  // Nobody left: reassigning the fourth is refused and nothing changes.
  const none = await app.inject({ method: 'POST', url: `/v1/reviews/${fourthReview.id}/reassign`, headers: auth(officer.token), payload: { reason: '测试' } })
  t.equal(none.statusCode, 409)
  t.equal(none.json().code, 'NO_REVIEWER_AVAILABLE')
  const [still] = await app.db.select().from(reviews).where(eq(reviews.id, fourthReview.id))
  t.equal(still.state, 'assigned', 'rolled back')

  // The fourth submits: the application is scored from reviewer 0 and the replacement only.
  t.equal((await app.inject({ method: 'PUT', url: `/v1/reviews/${fourthReview.id}`, headers: { ...auth(fourth.token), 'if-match': '1' }, payload: { scores: { ip_relevance: 6, strategic_industry: 8 } } })).statusCode, 200)
  t.equal((await app.inject({ method: 'POST', url: `/v1/reviews/${fourthReview.id}/submit`, headers: auth(fourth.token) })).statusCode, 200)
  const [scored] = await app.db.select().from(applications).where(eq(applications.id, appId))
  t.equal(scored.state, 'scored')
  const score = scored.score as any
  t.equal(score.reviewers, 2)
  t.same(score.indicators.filter((i: any) => i.kind === 'judged').map((j: any) => [j.key, j.points]).sort(), [['ip_relevance', '7.00'], ['strategic_industry', '9.00']],
    'means of 8/6 and 10/8; the reassigned draft (0, 0) is left out')
})
