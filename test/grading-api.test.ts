import t from 'tap'
import { eq, sql } from 'drizzle-orm'
import { auditLog, calls, notifications } from '../db/schema/index.ts'
import { queryRows } from '../db/client.ts'
import { validateRubric, type Rubric } from '../server/domain/rubrics.ts'
import { notify } from '../server/services/notifications.ts'
import { adminToken, auth, buildTestApp, createStaff, registerFirm, uscc, testConfig } from './helper.ts'

// These tests are about grading, not overload protection: on a busy machine the
// event-loop check would shed their requests (the security tests cover it).
const calm = () => ({ overload: { ...testConfig().overload, maxEventLoopDelayMs: 0, dbHealthIntervalMs: 0 } })

t.test('rubrics: defaults, reading, new versions, validation, frozen once used', async (t) => {
  const app = await buildTestApp(t, calm())
  const admin = await adminToken(app)
  const reviewer = await createStaff(app, 'reviewer')
  const firm = await registerFirm(app)

  const list = await app.inject({ url: '/v1/admin/rubrics', headers: auth(admin) })
  t.equal(list.statusCode, 200)
  const defaults = list.json().items
  t.same(defaults.map((r: any) => [r.program, r.version, r.maximum, r.passMark, r.inUse]), [
    ['innovative_growth', 1, 100, 60, false], ['leading_platform', 1, 100, 60, false], ['startup', 1, 100, 60, false]
  ])
  for (const r of defaults) {
    t.same(validateRubric(r as Rubric), [], `default ${r.program} is valid`)
    t.same(r.gradeBands, [{ grade: 'A', min: 85 }, { grade: 'B', min: 75 }, { grade: 'C', min: 60 }, { grade: 'D', min: 0 }])
    t.same(Object.keys(r.groupMinimums).sort(), ['growth', 'innovation', 'specialisation'])
  }
  const filtered = await app.inject({ url: '/v1/admin/rubrics?program=startup', headers: auth(admin) })
  t.same(filtered.json().items.map((r: any) => r.program), ['startup'])
  const paged = await app.inject({ url: '/v1/admin/rubrics?limit=2', headers: auth(admin) })
  t.equal(paged.json().items.length, 2)
  const rest = await app.inject({ url: `/v1/admin/rubrics?limit=2&cursor=${paged.json().nextCursor}`, headers: auth(admin) })
  t.same(rest.json().items.map((r: any) => r.program), ['startup'])
  t.equal(rest.json().nextCursor, null)

  const ig = defaults[0]
  for (const token of [reviewer.token, firm.token, admin]) {
    const one = await app.inject({ url: `/v1/rubrics/${ig.id}`, headers: auth(token) })
    t.equal(one.statusCode, 200)
    t.equal(one.json().id, ig.id)
  }
  t.equal((await app.inject({ url: `/v1/rubrics/${ig.id}` })).statusCode, 401)
  t.equal((await app.inject({ url: '/v1/rubrics/00000000-0000-4000-8000-000000000000', headers: auth(reviewer.token) })).json().code, 'NOT_FOUND')
  t.equal((await app.inject({ url: '/v1/admin/rubrics', headers: auth(reviewer.token) })).statusCode, 403)

  const body = { program: 'innovative_growth', title: 'v2', indicators: ig.indicators, groupMinimums: ig.groupMinimums, passMark: 65, gradeBands: ig.gradeBands }
  const created = await app.inject({ method: 'POST', url: '/v1/admin/rubrics', headers: { ...auth(admin), 'idempotency-key': 'rubric-v2' }, payload: body })
  t.equal(created.statusCode, 201, created.body)
  t.equal(created.json().version, 2)
  t.equal(created.json().passMark, 65)
  const replay = await app.inject({ method: 'POST', url: '/v1/admin/rubrics', headers: { ...auth(admin), 'idempotency-key': 'rubric-v2' }, payload: body })
  t.same(replay.json(), created.json(), 'the same key replays')
  const v3 = await app.inject({ method: 'POST', url: '/v1/admin/rubrics', headers: auth(admin), payload: body })
  t.equal(v3.json().version, 3)
  const [entry] = await app.db.select().from(auditLog).where(eq(auditLog.objectId, created.json().id))
  t.equal(entry.action, 'rubric.create')

  const bad = await app.inject({ method: 'POST', url: '/v1/admin/rubrics', headers: auth(admin), payload: { ...body, passMark: 101 } })
  t.equal(bad.statusCode, 400)
  t.equal(bad.json().code, 'VALIDATION_FAILED')
  t.same(bad.json().fields, [{ field: 'body.passMark', message: 'more than the rubric\'s maximum 100' }])
  const dup = await app.inject({ method: 'POST', url: '/v1/admin/rubrics', headers: auth(admin), payload: { ...body, indicators: [...ig.indicators, ig.indicators[0]] } })
  t.equal(dup.json().fields[0].message, `duplicate indicator key ${ig.indicators[0].key}`)
  const unknownProgram = await app.inject({ method: 'POST', url: '/v1/admin/rubrics', headers: auth(admin), payload: { ...body, program: 'moonshot' } })
  t.equal(unknownProgram.json().code, 'UNKNOWN_REFERENCE')
  const extra = await app.inject({ method: 'POST', url: '/v1/admin/rubrics', headers: auth(admin), payload: { ...body, version: 9 } })
  t.equal(extra.json().code, 'VALIDATION_FAILED')
  const badMeasure = await app.inject({ method: 'POST', url: '/v1/admin/rubrics', headers: auth(admin), payload: { ...body, indicators: [{ ...ig.indicators[0], source: 'profit' }] } })
  t.equal(badMeasure.statusCode, 400)

  // Replacing: fine while unused, 409 once a call grades with it.
  const { program: _p, ...replaceBody } = body
  const replaced = await app.inject({ method: 'PUT', url: `/v1/admin/rubrics/${v3.json().id}`, headers: auth(admin), payload: { ...replaceBody, passMark: 70 } })
  t.equal(replaced.statusCode, 200, replaced.body)
  t.equal(replaced.json().passMark, 70)
  t.equal(replaced.json().version, 3)
  await app.db.insert(calls).values({
    programCode: 'innovative_growth', year: 2025, title: 'uses v3', opensAt: new Date(Date.now() - 1000), closesAt: new Date(Date.now() + 3600_000), reviewersPerApplication: 2, rubricId: v3.json().id
  })
  const frozen = await app.inject({ method: 'PUT', url: `/v1/admin/rubrics/${v3.json().id}`, headers: auth(admin), payload: replaceBody })
  t.equal(frozen.statusCode, 409)
  t.equal(frozen.json().code, 'CONFLICT')
  t.equal((await app.inject({ url: `/v1/admin/rubrics/${v3.json().id}`, headers: auth(admin) })).json().passMark, 70, 'unchanged')
  t.equal((await app.inject({ url: `/v1/admin/rubrics/${v3.json().id}`, headers: auth(admin) })).json().inUse, true)
})

t.test('conflicts of interest: declare, list with the employer, refuse duplicates and bad codes', async (t) => {
  const app = await buildTestApp(t, calm())
  const employer = uscc(777)
  const reviewer = await createStaff(app, 'reviewer', { employerUscc: employer })
  const officer = await createStaff(app, 'officer')
  const code = uscc(4242)

  const declared = await app.inject({ method: 'POST', url: '/v1/me/conflicts', headers: auth(reviewer.token), payload: { uscc: code.toLowerCase(), reason: '持股 5%' } })
  t.equal(declared.statusCode, 201, declared.body)
  t.match(declared.json(), { uscc: code, reason: '持股 5%', source: 'declared' })
  const again = await app.inject({ method: 'POST', url: '/v1/me/conflicts', headers: auth(reviewer.token), payload: { uscc: code, reason: 'again' } })
  t.equal(again.statusCode, 409)
  t.equal(again.json().code, 'CONFLICT')
  const bad = await app.inject({ method: 'POST', url: '/v1/me/conflicts', headers: auth(reviewer.token), payload: { uscc: code.slice(0, 17) + (code[17] === '0' ? '1' : '0'), reason: 'x' } })
  t.equal(bad.json().code, 'INVALID_USCC')
  const empty = await app.inject({ method: 'POST', url: '/v1/me/conflicts', headers: auth(reviewer.token), payload: { uscc: code, reason: '' } })
  t.equal(empty.json().code, 'VALIDATION_FAILED')

  const list = await app.inject({ url: '/v1/me/conflicts', headers: auth(reviewer.token) })
  t.same(list.json().items.map((c: any) => [c.uscc, c.source]), [[employer, 'employer'], [code, 'declared']])
  t.equal((await app.inject({ url: '/v1/me/conflicts', headers: auth(officer.token) })).statusCode, 403)
  const audited = await queryRows<{ n: number }>(app.db, sql`select count(*)::int as n from audit_log where action = 'conflict.declare'`)
  t.equal(audited[0].n, 1)
})

t.test('notifications: my inbox only, unread filter, mark read', async (t) => {
  const app = await buildTestApp(t, calm())
  const a = await createStaff(app, 'reviewer')
  const b = await createStaff(app, 'reviewer')
  await app.db.transaction(async (tx) => {
    await notify(tx as any, [a.id, b.id], 'review_assigned', { reviewId: 'r1' })
    await notify(tx as any, [a.id], 'appeal_received', { applicationId: 'x' })
  })
  const mine = await app.inject({ url: '/v1/me/notifications', headers: auth(a.token) })
  t.equal(mine.statusCode, 200)
  t.same(mine.json().items.map((n: any) => n.kind).sort(), ['appeal_received', 'review_assigned'])
  const [bs] = await app.db.select().from(notifications).where(eq(notifications.userId, b.id))
  const foreign = await app.inject({ method: 'POST', url: `/v1/me/notifications/${bs.id}/read`, headers: auth(a.token) })
  t.equal(foreign.statusCode, 404)
  t.equal(foreign.json().code, 'NOT_FOUND')
  const target = mine.json().items[0]
  const read = await app.inject({ method: 'POST', url: `/v1/me/notifications/${target.id}/read`, headers: auth(a.token) })
  t.equal(read.statusCode, 200)
  t.type(read.json().readAt, 'string')
  const unread = await app.inject({ url: '/v1/me/notifications?unread=true', headers: auth(a.token) })
  t.same(unread.json().items.map((n: any) => n.id), [mine.json().items[1].id])
  const page1 = await app.inject({ url: '/v1/me/notifications?limit=1', headers: auth(a.token) })
  const page2 = await app.inject({ url: `/v1/me/notifications?limit=1&cursor=${page1.json().nextCursor}`, headers: auth(a.token) })
  t.same([page1.json().items[0].id, page2.json().items[0].id], mine.json().items.map((n: any) => n.id))
  t.equal(page2.json().nextCursor, null)
  t.equal((await app.inject({ url: '/v1/me/notifications' })).statusCode, 401)
  await t.resolves(app.db.transaction(async (tx) => {
    t.equal(await notify(tx as any, [a.id], 'call_closing', { callId: 'c' }, { dedupeKey: 'call_closing:c' }), 1)
    t.equal(await notify(tx as any, [a.id], 'call_closing', { callId: 'c' }, { dedupeKey: 'call_closing:c' }), 0, 'at most once per key')
  }))
})
