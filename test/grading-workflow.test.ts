import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { eq, sql } from 'drizzle-orm'
import { applications, notifications, poolMemberships, publicNotices, reviews } from '../db/schema/index.ts'
import { queryRows } from '../db/client.ts'
import { notifyClosingCalls } from '../server/services/notifications.ts'
import { activateExpiredNotices } from '../server/services/notices.ts'
import { adminToken, auth, buildTestApp, createStaff, registerFirm, type Firm, testConfig } from './helper.ts'

// These tests are about grading, not overload protection: on a busy machine the
// event-loop check would shed their requests (the security tests cover it).
const calm = () => ({ overload: { ...testConfig().overload, maxEventLoopDelayMs: 0, dbHealthIntervalMs: 0 } })

const HOUR = 3600_000

async function openCall (app: FastifyInstance, officer: string, overrides: Record<string, unknown> = {}) {
  const res = await app.inject({
    method: 'POST', url: '/v1/calls', headers: auth(officer),
    payload: {
      program: 'innovative_growth', year: 2025, title: '2025 创新型企业成长计划',
      opensAt: new Date(Date.now() - HOUR).toISOString(), closesAt: new Date(Date.now() + 10 * 24 * HOUR).toISOString(),
      reviewersPerApplication: 2, ...overrides
    }
  })
  if (res.statusCode !== 201) throw new Error(`call: ${res.statusCode} ${res.body}`)
  return res.json()
}

async function declare (app: FastifyInstance, firm: Firm, year: number, figures: Record<string, unknown>) {
  const res = await app.inject({
    method: 'PUT', url: `/v1/enterprises/${firm.enterpriseId}/declarations/${year}`, headers: auth(firm.token),
    payload: { softwareRevenue: '0.00', exportRevenue: '0.00', employees: 100, rdStaff: 30, patents: 0, softwareCopyrights: 0, ...figures }
  })
  if (res.statusCode !== 201 && res.statusCode !== 200) throw new Error(`declare: ${res.statusCode} ${res.body}`)
}

async function applyAndSubmit (app: FastifyInstance, firm: Firm, callId: string): Promise<string> {
  const created = await app.inject({ method: 'POST', url: '/v1/applications', headers: auth(firm.token), payload: { callId } })
  if (created.statusCode !== 201) throw new Error(`apply: ${created.statusCode} ${created.body}`)
  const id = created.json().id
  const submitted = await app.inject({ method: 'POST', url: `/v1/applications/${id}/submit`, headers: auth(firm.token) })
  if (submitted.statusCode !== 200 || submitted.json().state !== 'submitted') throw new Error(`submit: ${submitted.statusCode} ${submitted.body}`)
  return id
}

/** The reviewer's open review of an application. */
async function reviewOf (app: FastifyInstance, token: string, applicationId: string): Promise<any> {
  const list = await app.inject({ url: '/v1/reviews?limit=500', headers: auth(token) })
  return list.json().items.find((r: any) => r.applicationId === applicationId && (r.state === 'assigned' || r.state === 'draft'))
}

async function grade (app: FastifyInstance, token: string, applicationId: string, scores: Record<string, number>) {
  const r = await reviewOf(app, token, applicationId)
  const saved = await app.inject({ method: 'PUT', url: `/v1/reviews/${r.id}`, headers: { ...auth(token), 'if-match': String(r.version) }, payload: { scores, comment: '意见' } })
  if (saved.statusCode !== 200) throw new Error(`save: ${saved.statusCode} ${saved.body}`)
  const submitted = await app.inject({ method: 'POST', url: `/v1/reviews/${r.id}/submit`, headers: auth(token) })
  if (submitted.statusCode !== 200) throw new Error(`submit review: ${submitted.statusCode} ${submitted.body}`)
  return r.id as string
}

t.test('the commission grades a call end to end', async (t) => {
  const app = await buildTestApp(t, calm())
  const admin = await adminToken(app)
  const officer = await createStaff(app, 'officer')
  const reviewers = [await createStaff(app, 'reviewer'), await createStaff(app, 'reviewer'), await createStaff(app, 'reviewer'), await createStaff(app, 'reviewer')]
  const [r1] = reviewers
  const byId = new Map(reviewers.map(r => [r.id, r]))
  const firmA = await registerFirm(app, { domains: ['ai'] })
  const firmB = await registerFirm(app, { domains: ['ai'] })
  const firmC = await registerFirm(app, { domains: ['ai'] })

  // Figures chosen so every auto indicator lands on a known band (default innovative_growth rubric).
  // A: ip 10 → 10; R&D 5% → 20; growth 25% → 20; debt 50% → 10; main business 70% → 20: auto 80
  await declare(app, firmA, 2024, { operatingRevenue: '80000000.00', rdExpense: '4000000.00' })
  await declare(app, firmA, 2025, { operatingRevenue: '100000000.00', rdExpense: '5000000.00', mainBusinessRevenue: '70000000.00', totalAssets: '100000000.00', totalLiabilities: '50000000.00', patents: 6, softwareCopyrights: 4 })
  // B: ip 3 → 5; R&D 3.2% → 15; growth 6.38% → 10; debt 70% → 5; main business 60% → 15: auto 50
  await declare(app, firmB, 2024, { operatingRevenue: '47000000.00', rdExpense: '1500000.00' })
  await declare(app, firmB, 2025, { operatingRevenue: '50000000.00', rdExpense: '1600000.00', mainBusinessRevenue: '30000000.00', totalAssets: '40000000.00', totalLiabilities: '28000000.00', patents: 2, softwareCopyrights: 1 })
  // C: R&D 4% → 15; no previous year, no main business, no balance sheet, no IP: auto 15
  await declare(app, firmC, 2025, { operatingRevenue: '30000000.00', rdExpense: '1200000.00' })

  // Reviewer 1 declares a conflict with firm B before anything is assigned.
  const declared = await app.inject({ method: 'POST', url: '/v1/me/conflicts', headers: auth(r1.token), payload: { uscc: firmB.uscc, reason: '曾任该公司顾问' } })
  t.equal(declared.statusCode, 201)

  const call = await openCall(app, officer.token)
  const appA = await applyAndSubmit(app, firmA, call.id)
  const appB = await applyAndSubmit(app, firmB, call.id)
  const appC = await applyAndSubmit(app, firmC, call.id)

  // Manual assignment of the conflicted reviewer is refused.
  const refused = await app.inject({ method: 'POST', url: `/v1/applications/${appB}/assignments`, headers: auth(officer.token), payload: { reviewerIds: [r1.id] } })
  t.equal(refused.statusCode, 409)
  t.equal(refused.json().code, 'CONFLICT_OF_INTEREST')

  // Automatic assignment: two each, balanced, never reviewer 1 on B.
  const assigned = await app.inject({ method: 'POST', url: `/v1/calls/${call.id}/assign`, headers: auth(officer.token) })
  t.equal(assigned.statusCode, 200, assigned.body)
  const plan = assigned.json()
  t.same(plan.short, [])
  t.equal(plan.assigned.length, 6)
  for (const a of [appA, appB, appC]) t.equal(plan.assigned.filter((x: any) => x.applicationId === a).length, 2, 'two reviewers each')
  t.notOk(plan.assigned.some((x: any) => x.applicationId === appB && x.reviewerId === r1.id), 'no conflicted reviewer')
  const loads = reviewers.map(r => plan.assigned.filter((x: any) => x.reviewerId === r.id).length)
  t.ok(Math.max(...loads) - Math.min(...loads) <= 1, `balanced: ${loads}`)
  const again = await app.inject({ method: 'POST', url: `/v1/calls/${call.id}/assign`, headers: auth(officer.token) })
  t.same(again.json(), { assigned: [], short: [], matched: 0 }, 'assigning again adds nobody')
  const stateOf = async (id: string) => (await app.db.select({ s: applications.state }).from(applications).where(eq(applications.id, id)))[0].s
  t.equal(await stateOf(appA), 'under_review')

  // The conflicted reviewer never sees B; an assigned one sees its firm, others' scores only after submitting.
  const r1List = await app.inject({ url: '/v1/reviews', headers: auth(r1.token) })
  t.notOk(r1List.json().items.some((r: any) => r.applicationId === appB))
  t.equal((await app.inject({ url: `/v1/enterprises/${firmB.enterpriseId}`, headers: auth(r1.token) })).statusCode, 404)
  const reviewersOf = (a: string) => plan.assigned.filter((x: any) => x.applicationId === a).map((x: any) => byId.get(x.reviewerId)!)
  const [a1, a2] = reviewersOf(appA)
  t.equal((await app.inject({ url: `/v1/enterprises/${firmA.enterpriseId}`, headers: auth(a1.token) })).statusCode, 200)
  const notMine = reviewers.find(r => !reviewersOf(appA).includes(r))!
  t.equal((await app.inject({ url: `/v1/enterprises/${firmA.enterpriseId}`, headers: auth(notMine.token) })).statusCode, 404)
  t.equal((await app.inject({ url: `/v1/applications/${appA}`, headers: auth(a1.token) })).statusCode, 200, 'an assigned reviewer reads the application')
  t.equal((await app.inject({ url: `/v1/applications/${appB}`, headers: auth(r1.token) })).statusCode, 404, 'the conflicted reviewer does not')
  const r1Apps = await app.inject({ url: '/v1/applications', headers: auth(r1.token) })
  t.notOk(r1Apps.json().items.some((a: any) => a.id === appB), 'nor lists it')
  const a1Review = await reviewOf(app, a1.token, appA)
  t.equal((await app.inject({ url: `/v1/reviews/${a1Review.id}`, headers: auth(notMine.token) })).statusCode, 404, 'another reviewer\'s review is hidden')
  const detail = await app.inject({ url: `/v1/reviews/${a1Review.id}`, headers: auth(a1.token) })
  t.equal(detail.statusCode, 200)
  t.equal(detail.headers.etag, `"${a1Review.version}"`)
  t.equal(detail.json().application.declaration.operatingRevenue, '100000000.00', 'the frozen figures')
  t.equal(detail.json().application.autoScores.total, '80.00')
  t.equal(detail.json().otherReviews, null)

  // Scores out of range or incomplete are refused.
  const tooHigh = await app.inject({ method: 'PUT', url: `/v1/reviews/${a1Review.id}`, headers: { ...auth(a1.token), 'if-match': '1' }, payload: { scores: { ip_relevance: 11 } } })
  t.equal(tooHigh.statusCode, 400)
  t.same(tooHigh.json().fields, [{ field: 'body.scores.ip_relevance', message: 'must be between 0 and 10' }])
  const autoKey = await app.inject({ method: 'PUT', url: `/v1/reviews/${a1Review.id}`, headers: { ...auth(a1.token), 'if-match': '1' }, payload: { scores: { rd_intensity: 5 } } })
  t.equal(autoKey.json().fields[0].message, 'is not a judged indicator of this rubric')
  const noIfMatch = await app.inject({ method: 'PUT', url: `/v1/reviews/${a1Review.id}`, headers: auth(a1.token), payload: { scores: {} } })
  t.equal(noIfMatch.statusCode, 428)
  // A tag that is not a version can match none: 412, as on every route (RFC 9110).
  for (const tag of ['latest', 'W/"x"', '1.5', 'x'.repeat(100)]) {
    const malformed = await app.inject({ method: 'PUT', url: `/v1/reviews/${a1Review.id}`, headers: { ...auth(a1.token), 'if-match': tag }, payload: { scores: {} } })
    t.equal(malformed.statusCode, 412, `If-Match ${tag}: 412`)
    t.equal(malformed.json().code, 'VERSION_MISMATCH')
  }
  const partial = await app.inject({ method: 'PUT', url: `/v1/reviews/${a1Review.id}`, headers: { ...auth(a1.token), 'if-match': '1' }, payload: { scores: { ip_relevance: 8 } } })
  t.equal(partial.statusCode, 200)
  const early = await app.inject({ method: 'POST', url: `/v1/reviews/${a1Review.id}/submit`, headers: auth(a1.token) })
  t.equal(early.statusCode, 400)
  t.same(early.json().fields, [{ field: 'body.scores.strategic_industry', message: 'is not scored yet' }])

  // Reviewers grade. A: (8,10) and (9,9); B: (2,3) and (3,2); C: (7,7) and (7,8).
  await grade(app, a1.token, appA, { ip_relevance: 8, strategic_industry: 10 })
  const a1Done = await app.inject({ url: `/v1/reviews/${a1Review.id}`, headers: auth(a1.token) })
  t.same(a1Done.json().otherReviews, [], 'submitted: sees the others\' submitted reviews (none yet)')
  await grade(app, a2.token, appA, { ip_relevance: 9, strategic_industry: 9 })
  t.equal((await app.inject({ url: `/v1/reviews/${a1Review.id}`, headers: auth(a1.token) })).json().otherReviews.length, 1)
  const [b1, b2] = reviewersOf(appB)
  await grade(app, b1.token, appB, { ip_relevance: 2, strategic_industry: 3 })
  await grade(app, b2.token, appB, { ip_relevance: 3, strategic_industry: 2 })
  const [c1, c2] = reviewersOf(appC)
  await grade(app, c1.token, appC, { ip_relevance: 7, strategic_industry: 7 })
  t.equal(await stateOf(appC), 'under_review', 'not scored before the last review')
  await grade(app, c2.token, appC, { ip_relevance: 7, strategic_industry: 8 })

  // Totals by hand: A 80 + 8.5 + 9.5 = 98.00 (A); B 50 + 2.5 + 2.5 = 55.00 (D, fails); C 15 + 7 + 7.5 = 29.50 (D).
  const scoreOf = async (id: string) => (await app.db.select({ s: applications.score, state: applications.state }).from(applications)
    .where(eq(applications.id, id)))[0]
  const sA = await scoreOf(appA)
  t.equal(sA.state, 'scored')
  t.match(sA.s, { auto: '80.00', judged: '18.00', total: '98.00', pass: true, grade: 'A', disagreement: false, reviewers: 2 })
  t.match((await scoreOf(appB)).s, { auto: '50.00', judged: '5.00', total: '55.00', pass: false, grade: 'D' })
  t.match((await scoreOf(appC)).s, { auto: '15.00', judged: '14.50', total: '29.50', pass: false, grade: 'D' })

  const progress = await app.inject({ url: `/v1/calls/${call.id}/progress`, headers: auth(officer.token) })
  t.equal(progress.statusCode, 200)
  t.same(progress.json().applicationsByState, { scored: 3 })
  t.same(progress.json().applications.map((a: any) => [a.assigned, a.submitted]), [[2, 2], [2, 2], [2, 2]])
  t.equal(progress.json().reviewers.reduce((s: number, r: any) => s + r.submitted, 0), 6)
  t.equal((await app.inject({ url: `/v1/calls/${call.id}/progress`, headers: auth(r1.token) })).statusCode, 403)

  // Decisions: admit A, reject B, return C. Rejecting a passing or admitting a failing one needs a reason.
  const noReason = await app.inject({ method: 'POST', url: `/v1/applications/${appC}/decision`, headers: auth(officer.token), payload: { decision: 'admit' } })
  t.equal(noReason.statusCode, 400)
  t.equal(noReason.json().fields[0].field, 'body.reason')
  const admitA = await app.inject({ method: 'POST', url: `/v1/applications/${appA}/decision`, headers: auth(officer.token), payload: { decision: 'admit' } })
  t.equal(admitA.statusCode, 200, admitA.body)
  t.match(admitA.json(), { state: 'admitted', decision: 'admit', decisionOverride: false })
  const rejectB = await app.inject({ method: 'POST', url: `/v1/applications/${appB}/decision`, headers: auth(officer.token), payload: { decision: 'reject', reason: '未达及格线' } })
  t.match(rejectB.json(), { state: 'rejected', decision: 'reject', decisionOverride: false })
  const returnC = await app.inject({ method: 'POST', url: `/v1/applications/${appC}/return`, headers: auth(officer.token), payload: { reason: '请补充知识产权证明材料' } })
  t.match(returnC.json(), { state: 'returned', returnReason: '请补充知识产权证明材料' })
  const twice = await app.inject({ method: 'POST', url: `/v1/applications/${appA}/decision`, headers: auth(officer.token), payload: { decision: 'reject', reason: 'x' } })
  t.equal(twice.statusCode, 409)
  t.equal(twice.json().code, 'INVALID_STATE')
  const firmCView = await app.inject({ url: `/v1/applications/${appC}`, headers: auth(firmC.token) })
  t.equal(firmCView.json().returnReason, '请补充知识产权证明材料', 'the firm sees the reason')

  // Admission: a membership under public notice, published without figures.
  const [membership] = await app.db.select().from(poolMemberships).where(eq(poolMemberships.enterpriseId, firmA.enterpriseId))
  t.match(membership, { programCode: 'innovative_growth', tierAtAdmission: 'hundred_million', status: 'notice', applicationId: appA })
  const notices = await app.inject({ url: '/v1/public/notices' })
  t.equal(notices.statusCode, 200)
  t.equal(notices.json().items.length, 1)
  const notice = notices.json().items[0]
  t.same(Object.keys(notice).sort(), ['endsAt', 'firmName', 'id', 'program', 'startsAt', 'tier', 'uscc'])
  t.match(notice, { uscc: firmA.uscc, program: 'innovative_growth', tier: 'hundred_million' })
  t.equal(new Date(notice.endsAt).getTime() - new Date(notice.startsAt).getTime(), 7 * 24 * HOUR, 'notice_period_days = 7')

  // B appeals: once, reviewers afresh (reviewer 1 is still conflicted).
  const notOwner = await app.inject({ method: 'POST', url: `/v1/applications/${appB}/appeal`, headers: auth(firmA.token), payload: { grounds: 'x' } })
  t.equal(notOwner.statusCode, 404)
  const appeal = await app.inject({ method: 'POST', url: `/v1/applications/${appB}/appeal`, headers: auth(firmB.token), payload: { grounds: '评审未充分考虑我司专利质量' } })
  t.equal(appeal.statusCode, 200, appeal.body)
  t.match(appeal.json(), { state: 'under_review', appealCount: 1, short: [] })
  const round2 = appeal.json().assigned.map((x: any) => x.reviewerId)
  t.equal(round2.length, 2)
  t.notOk(round2.includes(r1.id), 'still never the conflicted reviewer')
  const fresh = reviewers.filter(r => r.id !== r1.id && !reviewersOf(appB).includes(r)).map(r => r.id)
  t.ok(fresh.every(id => round2.includes(id)), 'every reviewer who had not seen it is on the second round')
  const roundRows = await app.db.select({ round: reviews.round }).from(reviews).where(eq(reviews.applicationId, appB))
  t.same(roundRows.map(r => r.round).sort(), [1, 1, 2, 2])
  for (const id of round2) await grade(app, byId.get(id)!.token, appB, { ip_relevance: 8, strategic_industry: id === round2[0] ? 8 : 9 })
  // Second round: 50 + 8 + 8.5 = 66.50, passes.
  t.match((await scoreOf(appB)).s, { total: '66.50', pass: true, grade: 'C' })
  const admitB = await app.inject({ method: 'POST', url: `/v1/applications/${appB}/decision`, headers: auth(officer.token), payload: { decision: 'admit', reason: '申诉复评通过' } })
  t.match(admitB.json(), { state: 'admitted', decisionOverride: false })
  const secondAppeal = await app.inject({ method: 'POST', url: `/v1/applications/${appB}/appeal`, headers: auth(firmB.token), payload: { grounds: 'again' } })
  t.equal(secondAppeal.statusCode, 409)
  t.equal(secondAppeal.json().code, 'APPEAL_ALREADY_USED')

  // The pool lists the admitted firms.
  const pool = await app.inject({ url: '/v1/pool', headers: auth(officer.token) })
  t.equal(pool.statusCode, 200, pool.body)
  const members = pool.json().items.map((m: any) => m.enterpriseId).sort()
  t.same(members, [firmA.enterpriseId, firmB.enterpriseId].sort())

  // Notifications along the way.
  const kinds = async (userId: string) => (await app.db.select({ kind: notifications.kind }).from(notifications).where(eq(notifications.userId, userId)))
    .map(n => n.kind).sort()
  t.same(await kinds(firmC.userId), ['application_returned'])
  t.same(await kinds(firmB.userId), ['decision_made', 'decision_made'])
  t.ok((await kinds(officer.id)).includes('appeal_received'))
  t.ok((await kinds(a1.id)).includes('review_assigned'))
  const inbox = await app.inject({ url: '/v1/me/notifications?unread=true', headers: auth(firmC.token) })
  t.equal(inbox.json().items[0].payload.reason, '请补充知识产权证明材料')

  // The audit chain holds, and an edit made directly in the database is caught.
  const ok = await app.inject({ url: '/v1/audit/verify', headers: auth(admin) })
  t.equal(ok.json().intact, true)
  const actionList = (await queryRows<{ action: string }>(app.db, sql`select distinct action from audit_log`)).map(r => r.action)
  for (const a of ['review.assign', 'review.save', 'review.submit', 'application.score', 'application.admit', 'application.reject', 'application.return', 'application.appeal', 'pool.admit', 'notice.publish']) {
    t.ok(actionList.includes(a), `audited: ${a}`)
  }
  const [{ id: victim }] = await queryRows<{ id: number }>(app.db, sql`select id from audit_log where action = 'application.admit' order by id limit 1`)
  await app.db.execute(sql`alter table audit_log disable trigger user`)
  await app.db.execute(sql`update audit_log set after = jsonb_set(after, '{decision}', '"reject"') where id = ${victim}`)
  await app.db.execute(sql`alter table audit_log enable trigger user`)
  const broken = await app.inject({ url: '/v1/audit/verify', headers: auth(admin) })
  t.match(broken.json(), { intact: false, brokenAt: { id: Number(victim), reason: 'content_hash_mismatch' } })
})

t.test('concurrent saves of the same review version: exactly one wins', async (t) => {
  const app = await buildTestApp(t, calm())
  const officer = await createStaff(app, 'officer')
  const reviewer = await createStaff(app, 'reviewer')
  const firm = await registerFirm(app, { domains: ['ai'] })
  await declare(app, firm, 2025, { operatingRevenue: '30000000.00', rdExpense: '1200000.00' })
  const call = await openCall(app, officer.token, { reviewersPerApplication: 1 })
  const appId = await applyAndSubmit(app, firm, call.id)
  const assigned = await app.inject({ method: 'POST', url: `/v1/applications/${appId}/assignments`, headers: auth(officer.token), payload: { reviewerIds: [reviewer.id] } })
  t.equal(assigned.statusCode, 201, assigned.body)
  const reviewId = assigned.json().assigned[0].reviewId
  const results = await Promise.all(Array.from({ length: 8 }, (_, i) => app.inject({
    method: 'PUT', url: `/v1/reviews/${reviewId}`, headers: { ...auth(reviewer.token), 'if-match': '"1"' },
    payload: { scores: { ip_relevance: i, strategic_industry: i }, comment: `attempt ${i}` }
  })))
  const codes = results.map(r => r.statusCode).sort()
  t.same(codes, [200, 412, 412, 412, 412, 412, 412, 412])
  t.ok(results.filter(r => r.statusCode === 412).every(r => r.json().code === 'VERSION_MISMATCH'))
  const winner = results.find(r => r.statusCode === 200)!.json()
  const [row] = await app.db.select().from(reviews).where(eq(reviews.id, reviewId))
  t.equal(row.version, 2)
  t.same(row.scores, winner.scores, 'the stored draft is the winner\'s')

  // Recusal frees the slot and declares the conflict; the firm disappears for the reviewer.
  const recused = await app.inject({ method: 'POST', url: `/v1/reviews/${reviewId}/recuse`, headers: auth(reviewer.token), payload: { reason: '发现亲属在该公司任职' } })
  t.equal(recused.statusCode, 200)
  t.equal(recused.json().state, 'recused')
  t.equal((await app.inject({ url: '/v1/reviews', headers: auth(reviewer.token) })).json().items.length, 0)
  const conflicts = await app.inject({ url: '/v1/me/conflicts', headers: auth(reviewer.token) })
  t.same(conflicts.json().items.map((c: any) => [c.uscc, c.source]), [[firm.uscc, 'recusal']])
  const other = await createStaff(app, 'reviewer')
  const reassign = await app.inject({ method: 'POST', url: `/v1/calls/${call.id}/assign`, headers: auth(officer.token) })
  t.same(reassign.json().assigned.map((a: any) => a.reviewerId), [other.id], 'the freed slot goes to someone else')
  const back = await app.inject({ method: 'POST', url: `/v1/applications/${appId}/assignments`, headers: auth(officer.token), payload: { reviewerIds: [reviewer.id] } })
  t.equal(back.json().code, 'CONFLICT_OF_INTEREST')
})

t.test('reminders before a call closes, and the end of public notice', async (t) => {
  const app = await buildTestApp(t, calm())
  const officer = await createStaff(app, 'officer')
  const reviewer = await createStaff(app, 'reviewer')
  const drafting = await registerFirm(app, { domains: ['ai'] })
  const done = await registerFirm(app, { domains: ['ai'] })
  await declare(app, done, 2025, { operatingRevenue: '30000000.00', rdExpense: '1200000.00' })
  const call = await openCall(app, officer.token, { reviewersPerApplication: 1 })
  const later = await openCall(app, officer.token, { program: 'startup', closesAt: new Date(Date.now() + 20 * 24 * HOUR).toISOString() })
  t.equal((await app.inject({ method: 'POST', url: '/v1/applications', headers: auth(drafting.token), payload: { callId: call.id } })).statusCode, 201)
  t.equal((await app.inject({ method: 'POST', url: '/v1/applications', headers: auth(drafting.token), payload: { callId: later.id } })).statusCode, 201)
  const appId = await applyAndSubmit(app, done, call.id)

  // The call closes in 10 days: nothing yet; 8 days on it is within 3 days.
  t.equal(await notifyClosingCalls(app.db, new Date()), 0)
  const soon = new Date(Date.now() + 8 * 24 * HOUR)
  t.equal(await notifyClosingCalls(app.db, soon), 1, 'the firm with a draft, not the one that submitted')
  t.equal(await notifyClosingCalls(app.db, soon), 0, 'once per call and firm')
  const [reminder] = await app.db.select().from(notifications).where(eq(notifications.userId, drafting.userId))
  t.match(reminder, { kind: 'call_closing', payload: { callId: call.id } })

  // Grade and admit, then let the notice run out.
  await app.inject({ method: 'POST', url: `/v1/applications/${appId}/assignments`, headers: auth(officer.token), payload: { reviewerIds: [reviewer.id] } })
  await grade(app, reviewer.token, appId, { ip_relevance: 10, strategic_industry: 10 })
  const admit = await app.inject({ method: 'POST', url: `/v1/applications/${appId}/decision`, headers: auth(officer.token), payload: { decision: 'admit', reason: '重点扶持方向' } })
  t.match(admit.json(), { state: 'admitted', decisionOverride: true }, 'admitting a failing application is flagged')
  const [notice] = await app.db.select().from(publicNotices).where(eq(publicNotices.applicationId, appId))

  // An objection during the period; dismissed, the membership still activates at the end.
  const objection = await app.inject({ method: 'POST', url: `/v1/public/notices/${notice.id}/objections`, payload: { reason: '该企业研发投入数据存疑', contact: 'citizen@example.test' } })
  t.equal(objection.statusCode, 201, objection.body)
  t.equal((await app.inject({ method: 'POST', url: '/v1/public/notices/00000000-0000-4000-8000-000000000000/objections', payload: { reason: 'x', contact: 'y' } })).statusCode, 404)
  const pendingList = await app.inject({ url: '/v1/objections?state=pending', headers: auth(officer.token) })
  t.same(pendingList.json().items.map((o: any) => o.id), [objection.json().id])
  t.same(await activateExpiredNotices(app.db, new Date(notice.endsAt.getTime() + 1000)), [], 'a pending objection holds activation')
  const dismissed = await app.inject({ method: 'POST', url: `/v1/objections/${objection.json().id}/dismiss`, headers: auth(officer.token), payload: { reason: '数据已核实' } })
  t.equal(dismissed.json().state, 'dismissed')
  t.same(await activateExpiredNotices(app.db, new Date(notice.endsAt.getTime() - 1000)), [], 'not before the period ends')
  const activated = await activateExpiredNotices(app.db, new Date(notice.endsAt.getTime() + 1000))
  t.equal(activated.length, 1)
  const [m] = await app.db.select().from(poolMemberships).where(eq(poolMemberships.id, activated[0]))
  t.equal(m.status, 'active')
  t.same(await activateExpiredNotices(app.db, new Date(notice.endsAt.getTime() + 1000)), [], 'idempotent')
  const closed = await app.inject({ method: 'POST', url: `/v1/public/notices/${notice.id}/objections`, payload: { reason: 'late', contact: 'y' } })
  t.equal(closed.statusCode, 404, 'no objections once the notice is closed')
})

t.test('an upheld objection reverses the admission', async (t) => {
  const app = await buildTestApp(t, calm())
  const officer = await createStaff(app, 'officer')
  const reviewer = await createStaff(app, 'reviewer')
  const firm = await registerFirm(app, { domains: ['ai'] })
  await declare(app, firm, 2025, { operatingRevenue: '30000000.00', rdExpense: '1200000.00' })
  const call = await openCall(app, officer.token, { reviewersPerApplication: 1 })
  const appId = await applyAndSubmit(app, firm, call.id)
  await app.inject({ method: 'POST', url: `/v1/applications/${appId}/assignments`, headers: auth(officer.token), payload: { reviewerIds: [reviewer.id] } })
  await grade(app, reviewer.token, appId, { ip_relevance: 10, strategic_industry: 10 })
  await app.inject({ method: 'POST', url: `/v1/applications/${appId}/decision`, headers: auth(officer.token), payload: { decision: 'admit', reason: '扶持' } })
  const [notice] = await app.db.select().from(publicNotices).where(eq(publicNotices.applicationId, appId))
  const objection = await app.inject({ method: 'POST', url: `/v1/public/notices/${notice.id}/objections`, payload: { reason: '申报材料造假', contact: '13800000000' } })
  const upheld = await app.inject({ method: 'POST', url: `/v1/objections/${objection.json().id}/uphold`, headers: auth(officer.token), payload: { reason: '经核查属实' } })
  t.equal(upheld.statusCode, 200, upheld.body)
  t.equal(upheld.json().state, 'upheld')
  const [a] = await app.db.select().from(applications).where(eq(applications.id, appId))
  t.match(a, { state: 'rejected', decision: 'reject', decisionReason: 'admission reversed after an upheld objection: 经核查属实' })
  const [m] = await app.db.select().from(poolMemberships).where(eq(poolMemberships.applicationId, appId))
  t.equal(m.status, 'revoked')
  t.same((await app.inject({ url: '/v1/public/notices' })).json().items, [], 'no longer published')
  t.same(await activateExpiredNotices(app.db, new Date(notice.endsAt.getTime() + 1000)), [])
  const again = await app.inject({ method: 'POST', url: `/v1/objections/${objection.json().id}/dismiss`, headers: auth(officer.token), payload: { reason: 'x' } })
  t.equal(again.json().code, 'INVALID_STATE')
  t.equal((await app.inject({ url: '/v1/objections', headers: auth(reviewer.token) })).statusCode, 403)

  // The reversal is a rejection like any other: one appeal, within the window.
  await app.db.update(applications).set({ decidedAt: new Date(Date.now() - 16 * 24 * HOUR) }).where(eq(applications.id, appId))
  const late = await app.inject({ method: 'POST', url: `/v1/applications/${appId}/appeal`, headers: auth(firm.token), payload: { grounds: '材料真实' } })
  t.equal(late.statusCode, 409)
  t.equal(late.json().code, 'APPEAL_WINDOW_CLOSED')
  await app.db.update(applications).set({ decidedAt: new Date(Date.now() - 14 * 24 * HOUR) }).where(eq(applications.id, appId))
  const inTime = await app.inject({ method: 'POST', url: `/v1/applications/${appId}/appeal`, headers: auth(firm.token), payload: { grounds: '材料真实' } })
  t.equal(inTime.statusCode, 200, inTime.body)
  t.same(inTime.json().assigned.map((x: any) => x.reviewerId), [reviewer.id], 'the only reviewer there is, though they saw it before')
})

t.test('roles that may never use the grading endpoints get 403', async (t) => {
  const app = await buildTestApp(t, calm())
  const firm = await registerFirm(app)
  const analyst = await createStaff(app, 'analyst')
  const reviewer = await createStaff(app, 'reviewer')
  const id = '00000000-0000-4000-8000-000000000000'
  const cases: Array<[string, string, string, unknown]> = [
    [firm.token, 'POST', `/v1/calls/${id}/assign`, undefined],
    [reviewer.token, 'POST', `/v1/applications/${id}/assignments`, { reviewerIds: [id] }],
    [reviewer.token, 'POST', `/v1/applications/${id}/decision`, { decision: 'admit' }],
    [firm.token, 'POST', `/v1/applications/${id}/return`, { reason: 'x' }],
    [reviewer.token, 'POST', `/v1/applications/${id}/appeal`, { grounds: 'x' }],
    [analyst.token, 'GET', '/v1/reviews', undefined],
    [firm.token, 'GET', `/v1/reviews/${id}`, undefined],
    [analyst.token, 'GET', `/v1/calls/${id}/progress`, undefined],
    [firm.token, 'POST', '/v1/me/conflicts', { uscc: firm.uscc, reason: 'x' }],
    [reviewer.token, 'POST', '/v1/admin/rubrics', {}]
  ]
  for (const [token, method, url, payload] of cases) {
    const res = await app.inject({ method: method as 'GET', url, headers: auth(token), ...(payload != null ? { payload: payload as object } : {}) })
    t.equal(res.statusCode, 403, `${method} ${url}`)
    t.equal(res.json().code, 'FORBIDDEN')
  }
  const missing = await app.inject({ method: 'POST', url: `/v1/applications/${id}/decision`, headers: auth((await createStaff(app, 'officer')).token), payload: { decision: 'admit' } })
  t.equal(missing.statusCode, 404)
  t.equal(missing.json().code, 'NOT_FOUND')
})
