import t from 'tap'
import { adminToken, auth, buildTestApp, createStaff, registerFirm } from './helper.ts'
import { declare, noLoadShedding, openCall } from './application-fixtures.ts'

// The reviewer's workbench reads names and due dates from the list, paged.

t.setTimeout(600_000)

t.test('GET /v1/reviews carries firm, program, call and due date, paged', async (t) => {
  const app = await buildTestApp(t, noLoadShedding)
  await adminToken(app)
  const officer = await createStaff(app, 'officer')
  const reviewers = [await createStaff(app, 'reviewer'), await createStaff(app, 'reviewer'), await createStaff(app, 'reviewer')]
  const dueAt = new Date(Date.now() + 5 * 24 * 3600 * 1000).toISOString()
  const call = await openCall(app, officer.token, { reviewersPerApplication: 2, reviewDueAt: dueAt, title: '2025 成长计划评审' })
  const firms = []
  for (const name of ['甲软件有限公司', '乙信息技术有限公司']) {
    const firm = await registerFirm(app, { name })
    await declare(app, firm, 2025, { operatingRevenue: '50000000.00', rdExpense: '2500000.00' })
    const created = await app.inject({ method: 'POST', url: '/v1/applications', headers: auth(firm.token), payload: { callId: call.id } })
    t.equal((await app.inject({ method: 'POST', url: `/v1/applications/${created.json().id}/submit`, headers: auth(firm.token) })).statusCode, 200)
    firms.push({ ...firm, name, applicationId: created.json().id })
  }
  const plan = await app.inject({ method: 'POST', url: `/v1/calls/${call.id}/assign`, headers: auth(officer.token) })
  t.equal(plan.statusCode, 200, plan.body)
  const assigned = plan.json().assigned as Array<{ applicationId: string, reviewerId: string, reviewId: string }>
  // The reviewer with both applications pages through them one at a time.
  const busy = reviewers.find(r => assigned.filter(a => a.reviewerId === r.id).length === 2)!
  t.ok(busy != null, 'some reviewer has both')
  const first = await app.inject({ url: '/v1/reviews?limit=1', headers: auth(busy.token) })
  t.equal(first.statusCode, 200, first.body)
  t.equal(first.json().items.length, 1)
  t.ok(first.json().nextCursor != null)
  const second = await app.inject({ url: `/v1/reviews?limit=1&cursor=${encodeURIComponent(first.json().nextCursor)}`, headers: auth(busy.token) })
  t.equal(second.json().items.length, 1)
  t.equal(second.json().nextCursor, null)
  const items = [...first.json().items, ...second.json().items]
  t.same(items.map((i: any) => i.firmName).sort(), firms.map(f => f.name).sort(), 'firm names from the list')
  for (const item of items) {
    t.equal(item.program, 'innovative_growth')
    t.equal(item.callId, call.id)
    t.equal(item.callTitle, '2025 成长计划评审')
    t.equal(item.dueAt, dueAt)
    t.equal(item.state, 'assigned')
  }

  // Replaced on one: that review leaves the reviewer's list.
  const one = items[0]
  const re = await app.inject({ method: 'POST', url: `/v1/reviews/${one.id}/reassign`, headers: auth(officer.token), payload: { reason: '出差无法评审' } })
  t.equal(re.statusCode, 201, re.body)
  const after = await app.inject({ url: '/v1/reviews', headers: auth(busy.token) })
  t.same(after.json().items.map((i: any) => i.id), [items[1].id], 'the reassigned review is not listed')
  // The replacement sees it with the same names.
  const replacement = reviewers.find(r => r.id === re.json().reviewerId)!
  const theirs = (await app.inject({ url: '/v1/reviews?state=assigned', headers: auth(replacement.token) })).json().items
  t.ok(theirs.some((i: any) => i.id === re.json().id && i.firmName === one.firmName && i.dueAt === dueAt))

  // A call without a due date: dueAt is null.
  const noDue = await openCall(app, officer.token, { reviewersPerApplication: 1, program: 'startup' })
  t.equal(noDue.reviewDueAt ?? null, null)
})
