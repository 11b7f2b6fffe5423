import t from 'tap'
import { and, eq, like } from 'drizzle-orm'
import { calls, notifications, policySettings } from '../db/schema/index.ts'
import { remindReviewers } from '../server/services/reminders.ts'
import { adminToken, auth, buildTestApp, createStaff, registerFirm } from './helper.ts'
import { declare, noLoadShedding, openCall } from './application-fixtures.ts'

// The reviewer's workbench reads names and due dates from the list, paged;
// reviewers are reminded before the due date and when overdue, once each.

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

t.test('reminders before reviewDueAt and when overdue, once each; overdue reviews in the progress', async (t) => {
  const app = await buildTestApp(t, noLoadShedding)
  await adminToken(app)
  const officer = await createStaff(app, 'officer')
  const reviewers = [await createStaff(app, 'reviewer'), await createStaff(app, 'reviewer')]
  const now = new Date()
  const dueAt = new Date(now.getTime() + 5 * 24 * 3600 * 1000)
  const call = await openCall(app, officer.token, { reviewersPerApplication: 2, reviewDueAt: dueAt.toISOString() })
  const firm = await registerFirm(app, { name: '丙智能科技有限公司' })
  await declare(app, firm, 2025, { operatingRevenue: '50000000.00', rdExpense: '2500000.00' })
  const created = await app.inject({ method: 'POST', url: '/v1/applications', headers: auth(firm.token), payload: { callId: call.id } })
  const appId = created.json().id
  t.equal((await app.inject({ method: 'POST', url: `/v1/applications/${appId}/submit`, headers: auth(firm.token) })).statusCode, 200)
  const plan = await app.inject({ method: 'POST', url: `/v1/calls/${call.id}/assign`, headers: auth(officer.token) })
  const reviewOf = (id: string) => plan.json().assigned.find((a: any) => a.reviewerId === id).reviewId
  const inbox = async (userId: string, kind: 'review_due_soon' | 'review_overdue') =>
    await app.db.select().from(notifications).where(and(eq(notifications.userId, userId), eq(notifications.kind, kind)))

  // Five days ahead, the default three-day window has not begun.
  t.same(await remindReviewers(app.db, now), { dueSoon: 0, overdue: 0 })
  // The window is policy data: with one day, two days before is too early.
  const twoDaysBefore = new Date(dueAt.getTime() - 2 * 24 * 3600 * 1000)
  await app.db.update(policySettings).set({ value: 1 }).where(eq(policySettings.key, 'review_reminder_days'))
  t.same(await remindReviewers(app.db, twoDaysBefore), { dueSoon: 0, overdue: 0 })
  await app.db.update(policySettings).set({ value: 3 }).where(eq(policySettings.key, 'review_reminder_days'))
  // With the default three: both reviewers are told, once however often the chore runs.
  t.same(await remindReviewers(app.db, twoDaysBefore), { dueSoon: 2, overdue: 0 })
  t.same(await remindReviewers(app.db, new Date(twoDaysBefore.getTime() + 3600_000)), { dueSoon: 0, overdue: 0 }, 'once')
  const [soon] = await inbox(reviewers[0].id, 'review_due_soon')
  t.same([soon.payload.reviewId, soon.payload.applicationId, soon.payload.dueAt, soon.payload.firmName], [reviewOf(reviewers[0].id), appId, dueAt.toISOString(), '丙智能科技有限公司'])

  // Reviewer 0 submits; reviewer 1 does not. Past the due date only reviewer 1 is overdue, once.
  const r0 = reviewOf(reviewers[0].id)
  t.equal((await app.inject({ method: 'PUT', url: `/v1/reviews/${r0}`, headers: { ...auth(reviewers[0].token), 'if-match': '1' }, payload: { scores: { ip_relevance: 8, strategic_industry: 10 } } })).statusCode, 200)
  t.equal((await app.inject({ method: 'POST', url: `/v1/reviews/${r0}/submit`, headers: auth(reviewers[0].token) })).statusCode, 200)
  const late = new Date(dueAt.getTime() + 3600_000)
  t.same(await remindReviewers(app.db, late), { dueSoon: 0, overdue: 1 })
  t.same(await remindReviewers(app.db, new Date(late.getTime() + 24 * 3600_000)), { dueSoon: 0, overdue: 0 }, 'once')
  t.equal((await inbox(reviewers[0].id, 'review_overdue')).length, 0, 'a submitted review is not overdue')
  const [over] = await inbox(reviewers[1].id, 'review_overdue')
  t.equal(over.payload.reviewId, reviewOf(reviewers[1].id))
  t.equal((await app.db.select().from(notifications).where(like(notifications.dedupeKey, 'review_%'))).length, 3)

  // Progress shows the overdue review per reviewer once the due date has passed.
  const before = (await app.inject({ url: `/v1/calls/${call.id}/progress`, headers: auth(officer.token) })).json()
  t.equal(before.reviewDueAt, dueAt.toISOString())
  t.equal(before.overdue, 0, 'not yet due')
  const past = new Date(Date.now() - 3600_000)
  await app.db.update(calls).set({ reviewDueAt: past }).where(eq(calls.id, call.id))
  const progress = await app.inject({ url: `/v1/calls/${call.id}/progress`, headers: auth(officer.token) })
  t.equal(progress.statusCode, 200, progress.body)
  t.equal(progress.json().overdue, 1)
  const byReviewer = new Map(progress.json().reviewers.map((r: any) => [r.reviewerId, r]))
  t.same((byReviewer.get(reviewers[0].id) as any).overdue, 0)
  t.same((byReviewer.get(reviewers[1].id) as any).overdueReviews, [{ reviewId: reviewOf(reviewers[1].id), applicationId: appId, firm: '丙智能科技有限公司' }])
  const [entry] = progress.json().applications
  t.same(entry.reviews.map((r: any) => [r.reviewId, r.state, r.overdue]).sort(), [[reviewOf(reviewers[0].id), 'submitted', false], [reviewOf(reviewers[1].id), 'assigned', true]].sort(),
    'each review of the round, the open one overdue')
  t.ok(entry.reviews.every((r: any) => typeof r.name === 'string' && r.name !== ''))
  // A moved due date reminds again (the key names the date).
  t.same(await remindReviewers(app.db, new Date()), { dueSoon: 0, overdue: 1 })
})
