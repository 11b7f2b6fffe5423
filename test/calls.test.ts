import t from 'tap'
import { and, eq } from 'drizzle-orm'
import { auditLog, calls, rubrics } from '../db/schema/index.ts'
import { adminToken, auth, buildTestApp, createStaff, registerFirm } from './helper.ts'
import { noLoadShedding, openCall } from './application-fixtures.ts'

const HOUR = 3600_000

// One app (one database) for the file; each subtest counts only its own calls.
t.setTimeout(600_000)
const app = await buildTestApp(t, noLoadShedding)
const iso = (ms: number) => new Date(Date.now() + ms).toISOString()

t.test('an officer opens a call with the program\'s latest rubric; the call keeps it', async (t) => {
  const officer = await createStaff(app, 'officer')
  const [v1] = await app.db.select().from(rubrics).where(and(eq(rubrics.programCode, 'innovative_growth'), eq(rubrics.version, 1)))
  t.ok(v1, 'the default rubric v1 exists')

  const res = await app.inject({
    method: 'POST', url: '/v1/calls', headers: auth(officer.token),
    payload: { program: 'innovative_growth', year: 2025, title: ' 2025 年创新型企业成长计划 ', opensAt: iso(-HOUR), closesAt: iso(48 * HOUR), reviewersPerApplication: 3 }
  })
  t.equal(res.statusCode, 201, res.body)
  const call = res.json()
  t.match(call, { program: 'innovative_growth', year: 2025, title: '2025 年创新型企业成长计划', reviewersPerApplication: 3, rubricId: v1.id, status: 'open' })

  // A later rubric version does not change the open call; a new call takes it.
  const [v2] = await app.db.insert(rubrics).values({ ...v1, id: undefined, version: 2, createdAt: undefined }).returning()
  const again = await app.inject({ url: `/v1/calls/${call.id}`, headers: auth(officer.token) })
  t.equal(again.json().rubricId, v1.id)
  const newer = await openCall(app, officer.token)
  t.equal(newer.rubricId, v2.id, 'the latest version by default')
  const pinned = await openCall(app, officer.token, { rubricId: v1.id })
  t.equal(pinned.rubricId, v1.id, 'an explicit rubric of the same program')

  const admin = await adminToken(app)
  const audit = await app.inject({ url: `/v1/audit?objectType=call&objectId=${call.id}`, headers: auth(admin) })
  t.equal(audit.json().items.length, 1)
  t.match(audit.json().items[0], { action: 'call.create', actorId: officer.id, actorRole: 'officer', after: { id: call.id, rubricId: v1.id } })
})

t.test('bad calls are refused with clear codes and nothing stored', async (t) => {
  const officer = await createStaff(app, 'officer')
  const [startupRubric] = await app.db.select().from(rubrics).where(eq(rubrics.programCode, 'startup'))
  const good = { program: 'innovative_growth', year: 2025, title: 'Call', opensAt: iso(-HOUR), closesAt: iso(HOUR), reviewersPerApplication: 3 }
  const cases: Array<[string, Record<string, unknown>, number, string, string?]> = [
    ['window backwards', { opensAt: iso(2 * HOUR), closesAt: iso(HOUR) }, 400, 'VALIDATION_FAILED', 'body.closesAt'],
    ['empty window', { opensAt: iso(HOUR), closesAt: iso(HOUR) }, 400, 'VALIDATION_FAILED', 'body.closesAt'],
    ['already closed', { opensAt: iso(-2 * HOUR), closesAt: iso(-HOUR) }, 400, 'VALIDATION_FAILED', 'body.closesAt'],
    ['no reviewers', { reviewersPerApplication: 0 }, 400, 'VALIDATION_FAILED', 'body.reviewersPerApplication'],
    ['16 reviewers', { reviewersPerApplication: 16 }, 400, 'VALIDATION_FAILED', 'body.reviewersPerApplication'],
    ['not a date', { opensAt: 'tomorrow' }, 400, 'VALIDATION_FAILED', 'body.opensAt'],
    ['unknown program', { program: 'blockchain' }, 400, 'UNKNOWN_REFERENCE', 'program'],
    ['unknown rubric', { rubricId: '00000000-0000-4000-8000-000000000000' }, 400, 'UNKNOWN_REFERENCE', 'rubricId'],
    ['rubric of another program', { rubricId: startupRubric.id }, 400, 'RUBRIC_PROGRAM_MISMATCH', 'body.rubricId'],
    ['a field nobody sets', { status: 'open' }, 400, 'VALIDATION_FAILED', 'body.status'],
    ['empty title', { title: '' }, 400, 'VALIDATION_FAILED', 'body.title']
  ]
  const before = (await app.db.select().from(calls)).length
  for (const [name, patch, status, code, field] of cases) {
    const res = await app.inject({ method: 'POST', url: '/v1/calls', headers: auth(officer.token), payload: { ...good, ...patch } })
    t.equal(res.statusCode, status, `${name}: ${res.body}`)
    t.equal(res.json().code, code, name)
    if (field != null) t.ok(res.json().fields?.some((f: { field: string }) => f.field === field), `${name} names ${field}`)
  }
  t.equal((await app.db.select().from(calls)).length, before, 'no call stored')

  // A program without any rubric: 409 RUBRIC_REQUIRED.
  await app.db.delete(rubrics).where(eq(rubrics.programCode, 'leading_platform'))
  const none = await app.inject({ method: 'POST', url: '/v1/calls', headers: auth(officer.token), payload: { ...good, program: 'leading_platform' } })
  t.equal(none.statusCode, 409)
  t.equal(none.json().code, 'RUBRIC_REQUIRED')
  t.match(none.json().message, /leading_platform has no rubric/)
  const zh = await app.inject({ method: 'POST', url: '/v1/calls', headers: { ...auth(officer.token), 'accept-language': 'zh-CN' }, payload: { ...good, program: 'leading_platform' } })
  t.match(zh.json().message, /尚无评分标准/)
})

t.test('who sees which calls; status filters; paging', async (t) => {
  const officer = await createStaff(app, 'officer')
  const reviewer = await createStaff(app, 'reviewer')
  const firm = await registerFirm(app)
  const open = await openCall(app, officer.token, { title: 'open', year: 2031 })
  const upcoming = await openCall(app, officer.token, { title: 'upcoming', year: 2031, opensAt: iso(2 * HOUR), closesAt: iso(5 * HOUR) })
  const closing = await openCall(app, officer.token, { title: 'closed', year: 2031, program: 'startup' })
  const closed = await app.inject({ method: 'PATCH', url: `/v1/calls/${closing.id}`, headers: auth(officer.token), payload: { closesAt: iso(-1000) } })
  t.equal(closed.statusCode, 200, closed.body)
  t.equal(closed.json().status, 'closed', 'closing early')

  // This subtest's calls are the ones of 2031.
  const titles = async (token: string, query = '') =>
    (await app.inject({ url: `/v1/calls?year=2031${query.replace('?', '&')}`, headers: auth(token) })).json().items.map((c: { title: string }) => c.title).sort()
  t.same(await titles(firm.token), ['open'], 'a firm lists the calls open now')
  t.same(await titles(firm.token, '?status=upcoming'), [], 'and nothing else, whatever it asks')
  t.same(await titles(officer.token), ['closed', 'open', 'upcoming'], 'staff list all')
  t.same(await titles(reviewer.token, '?status=open'), ['open'])
  t.same(await titles(officer.token, '?status=upcoming'), ['upcoming'])
  t.same(await titles(officer.token, '?status=closed'), ['closed'])
  t.same(await titles(officer.token, '?program=startup'), ['closed'])
  t.same((await app.inject({ url: '/v1/calls?year=2024', headers: auth(officer.token) })).json().items, [])

  t.equal((await app.inject({ url: `/v1/calls/${open.id}`, headers: auth(firm.token) })).statusCode, 200)
  const hidden = await app.inject({ url: `/v1/calls/${upcoming.id}`, headers: auth(firm.token) })
  const missing = await app.inject({ url: '/v1/calls/00000000-0000-4000-8000-000000000000', headers: auth(firm.token) })
  t.equal(hidden.statusCode, 404, 'a firm does not see an upcoming call')
  t.same(hidden.json(), missing.json(), 'exactly like a missing one')
  t.equal((await app.inject({ url: `/v1/calls/${upcoming.id}`, headers: auth(officer.token) })).statusCode, 200)

  // Paging one by one visits every call once, newest window first.
  const seen: string[] = []
  let cursor: string | null = null
  do {
    const res: any = await app.inject({ url: `/v1/calls?year=2031&limit=1${cursor != null ? `&cursor=${cursor}` : ''}`, headers: auth(officer.token) })
    t.equal(res.statusCode, 200)
    seen.push(...res.json().items.map((c: { id: string }) => c.id))
    cursor = res.json().nextCursor
  } while (cursor != null)
  const whole = (await app.inject({ url: '/v1/calls?year=2031', headers: auth(officer.token) })).json().items.map((c: { id: string }) => c.id)
  t.same(seen, whole, 'pages in the same order as one page')
  t.equal(new Set(seen).size, 3)
  t.equal(seen[0], upcoming.id, 'the latest opening first')
  const bad = await app.inject({ url: '/v1/calls?cursor=not-a-cursor', headers: auth(officer.token) })
  t.equal(bad.statusCode, 400)
  const forged = await app.inject({ url: `/v1/calls?cursor=${Buffer.from(JSON.stringify({ o: 'x', id: 'y' })).toString('base64url')}`, headers: auth(officer.token) })
  t.equal(forged.statusCode, 400, 'a forged cursor is a 400, never a 500')
})

t.test('officers change a call until it closes, audited', async (t) => {
  const officer = await createStaff(app, 'officer')
  const open = await openCall(app, officer.token)
  const upcoming = await openCall(app, officer.token, { opensAt: iso(2 * HOUR), closesAt: iso(5 * HOUR) })

  const retitle = await app.inject({ method: 'PATCH', url: `/v1/calls/${open.id}`, headers: auth(officer.token), payload: { title: 'New title', reviewersPerApplication: 5, closesAt: iso(72 * HOUR) } })
  t.equal(retitle.statusCode, 200, retitle.body)
  t.match(retitle.json(), { title: 'New title', reviewersPerApplication: 5, status: 'open' })

  const moveOpen = await app.inject({ method: 'PATCH', url: `/v1/calls/${open.id}`, headers: auth(officer.token), payload: { opensAt: iso(HOUR) } })
  t.equal(moveOpen.statusCode, 409)
  t.equal(moveOpen.json().code, 'INVALID_STATE', 'an open call keeps its opening time')

  const later = await app.inject({ method: 'PATCH', url: `/v1/calls/${upcoming.id}`, headers: auth(officer.token), payload: { opensAt: iso(3 * HOUR) } })
  t.equal(later.statusCode, 200, 'an upcoming call may move')
  const backwards = await app.inject({ method: 'PATCH', url: `/v1/calls/${upcoming.id}`, headers: auth(officer.token), payload: { closesAt: iso(2 * HOUR) } })
  t.equal(backwards.statusCode, 400, 'closing before opening')
  t.equal(backwards.json().code, 'VALIDATION_FAILED')
  const empty = await app.inject({ method: 'PATCH', url: `/v1/calls/${upcoming.id}`, headers: auth(officer.token), payload: {} })
  t.equal(empty.statusCode, 400)
  const program = await app.inject({ method: 'PATCH', url: `/v1/calls/${upcoming.id}`, headers: auth(officer.token), payload: { program: 'startup' } })
  t.equal(program.statusCode, 400, 'the program is not changeable')
  t.same(program.json().fields, [{ field: 'body.program', message: 'is not a field you may set' }])

  await app.inject({ method: 'PATCH', url: `/v1/calls/${open.id}`, headers: auth(officer.token), payload: { closesAt: new Date().toISOString() } })
  const afterClose = await app.inject({ method: 'PATCH', url: `/v1/calls/${open.id}`, headers: auth(officer.token), payload: { title: 'too late' } })
  t.equal(afterClose.statusCode, 409)
  t.equal(afterClose.json().code, 'CALL_CLOSED')
  const [row] = await app.db.select().from(calls).where(eq(calls.id, open.id))
  t.equal(row.title, 'New title', 'the refused change left nothing')

  const updates = await app.db.select().from(auditLog).where(and(eq(auditLog.action, 'call.update'), eq(auditLog.objectId, open.id)))
  t.equal(updates.length, 2, 'the retitle and the early close; refused changes are not audited')
  t.match(updates[0], { before: { title: '2025 创新型企业成长计划', reviewersPerApplication: 3 }, after: { title: 'New title', reviewersPerApplication: 5 } })

  const missing = await app.inject({ method: 'PATCH', url: '/v1/calls/00000000-0000-4000-8000-000000000000', headers: auth(officer.token), payload: { title: 'x' } })
  t.equal(missing.statusCode, 404)
})
