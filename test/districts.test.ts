import t from 'tap'
import { eq } from 'drizzle-orm'
import { applications, auditLog } from '../db/schema/index.ts'
import { buildTestApp, registerFirm, createStaff, adminToken, auth, PASSWORD } from './helper.ts'
import { declare, noLoadShedding, openCall } from './application-fixtures.ts'

// District officers: their district's firms, declarations and applications
// only (404 for others), and the pre-screen of calls with districtReview.

t.setTimeout(600_000)

type App = Awaited<ReturnType<typeof buildTestApp>>
let app: App
t.before(async () => { app = await buildTestApp(t, noLoadShedding) })

async function submitted (callId: string, districtCode: string) {
  const firm = await registerFirm(app, { districtCode })
  await declare(app, firm, 2024, { operatingRevenue: '120000000.00', rdExpense: '5000000.00' })
  await declare(app, firm, 2025, { operatingRevenue: '150000000.00', rdExpense: '6000000.00' })
  const created = await app.inject({ method: 'POST', url: '/v1/applications', headers: auth(firm.token), payload: { callId, statement: '申报' } })
  const id = created.json().id as string
  const res = await app.inject({ method: 'POST', url: `/v1/applications/${id}/submit`, headers: auth(firm.token) })
  if (res.json().state !== 'submitted') throw new Error(`submit: ${res.statusCode} ${res.body}`)
  return { firm, id }
}

const review = async (token: string, id: string, recommend: boolean, opinion = recommend ? '同意推荐' : '研发投入不实') =>
  await app.inject({ method: 'POST', url: `/v1/applications/${id}/district-review`, headers: auth(token), payload: { recommend, opinion } })

t.test('an admin creates a district officer; the district is required for it, only for it, and must be known', async (t) => {
  const admin = await adminToken(app)
  const post = async (payload: Record<string, unknown>) =>
    await app.inject({ method: 'POST', url: '/v1/users', headers: auth(admin), payload: { name: '区县工信局', password: PASSWORD, ...payload } })
  const missing = await post({ email: 'd1@district.test', role: 'district_officer' })
  t.equal(missing.statusCode, 400)
  t.match(missing.json().fields, [{ field: 'body.districtCode' }])
  t.equal((await post({ email: 'd2@district.test', role: 'officer', districtCode: '210202' })).statusCode, 400, 'only a district officer has a district')
  t.equal((await post({ email: 'd3@district.test', role: 'district_officer', districtCode: '999999' })).json().code, 'UNKNOWN_REFERENCE')
  const ok = await post({ email: 'd4@district.test', role: 'district_officer', districtCode: '210211' })
  t.equal(ok.statusCode, 201)
  t.match(ok.json(), { role: 'district_officer', districtCode: '210211' })
  const login = await app.inject({ method: 'POST', url: '/v1/auth/login', payload: { email: 'd4@district.test', password: PASSWORD } })
  const me = await app.inject({ url: '/v1/me', headers: auth(login.json().accessToken) })
  t.match(me.json(), { role: 'district_officer', districtCode: '210211' })

  // Moving the officer to another district ends its tokens; a role change away drops the district.
  const moved = await app.inject({ method: 'PATCH', url: `/v1/users/${ok.json().id}`, headers: auth(admin), payload: { districtCode: '210202' } })
  t.equal(moved.json().districtCode, '210202')
  t.equal((await app.inject({ url: '/v1/me', headers: auth(login.json().accessToken) })).statusCode, 401, 'the old token ended')
  const analyst = await app.inject({ method: 'PATCH', url: `/v1/users/${ok.json().id}`, headers: auth(admin), payload: { role: 'analyst' } })
  t.match(analyst.json(), { role: 'analyst', districtCode: null })
  const [entry] = await app.db.select().from(auditLog).where(eq(auditLog.action, 'user.create')).orderBy(auditLog.seq)
  t.ok(entry != null, 'account creation is audited')
})

t.test('a district officer sees its district\'s firms, declarations and applications, 404 for another district\'s; it changes no firm', async (t) => {
  const officer = await createStaff(app, 'officer')
  const zhongshan = await createStaff(app, 'district_officer', { districtCode: '210202' })
  const call = await openCall(app, officer.token)
  const mine = await submitted(call.id, '210202')
  const theirs = await submitted(call.id, '210203')

  t.equal((await app.inject({ url: `/v1/applications/${mine.id}`, headers: auth(zhongshan.token) })).statusCode, 200)
  const hidden = await app.inject({ url: `/v1/applications/${theirs.id}`, headers: auth(zhongshan.token) })
  const missing = await app.inject({ url: '/v1/applications/00000000-0000-4000-8000-000000000000', headers: auth(zhongshan.token) })
  t.equal(hidden.statusCode, 404)
  t.equal(hidden.body, missing.body, 'another district\'s application looks missing')
  const list = await app.inject({ url: `/v1/applications?callId=${call.id}`, headers: auth(zhongshan.token) })
  t.same(list.json().items.map((a: { id: string }) => a.id), [mine.id], 'the list has its district\'s only')

  t.equal((await app.inject({ url: `/v1/enterprises/${mine.firm.enterpriseId}`, headers: auth(zhongshan.token) })).statusCode, 200)
  t.equal((await app.inject({ url: `/v1/enterprises/${theirs.firm.enterpriseId}`, headers: auth(zhongshan.token) })).statusCode, 404)
  t.equal((await app.inject({ url: `/v1/enterprises/${mine.firm.enterpriseId}/declarations/2025`, headers: auth(zhongshan.token) })).statusCode, 200)
  t.equal((await app.inject({ url: `/v1/enterprises/${theirs.firm.enterpriseId}/declarations/2025`, headers: auth(zhongshan.token) })).statusCode, 404)
  const register = await app.inject({ url: '/v1/enterprises?district=210203&limit=500', headers: auth(zhongshan.token) })
  t.equal(register.statusCode, 200)
  t.same(register.json().items, [], 'asking for another district gives nothing')
  const own = await app.inject({ url: '/v1/enterprises?limit=500', headers: auth(zhongshan.token) })
  t.ok(own.json().items.some((e: { id: string }) => e.id === mine.firm.enterpriseId))
  t.ok(own.json().items.every((e: { districtCode: string }) => e.districtCode === '210202'), 'the register is its district\'s')

  t.equal((await app.inject({ method: 'PATCH', url: `/v1/enterprises/${mine.firm.enterpriseId}`, headers: auth(zhongshan.token), payload: { name: '改名' } }))
    .statusCode, 403, 'it cannot change a firm')
  t.equal((await app.inject({ url: '/v1/analytics/distribution?year=2025', headers: auth(zhongshan.token) })).statusCode, 403)
  t.equal((await app.inject({ method: 'POST', url: `/v1/applications/${mine.id}/decision`, headers: auth(zhongshan.token), payload: { decision: 'reject' } }))
    .statusCode, 403, 'the city decides')
})

t.test('the pre-screen: recommended goes on to the city; not recommended ends at district level and may be appealed', async (t) => {
  const officer = await createStaff(app, 'officer')
  const reviewer = await createStaff(app, 'reviewer')
  const district = await createStaff(app, 'district_officer', { districtCode: '210204' })
  const other = await createStaff(app, 'district_officer', { districtCode: '210202' })
  const call = await openCall(app, officer.token, { districtReview: true, reviewersPerApplication: 1 })
  t.equal(call.districtReview, true)
  const a = await submitted(call.id, '210204')
  const b = await submitted(call.id, '210204')

  const queue = await app.inject({ url: `/v1/district-review/queue?callId=${call.id}`, headers: auth(district.token) })
  t.equal(queue.statusCode, 200)
  t.same(queue.json().items.map((i: { id: string }) => i.id).sort(), [a.id, b.id].sort(), 'both wait in the district\'s queue')
  t.match(queue.json().items[0], { state: 'submitted', district: '210204', callTitle: call.title })
  t.same((await app.inject({ url: `/v1/district-review/queue?callId=${call.id}`, headers: auth(other.token) })).json().items, [],
    'another district\'s queue does not have them')

  const early = await app.inject({ method: 'POST', url: `/v1/applications/${a.id}/assignments`, headers: auth(officer.token), payload: { reviewerIds: [reviewer.id] } })
  t.equal(early.statusCode, 409)
  t.equal(early.json().code, 'DISTRICT_REVIEW_PENDING', 'the city waits for the district')
  t.equal((await review(other.token, a.id, true)).statusCode, 404, 'another district cannot pre-screen it')
  t.equal((await review(officer.token, a.id, true)).statusCode, 403, 'a city officer does not pre-screen')
  t.equal((await review(district.token, a.id, true, '   ')).statusCode, 400, 'an opinion is required')

  const recommended = await review(district.token, a.id, true)
  t.equal(recommended.statusCode, 200, recommended.body)
  t.match(recommended.json(), { state: 'district_reviewed', districtRecommend: true, districtOpinion: '同意推荐' })
  t.equal((await review(district.token, a.id, false)).json().code, 'INVALID_STATE', 'once only')
  const [audit] = await app.db.select().from(auditLog).where(eq(auditLog.objectId, a.id)).orderBy(auditLog.seq)
  t.ok(audit != null)
  const entries = await app.db.select().from(auditLog).where(eq(auditLog.action, 'application.district_recommend'))
  t.equal(entries.filter(e => e.objectId === a.id).length, 1, 'audited')

  const auto = await app.inject({ method: 'POST', url: `/v1/calls/${call.id}/assign`, headers: auth(officer.token) })
  t.equal(auto.statusCode, 200, auto.body)
  const [rowA] = await app.db.select().from(applications).where(eq(applications.id, a.id))
  t.equal(rowA.state, 'under_review', 'the recommended one is assigned')
  const [rowB] = await app.db.select().from(applications).where(eq(applications.id, b.id))
  t.equal(rowB.state, 'submitted', 'the one still waiting for its district is not')

  const rejected = await review(district.token, b.id, false)
  t.match(rejected.json(), { state: 'rejected', decision: 'reject', decisionReason: '研发投入不实', districtRecommend: false })
  const firmView = await app.inject({ url: `/v1/applications/${b.id}`, headers: auth(b.firm.token) })
  t.match(firmView.json(), { state: 'rejected', districtOpinion: '研发投入不实' })
  t.same((await app.inject({ url: `/v1/district-review/queue?callId=${call.id}`, headers: auth(district.token) })).json().items, [], 'the queue is empty')
  const done = await app.inject({ url: `/v1/district-review/queue?callId=${call.id}&all=true`, headers: auth(district.token) })
  t.equal(done.json().items.length, 2, 'all=true lists what it pre-screened')
  const history = await app.inject({ url: `/v1/applications/${b.id}/history`, headers: auth(b.firm.token) })
  t.match(history.json().items.find((i: { action: string }) => i.action === 'application.district_reject'),
    { actorRole: 'district_officer', reason: '研发投入不实', from: 'submitted', to: 'rejected' }, 'the firm reads the district\'s opinion in its history')
  const appeal = await app.inject({ method: 'POST', url: `/v1/applications/${b.id}/appeal`, headers: auth(b.firm.token), payload: { grounds: '数据已更正,请复核' } })
  t.equal(appeal.statusCode, 200, appeal.body)
  const [rowB2] = await app.db.select().from(applications).where(eq(applications.id, b.id))
  t.ok(['appealed', 'under_review'].includes(rowB2.state), `appealable like any rejection, then the city reviews it (${rowB2.state})`)
})

t.test('a call without the pre-screen: the district cannot pre-screen, the city assigns at once', async (t) => {
  const officer = await createStaff(app, 'officer')
  const district = await createStaff(app, 'district_officer', { districtCode: '210211' })
  const call = await openCall(app, officer.token)
  t.equal(call.districtReview, false)
  const a = await submitted(call.id, '210211')
  const res = await review(district.token, a.id, true)
  t.equal(res.statusCode, 409)
  t.equal(res.json().code, 'DISTRICT_REVIEW_NOT_REQUIRED')
  const patch = await app.inject({ method: 'PATCH', url: `/v1/calls/${call.id}`, headers: auth(officer.token), payload: { districtReview: true } })
  t.equal(patch.statusCode, 409, 'an open call keeps its setting')
  const upcoming = await openCall(app, officer.token, { opensAt: new Date(Date.now() + 3600_000).toISOString() })
  const switched = await app.inject({ method: 'PATCH', url: `/v1/calls/${upcoming.id}`, headers: auth(officer.token), payload: { districtReview: true } })
  t.equal(switched.json().districtReview, true, 'an upcoming call may switch it on')
})

t.test('the primary domain: one of the firm\'s domains, kept while still among them, else the first', async (t) => {
  const firm = await registerFirm(app, { domains: ['ai', 'cloud'] })
  const patch = async (payload: Record<string, unknown>) =>
    await app.inject({ method: 'PATCH', url: `/v1/enterprises/${firm.enterpriseId}`, headers: auth(firm.token), payload })
  const first = await app.inject({ url: `/v1/enterprises/${firm.enterpriseId}`, headers: auth(firm.token) })
  t.equal(first.json().primaryDomain, 'ai', 'registration: the first domain')
  t.equal((await patch({ primaryDomain: 'cloud' })).json().primaryDomain, 'cloud')
  t.equal((await patch({ domains: ['cloud', 'iot'] })).json().primaryDomain, 'cloud', 'kept while still one of the domains')
  t.equal((await patch({ domains: ['iot', 'big_data'] })).json().primaryDomain, 'iot', 'else the first new domain')
  const notOwn = await patch({ primaryDomain: 'ai' })
  t.equal(notOwn.statusCode, 400)
  t.same(notOwn.json().fields.map((f: { field: string }) => f.field), ['body.primaryDomain'])
  t.equal((await patch({ domains: ['ai', 'iot'], primaryDomain: 'ai' })).json().primaryDomain, 'ai', 'both at once')
})
