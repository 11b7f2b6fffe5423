import t from 'tap'
import { auth, buildTestApp, createStaff, registerFirm } from './helper.ts'
import { declare, noLoadShedding, openCall } from './application-fixtures.ts'

// An application's history from the audit trail: officers see everything,
// the owner its own timeline without reviewer identities, reviewers nothing.

t.setTimeout(600_000)

t.test('GET /v1/applications/:id/history', async (t) => {
  const app = await buildTestApp(t, noLoadShedding)
  const officer = await createStaff(app, 'officer', { name: '王科长' })
  const analyst = await createStaff(app, 'analyst')
  const reviewers = [
    await createStaff(app, 'reviewer', { name: '评审专家甲' }), await createStaff(app, 'reviewer', { name: '评审专家乙' }), await createStaff(app, 'reviewer', { name: '评审专家丙' })
  ]
  const byId = new Map(reviewers.map(r => [r.id, r]))
  const firm = await registerFirm(app, { name: '戊软件有限公司' })
  const other = await registerFirm(app)
  await declare(app, firm, 2025, { operatingRevenue: '50000000.00', rdExpense: '2500000.00' })
  const call = await openCall(app, officer.token, { reviewersPerApplication: 2 })
  const appId = (await app.inject({ method: 'POST', url: '/v1/applications', headers: auth(firm.token), payload: { callId: call.id } })).json().id
  t.equal((await app.inject({ method: 'POST', url: `/v1/applications/${appId}/submit`, headers: auth(firm.token) })).statusCode, 200)
  const plan = (await app.inject({ method: 'POST', url: `/v1/calls/${call.id}/assign`, headers: auth(officer.token) })).json()
  const [first, second] = plan.assigned
  const re = await app.inject({ method: 'POST', url: `/v1/reviews/${second.reviewId}/reassign`, headers: auth(officer.token), payload: { reason: '评审专家出差' } })
  t.equal(re.statusCode, 201, re.body)
  const scores = { ip_relevance: 8, strategic_industry: 10 }
  for (const r of [{ reviewId: first.reviewId, reviewerId: first.reviewerId }, { reviewId: re.json().id, reviewerId: re.json().reviewerId }]) {
    const token = byId.get(r.reviewerId)!.token
    t.equal((await app.inject({ method: 'PUT', url: `/v1/reviews/${r.reviewId}`, headers: { ...auth(token), 'if-match': '1' }, payload: { scores } })).statusCode, 200)
    t.equal((await app.inject({ method: 'POST', url: `/v1/reviews/${r.reviewId}/submit`, headers: auth(token) })).statusCode, 200)
  }
  const decided = await app.inject({ method: 'POST', url: `/v1/applications/${appId}/decision`, headers: auth(officer.token), payload: { decision: 'reject', reason: '名额有限，择优入库' } })
  t.equal(decided.statusCode, 200, decided.body)

  // Officers: everything, with who acted.
  const staff = await app.inject({ url: `/v1/applications/${appId}/history?limit=100`, headers: auth(officer.token) })
  t.equal(staff.statusCode, 200, staff.body)
  const items = staff.json().items as any[]
  const actions = items.map(i => i.action)
  for (const a of ['application.create', 'application.submit', 'review.assign', 'application.review_start', 'review.reassign', 'review.submit', 'application.score', 'application.reject']) {
    t.ok(actions.includes(a), `officers see ${a}`)
  }
  t.same(items.map(i => i.at), [...items.map(i => i.at)].sort(), 'oldest first')
  const reassign = items.find(i => i.action === 'review.reassign')
  t.same([reassign.reason, reassign.actorName, reassign.actorRole, reassign.objectType, reassign.objectId], ['评审专家出差', '王科长', 'officer', 'review', second.reviewId])
  const submitted = items.find(i => i.action === 'review.submit')
  t.equal(submitted.actorRole, 'reviewer')
  t.ok(['评审专家甲', '评审专家乙', '评审专家丙'].includes(submitted.actorName))
  const reject = items.find(i => i.action === 'application.reject')
  t.same([reject.from, reject.to, reject.reason], ['scored', 'rejected', '名额有限，择优入库'])
  const submit = items.find(i => i.action === 'application.submit')
  t.same([submit.from, submit.to, submit.actorRole], ['draft', 'submitted', 'enterprise'])
  const admin = await createStaff(app, 'admin')
  t.equal((await app.inject({ url: `/v1/applications/${appId}/history`, headers: auth(admin.token) })).json().items.length, Math.min(50, items.length), 'admins too')

  // Paged: pages of two join up to the whole history.
  const seen: any[] = []
  let cursor: string | null = null
  do {
    const res: any = await app.inject({ url: `/v1/applications/${appId}/history?limit=2${cursor == null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`, headers: auth(officer.token) })
    t.equal(res.statusCode, 200)
    seen.push(...res.json().items)
    cursor = res.json().nextCursor
  } while (cursor != null)
  t.same(seen, items, 'pages join up')
  t.equal((await app.inject({ url: `/v1/applications/${appId}/history?cursor=bm9wZQ`, headers: auth(officer.token) })).statusCode, 400)

  // The owner: its own timeline, no reviewer identities, no review entries or scores.
  const own = await app.inject({ url: `/v1/applications/${appId}/history?limit=100`, headers: auth(firm.token) })
  t.equal(own.statusCode, 200, own.body)
  const ownItems = own.json().items as any[]
  t.same(ownItems.filter(i => i.objectType === 'review'), [], 'no review entries')
  t.ok(ownItems.some(i => i.action === 'application.reject' && i.reason === '名额有限，择优入库'), 'the decision and its reason')
  t.ok(ownItems.some(i => i.action === 'application.score'), 'that it was scored')
  for (const r of reviewers) {
    t.notOk(own.body.includes(r.id), 'no reviewer id')
    t.notOk(own.body.includes(r.email), 'no reviewer email')
  }
  t.notOk(/评审专家/.test(own.body), 'no reviewer name')
  t.notOk(own.body.includes('评审专家出差'), 'no reassignment reason')
  t.notOk(own.body.includes('王科长'), 'officers by role only')
  t.notOk(/"scores"|"total"|"actorId"|"objectId"/.test(own.body), 'no scores, no ids')
  const created = ownItems.find(i => i.action === 'application.create')
  t.equal(created.actorRole, 'enterprise')
  t.ok(typeof created.actorName === 'string' && created.actorName.length > 0, 'its own users by name')

  // Nobody else.
  t.equal((await app.inject({ url: `/v1/applications/${appId}/history`, headers: auth(other.token) })).statusCode, 404)
  t.equal((await app.inject({ url: `/v1/applications/${appId}/history`, headers: auth(reviewers[0].token) })).statusCode, 403)
  t.equal((await app.inject({ url: `/v1/applications/${appId}/history`, headers: auth(analyst.token) })).statusCode, 403)
  t.equal((await app.inject({ url: `/v1/applications/${appId}/history` })).statusCode, 401)
  t.equal((await app.inject({ url: '/v1/applications/00000000-0000-4000-8000-000000000000/history', headers: auth(officer.token) })).statusCode, 404)
})
