import t from 'tap'
import { eq } from 'drizzle-orm'
import { applications, calls, notifications } from '../db/schema/index.ts'
import { auth, buildTestApp, createStaff, registerFirm } from './helper.ts'
import { declare, multipartFile, noLoadShedding, openCall, PDF } from './application-fixtures.ts'

// What a call's notice carries, the self-check, required documents and the
// revision window of a returned application.

t.setTimeout(600_000)

const DAY = 24 * 3600_000
const REQUIRED = [
  { key: 'audit_report', nameZh: '审计报告', nameEn: 'Audit report' },
  { key: 'licence', nameZh: '营业执照', nameEn: 'Business licence' }
]

t.test('calls carry guidelines, required documents, quota, review due date and revision days', async (t) => {
  const app = await buildTestApp(t, noLoadShedding)
  const officer = await createStaff(app, 'officer')
  const plain = await openCall(app, officer.token)
  t.same([plain.guidelines, plain.requiredDocuments, plain.quota, plain.reviewDueAt, plain.revisionDays], ['', [], null, null, 10], 'defaults: revision days from policy')

  const due = new Date(Date.now() + 40 * DAY).toISOString()
  const call = await openCall(app, officer.token, { guidelines: '申报须知……', requiredDocuments: REQUIRED, quota: 5, reviewDueAt: due, revisionDays: 7 })
  t.same(call.requiredDocuments, REQUIRED)
  t.equal(call.quota, 5)
  t.equal(call.reviewDueAt, due)
  t.equal(call.revisionDays, 7)

  const twice = await app.inject({
    method: 'POST', url: '/v1/calls', headers: auth(officer.token),
    payload: { program: 'startup', year: 2025, title: 'x', opensAt: new Date().toISOString(), closesAt: due, reviewersPerApplication: 1, requiredDocuments: [REQUIRED[0], REQUIRED[0]] }
  })
  t.equal(twice.statusCode, 400)
  t.match(twice.json().fields[0].message, /listed twice/)

  // After the call closes only the commission's side may change.
  await app.db.update(calls).set({ opensAt: new Date(Date.now() - 10 * DAY), closesAt: new Date(Date.now() - DAY) }).where(eq(calls.id, call.id))
  const quota = await app.inject({ method: 'PATCH', url: `/v1/calls/${call.id}`, headers: auth(officer.token), payload: { quota: 3, revisionDays: 12 } })
  t.equal(quota.statusCode, 200, quota.body)
  t.same([quota.json().quota, quota.json().revisionDays], [3, 12])
  const title = await app.inject({ method: 'PATCH', url: `/v1/calls/${call.id}`, headers: auth(officer.token), payload: { title: '新标题' } })
  t.equal(title.statusCode, 409)
  t.equal(title.json().code, 'CALL_CLOSED')
  const [row] = await app.db.select().from(calls).where(eq(calls.id, call.id))
  t.equal(row.title, '2025 创新型企业成长计划', 'the refused change left the call as it was')
})

t.test('the self-check lists what is missing; submit refuses until the required documents are there', async (t) => {
  const app = await buildTestApp(t, noLoadShedding)
  const officer = await createStaff(app, 'officer')
  const firm = await registerFirm(app)
  const other = await registerFirm(app)
  const call = await openCall(app, officer.token, { requiredDocuments: REQUIRED })
  const created = await app.inject({ method: 'POST', url: '/v1/applications', headers: auth(firm.token), payload: { callId: call.id } })
  const id = created.json().id

  // Without a declaration: the check says so instead of failing.
  const early = await app.inject({ method: 'POST', url: `/v1/applications/${id}/check`, headers: auth(firm.token) })
  t.equal(early.statusCode, 200, early.body)
  t.equal(early.json().refusal, 'DECLARATION_REQUIRED')
  t.equal(early.json().missingDocuments.length, 2)

  // 2025: 10M revenue (below scale) fails the tier gate; R&D 5% passes.
  await declare(app, firm, 2025, { operatingRevenue: '10000000.00', rdExpense: '500000.00' })
  const check = await app.inject({ method: 'POST', url: `/v1/applications/${id}/check`, headers: auth(firm.token) })
  t.equal(check.statusCode, 200)
  const c = check.json()
  t.equal(c.eligible, false)
  t.same(c.failedGates.map((g: any) => g.gate), ['tier_at_least'])
  t.same(c.missingDocuments.map((d: any) => d.key), ['audit_report', 'licence'])
  t.equal(c.windowOpen, true)
  t.equal(c.refusal, null)
  const [unchanged] = await app.db.select().from(applications).where(eq(applications.id, id))
  t.same([unchanged.state, unchanged.version, unchanged.snapshot], ['draft', 1, null], 'the check changed nothing')
  t.equal((await app.inject({ method: 'POST', url: `/v1/applications/${id}/check`, headers: auth(other.token) })).statusCode, 404, 'another firm: 404')
  t.equal((await app.inject({ method: 'POST', url: `/v1/applications/${id}/check`, headers: auth(officer.token) })).statusCode, 403)

  await declare(app, firm, 2025, { operatingRevenue: '50000000.00', rdExpense: '2500000.00' })
  const upload = async (kind: string | undefined) => {
    const m = multipartFile('审计报告.pdf', PDF, 'application/pdf', 'file', kind == null ? {} : { kind })
    return await app.inject({ method: 'POST', url: `/v1/applications/${id}/documents`, headers: { ...auth(firm.token), ...m.headers }, payload: m.payload })
  }
  const unknown = await upload('tax_return')
  t.equal(unknown.statusCode, 400)
  t.match(unknown.json().fields[0], { field: 'kind' })
  const first = await upload('audit_report')
  t.equal(first.statusCode, 201, first.body)
  t.equal(first.json().kind, 'audit_report')
  t.equal((await upload(undefined)).json().kind, null, 'an extra document without a kind')

  const refused = await app.inject({ method: 'POST', url: `/v1/applications/${id}/submit`, headers: auth(firm.token) })
  t.equal(refused.statusCode, 409)
  t.equal(refused.json().code, 'MISSING_DOCUMENTS')
  t.same(refused.json().details.missingDocuments.map((d: any) => d.key), ['licence'])
  t.match(refused.json().message, /Business licence/)

  t.equal((await upload('licence')).statusCode, 201)
  const ok = await app.inject({ method: 'POST', url: `/v1/applications/${id}/check`, headers: auth(firm.token) })
  t.same([ok.json().eligible, ok.json().missingDocuments, ok.json().declarationYear], [true, [], 2025])
  t.ok(ok.json().autoScores.total != null, 'the automatic scores')
  const submitted = await app.inject({ method: 'POST', url: `/v1/applications/${id}/submit`, headers: auth(firm.token) })
  t.equal(submitted.statusCode, 200, submitted.body)
  t.equal(submitted.json().state, 'submitted')
  t.same(submitted.json().snapshot.documents.map((d: any) => d.kind ?? null).sort(), ['audit_report', 'licence', null].sort())
  const after = await app.inject({ method: 'POST', url: `/v1/applications/${id}/check`, headers: auth(firm.token) })
  t.equal(after.statusCode, 409, 'a submitted application has nothing to check')
})

t.test('a returned application is resubmitted within its revision days, even after the call closed', async (t) => {
  const app = await buildTestApp(t, noLoadShedding)
  const officer = await createStaff(app, 'officer')
  const firmA = await registerFirm(app)
  const firmB = await registerFirm(app)
  const call = await openCall(app, officer.token, { revisionDays: 5 })
  const ids: string[] = []
  for (const firm of [firmA, firmB]) {
    await declare(app, firm, 2025, { operatingRevenue: '50000000.00', rdExpense: '2500000.00' })
    const created = await app.inject({ method: 'POST', url: '/v1/applications', headers: auth(firm.token), payload: { callId: call.id } })
    const id = created.json().id
    ids.push(id)
    t.equal((await app.inject({ method: 'POST', url: `/v1/applications/${id}/submit`, headers: auth(firm.token) })).statusCode, 200)
    const returned = await app.inject({ method: 'POST', url: `/v1/applications/${id}/return`, headers: auth(officer.token), payload: { reason: '请补充知识产权证明' } })
    t.equal(returned.statusCode, 200, returned.body)
    const due = new Date(returned.json().revisionDueAt).getTime()
    t.ok(Math.abs(due - (Date.now() + 5 * DAY)) < 60_000, 'the deadline is five days from the return')
  }
  const view = await app.inject({ url: `/v1/applications/${ids[0]}`, headers: auth(firmA.token) })
  t.ok(view.json().revisionDueAt != null && view.json().returnedAt != null, 'the firm sees the deadline')
  const [note] = await app.db.select().from(notifications).where(eq(notifications.userId, firmA.userId))
  t.equal(note.kind, 'application_returned')
  t.equal(note.payload.revisionDueAt, view.json().revisionDueAt, 'the notification carries the deadline')
  t.equal(note.payload.revisionDays, 5)

  // The call closed two days ago. A was returned three days ago (two days left);
  // B six days ago (its five days are over).
  const now = Date.now()
  await app.db.update(calls).set({ opensAt: new Date(now - 20 * DAY), closesAt: new Date(now - 2 * DAY) }).where(eq(calls.id, call.id))
  await app.db.update(applications).set({ returnedAt: new Date(now - 3 * DAY), revisionDueAt: new Date(now + 2 * DAY) }).where(eq(applications.id, ids[0]))
  await app.db.update(applications).set({ returnedAt: new Date(now - 6 * DAY), revisionDueAt: new Date(now - DAY) }).where(eq(applications.id, ids[1]))

  const checkA = await app.inject({ method: 'POST', url: `/v1/applications/${ids[0]}/check`, headers: auth(firmA.token) })
  t.same([checkA.json().windowOpen, checkA.json().refusal], [true, null])
  const resubmitted = await app.inject({ method: 'POST', url: `/v1/applications/${ids[0]}/submit`, headers: auth(firmA.token) })
  t.equal(resubmitted.statusCode, 200, resubmitted.body)
  t.equal(resubmitted.json().state, 'submitted')

  const checkB = await app.inject({ method: 'POST', url: `/v1/applications/${ids[1]}/check`, headers: auth(firmB.token) })
  t.same([checkB.json().windowOpen, checkB.json().refusal], [false, 'REVISION_CLOSED'])
  const late = await app.inject({ method: 'POST', url: `/v1/applications/${ids[1]}/submit`, headers: auth(firmB.token) })
  t.equal(late.statusCode, 409)
  t.equal(late.json().code, 'REVISION_CLOSED')
  t.ok(late.json().details.revisionDueAt != null)
  const [b] = await app.db.select().from(applications).where(eq(applications.id, ids[1]))
  t.equal(b.state, 'returned', 'nothing changed')

  // A draft (never submitted) still gets CALL_CLOSED after the window.
  const firmC = await registerFirm(app)
  await app.db.update(calls).set({ closesAt: new Date(now + DAY) }).where(eq(calls.id, call.id))
  const draft = await app.inject({ method: 'POST', url: '/v1/applications', headers: auth(firmC.token), payload: { callId: call.id } })
  await app.db.update(calls).set({ closesAt: new Date(now - 2 * DAY) }).where(eq(calls.id, call.id))
  const closed = await app.inject({ method: 'POST', url: `/v1/applications/${draft.json().id}/submit`, headers: auth(firmC.token) })
  t.equal(closed.json().code, 'CALL_CLOSED')
})
