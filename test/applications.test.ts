import t from 'tap'
import { and, eq } from 'drizzle-orm'
import { applications, auditLog, idempotencyKeys } from '../db/schema/index.ts'
import { adminToken, auth, buildTestApp, createStaff, registerFirm } from './helper.ts'
import { declare, multipartFile, noLoadShedding, openCall, PDF } from './application-fixtures.ts'

const MISSING = '00000000-0000-4000-8000-000000000000'

// One app (one database) for the file: building one takes seconds on a busy
// machine. Each subtest uses its own firms and calls, and scopes what it counts.
t.setTimeout(600_000)
const app = await buildTestApp(t, noLoadShedding)

t.test('done when: a firm declares, applies, edits and submits; R&D 1% is ineligible; others get 404; all audited', async (t) => {
  const officer = await createStaff(app, 'officer')
  const admin = await adminToken(app)
  const firm = await registerFirm(app, { domains: ['big_data'], foundedOn: '2016-04-01' })
  const lowRd = await registerFirm(app, { domains: ['ai'], foundedOn: '2016-04-01' })
  const stranger = await registerFirm(app)

  t.equal(await declare(app, firm, 2024, { operatingRevenue: '120000000.00', rdExpense: '5000000.00' }), 'hundred_million')
  t.equal(await declare(app, firm, 2025, { operatingRevenue: '150000000.00', rdExpense: '6000000.00' }), 'hundred_million')
  t.equal(await declare(app, lowRd, 2025, { operatingRevenue: '150000000.00', rdExpense: '1500000.00' }), 'hundred_million')
  const call = await openCall(app, officer.token, { program: 'innovative_growth', year: 2025 })

  const listed = await app.inject({ url: '/v1/calls', headers: auth(firm.token) })
  t.same(listed.json().items.map((c: { id: string }) => c.id), [call.id], 'the firm sees the open call')

  const created = await app.inject({ method: 'POST', url: '/v1/applications', headers: auth(firm.token), payload: { callId: call.id, statement: '初稿' } })
  t.equal(created.statusCode, 201, created.body)
  const draft = created.json()
  t.match(draft, { callId: call.id, program: 'innovative_growth', enterpriseId: firm.enterpriseId, state: 'draft', version: 1, statement: '初稿', eligibility: null, snapshot: null })
  t.equal(created.headers.etag, '"1"')

  const edited = await app.inject({ method: 'PATCH', url: `/v1/applications/${draft.id}`, headers: { ...auth(firm.token), 'if-match': '"1"' }, payload: { statement: '我们的大数据平台……' } })
  t.equal(edited.statusCode, 200, edited.body)
  t.match(edited.json(), { state: 'draft', version: 2, statement: '我们的大数据平台……' })
  t.equal(edited.headers.etag, '"2"')

  const submitted = await app.inject({ method: 'POST', url: `/v1/applications/${draft.id}/submit`, headers: auth(firm.token) })
  t.equal(submitted.statusCode, 200, submitted.body)
  const s = submitted.json()
  t.match(s, { state: 'submitted', version: 3, declarationYear: 2025, eligibility: { passed: true, failedGates: [] } })
  t.ok(s.submittedAt)
  t.match(s.snapshot, {
    call: { id: call.id, program: 'innovative_growth', year: 2025, rubricId: call.rubricId },
    enterprise: { id: firm.enterpriseId, uscc: firm.uscc, domains: ['big_data'], foundedOn: '2016-04-01' },
    declaration: { year: 2025, tierCode: 'hundred_million', operatingRevenue: '150000000.00', rdExpense: '6000000.00' },
    previousDeclaration: { year: 2024, operatingRevenue: '120000000.00' },
    documents: []
  })
  t.equal(s.autoScores, null, 'the firm does not see auto-scores before the decision')
  const asOfficer = await app.inject({ url: `/v1/applications/${draft.id}`, headers: auth(officer.token) })
  t.equal(asOfficer.statusCode, 200)
  const rd = asOfficer.json().autoScores.indicators.find((i: { key: string }) => i.key === 'rd_intensity')
  t.match(rd, { points: '15.00', value: '0.0400' }, 'officers see the auto-scored indicators (4% R&D → 15 of 20)')
  const growth = asOfficer.json().autoScores.indicators.find((i: { key: string }) => i.key === 'revenue_growth')
  t.match(growth, { points: '20.00', value: '0.2500' }, 'growth on the previous year\'s declaration')

  // The snapshot is frozen: a later correction of the declaration does not change it.
  await declare(app, firm, 2025, { operatingRevenue: '90000000.00', rdExpense: '100.00' })
  const reread = await app.inject({ url: `/v1/applications/${draft.id}`, headers: auth(firm.token) })
  t.equal(reread.json().snapshot.declaration.operatingRevenue, '150000000.00')
  t.equal(reread.headers.etag, '"3"')

  // R&D at 1%: ineligible, with the reason.
  const second = (await app.inject({ method: 'POST', url: '/v1/applications', headers: auth(lowRd.token), payload: { callId: call.id } })).json()
  const inel = await app.inject({ method: 'POST', url: `/v1/applications/${second.id}/submit`, headers: auth(lowRd.token) })
  t.equal(inel.statusCode, 200, inel.body)
  t.match(inel.json(), { state: 'ineligible', eligibility: { passed: false } })
  t.same(inel.json().eligibility.failedGates, [{
    gate: 'rd_intensity_at_least', required: '0.03', actual: '0.0100',
    message: 'R&D spending is 1% of operating revenue; the program requires at least 3%',
    messageZh: '研发投入占营业收入比重为 1%,本计划要求不低于 3%'
  }])
  t.equal(inel.json().autoScores, null)

  // Another firm: 404 on everything, exactly like a missing id.
  const missing = await app.inject({ url: `/v1/applications/${MISSING}`, headers: auth(stranger.token) })
  for (const [method, url, payload, headers] of [
    ['GET', `/v1/applications/${draft.id}`, undefined, {}],
    ['PATCH', `/v1/applications/${second.id}`, { statement: 'x' }, { 'if-match': '1' }],
    ['POST', `/v1/applications/${draft.id}/withdraw`, undefined, {}],
    ['POST', `/v1/applications/${second.id}/submit`, undefined, {}],
    ['GET', `/v1/applications/${draft.id}/documents`, undefined, {}]
  ] as const) {
    const res = await app.inject({ method, url, payload, headers: { ...auth(stranger.token), ...headers } })
    t.equal(res.statusCode, 404, `${method} ${url} by another firm`)
    t.same(res.json(), missing.json(), 'the same body as a missing application')
  }
  const theirs = await app.inject({ url: '/v1/applications', headers: auth(stranger.token) })
  t.same(theirs.json(), { items: [], nextCursor: null }, 'and its list is empty')
  const mine = await app.inject({ url: '/v1/applications', headers: auth(firm.token) })
  t.same(mine.json().items.map((a: { id: string }) => a.id), [draft.id])

  const trail = await app.inject({ url: `/v1/audit?objectType=application&objectId=${draft.id}`, headers: auth(admin) })
  t.same(trail.json().items.map((e: { action: string }) => e.action).reverse(), ['application.create', 'application.update', 'application.submit'])
  const submitEntry = trail.json().items[0]
  t.match(submitEntry, { actorId: firm.userId, actorRole: 'enterprise', before: { state: 'draft', version: 2 }, after: { state: 'submitted', version: 3, declarationYear: 2025 } })
  t.ok(submitEntry.requestId, 'with the request id')
  const inelTrail = await app.db.select().from(auditLog).where(and(eq(auditLog.objectId, second.id), eq(auditLog.action, 'application.submit')))
  t.match(inelTrail[0].after, { state: 'ineligible', eligibility: { passed: false } })
  const firmTrail = await app.inject({ url: `/v1/audit?actorId=${firm.userId}&limit=500`, headers: auth(admin) })
  t.same(firmTrail.json().items.map((e: { action: string }) => e.action).reverse(), [
    'enterprise.register', 'user.create', 'user.confirm_email', 'declaration.create', 'declaration.create', 'application.create', 'application.update', 'application.submit', 'declaration.update'
  ], 'every step of the firm, in order')
  const verify = await app.inject({ url: '/v1/audit/verify', headers: auth(admin) })
  t.equal(verify.json().intact, true)
})

t.test('one live application per firm and call; Idempotency-Key replays', async (t) => {
  const officer = await createStaff(app, 'officer')
  const firm = await registerFirm(app)
  const call = await openCall(app, officer.token)
  const key = { ...auth(firm.token), 'idempotency-key': 'apply-2025-1' }

  const first = await app.inject({ method: 'POST', url: '/v1/applications', headers: key, payload: { callId: call.id, statement: 'a' } })
  t.equal(first.statusCode, 201)
  const replay = await app.inject({ method: 'POST', url: '/v1/applications', headers: key, payload: { callId: call.id, statement: 'a' } })
  t.equal(replay.statusCode, 201, 'the same key and body replay the first response')
  t.same(replay.json(), first.json())
  t.equal(replay.headers['idempotent-replayed'], 'true')
  const other = await app.inject({ method: 'POST', url: '/v1/applications', headers: key, payload: { callId: call.id, statement: 'b' } })
  t.equal(other.statusCode, 422)
  t.equal(other.json().code, 'IDEMPOTENCY_KEY_REUSED')
  const rows = await app.db.select().from(applications).where(eq(applications.enterpriseId, firm.enterpriseId))
  t.equal(rows.length, 1, 'one row')
  const creates = await app.db.select().from(auditLog).where(and(eq(auditLog.action, 'application.create'), eq(auditLog.actorId, firm.userId)))
  t.equal(creates.length, 1, 'one audit entry')

  const again = await app.inject({ method: 'POST', url: '/v1/applications', headers: auth(firm.token), payload: { callId: call.id } })
  t.equal(again.statusCode, 409)
  t.equal(again.json().code, 'APPLICATION_EXISTS')
  const otherKey = await app.inject({ method: 'POST', url: '/v1/applications', headers: { ...auth(firm.token), 'idempotency-key': 'apply-2025-2' }, payload: { callId: call.id } })
  t.equal(otherKey.statusCode, 409, 'a new key does not make a second live application')
  t.equal((await app.db.select().from(idempotencyKeys).where(eq(idempotencyKeys.userId, firm.userId))).length, 1, 'a failed attempt leaves no key behind')

  // Withdrawn frees the place.
  const withdrawn = await app.inject({ method: 'POST', url: `/v1/applications/${first.json().id}/withdraw`, headers: auth(firm.token) })
  t.equal(withdrawn.statusCode, 200)
  t.match(withdrawn.json(), { state: 'withdrawn', version: 2 })
  const fresh = await app.inject({ method: 'POST', url: '/v1/applications', headers: auth(firm.token), payload: { callId: call.id } })
  t.equal(fresh.statusCode, 201, 'a new application after withdrawal')
  const twice = await app.inject({ method: 'POST', url: `/v1/applications/${first.json().id}/withdraw`, headers: auth(firm.token) })
  t.equal(twice.statusCode, 409)
  t.equal(twice.json().code, 'INVALID_STATE')

  const unknownCall = await app.inject({ method: 'POST', url: '/v1/applications', headers: auth(firm.token), payload: { callId: MISSING } })
  t.equal(unknownCall.statusCode, 400)
  t.equal(unknownCall.json().code, 'UNKNOWN_REFERENCE')
  const upcoming = await openCall(app, officer.token, {
    opensAt: new Date(Date.now() + 3600_000).toISOString(), closesAt: new Date(Date.now() + 7200_000)
      .toISOString()
  })
  const early = await app.inject({ method: 'POST', url: '/v1/applications', headers: auth(firm.token), payload: { callId: upcoming.id } })
  t.equal(early.statusCode, 409)
  t.equal(early.json().code, 'CALL_CLOSED')
  const badKey = await app.inject({ method: 'POST', url: '/v1/applications', headers: { ...auth(firm.token), 'idempotency-key': 'k'.repeat(256) }, payload: { callId: call.id } })
  t.equal(badKey.statusCode, 400)
})

t.test('races: two creations, two edits of the same version, two submits — one wins, the rest is refused', async (t) => {
  const officer = await createStaff(app, 'officer')
  const firm = await registerFirm(app)
  await declare(app, firm, 2025, { operatingRevenue: '150000000.00', rdExpense: '6000000.00' })
  const call = await openCall(app, officer.token)
  const created = await Promise.all([1, 2, 3].map(async () =>
    await app.inject({ method: 'POST', url: '/v1/applications', headers: auth(firm.token), payload: { callId: call.id } })))
  t.same(created.map(r => r.statusCode).sort(), [201, 409, 409], 'one live application')
  const id = created.find(r => r.statusCode === 201)?.json().id
  t.equal((await app.db.select().from(applications).where(eq(applications.enterpriseId, firm.enterpriseId))).length, 1)

  const edits = await Promise.all(['a', 'b'].map(async (statement) =>
    await app.inject({ method: 'PATCH', url: `/v1/applications/${id}`, headers: { ...auth(firm.token), 'if-match': '1' }, payload: { statement } })))
  t.same(edits.map(r => r.statusCode).sort(), [200, 412], 'no lost update')
  const winner = edits.find(r => r.statusCode === 200)?.json().statement
  const [row] = await app.db.select().from(applications).where(eq(applications.id, id))
  t.match(row, { version: 2, statement: winner })

  const submits = await Promise.all([1, 2].map(async () =>
    await app.inject({ method: 'POST', url: `/v1/applications/${id}/submit`, headers: auth(firm.token) })))
  t.same(submits.map(r => r.statusCode).sort(), [200, 409], 'submitted once')
  const audits = await app.db.select().from(auditLog).where(and(eq(auditLog.objectId, id), eq(auditLog.action, 'application.submit')))
  t.equal(audits.length, 1)
})

t.test('edits: If-Match required and checked, forbidden fields named, frozen after submit', async (t) => {
  const officer = await createStaff(app, 'officer')
  const firm = await registerFirm(app)
  const call = await openCall(app, officer.token)
  const draft = (await app.inject({ method: 'POST', url: '/v1/applications', headers: auth(firm.token), payload: { callId: call.id } })).json()
  const url = `/v1/applications/${draft.id}`

  const none = await app.inject({ method: 'PATCH', url, headers: auth(firm.token), payload: { statement: 'x' } })
  t.equal(none.statusCode, 428)
  t.equal(none.json().code, 'PRECONDITION_REQUIRED')
  // RFC 9110: a tag that is not a version can match nothing: 412, as on every route.
  const garbled = await app.inject({ method: 'PATCH', url, headers: { ...auth(firm.token), 'if-match': 'latest' }, payload: { statement: 'x' } })
  t.equal(garbled.statusCode, 412)
  t.equal(garbled.json().code, 'VERSION_MISMATCH')
  const ok = await app.inject({ method: 'PATCH', url, headers: { ...auth(firm.token), 'if-match': '1' }, payload: { statement: 'first edit' } })
  t.equal(ok.statusCode, 200)
  const stale = await app.inject({ method: 'PATCH', url, headers: { ...auth(firm.token), 'if-match': '1' }, payload: { statement: 'lost update' } })
  t.equal(stale.statusCode, 412)
  t.equal(stale.json().code, 'VERSION_MISMATCH')
  const weak = await app.inject({ method: 'PATCH', url, headers: { ...auth(firm.token), 'if-match': 'W/"2"' }, payload: { statement: 'weak' } })
  t.equal(weak.statusCode, 412, 'a weak ETag never matches for If-Match (RFC 9110 13.1.1)')
  t.equal(weak.json().code, 'VERSION_MISMATCH')
  const strong = await app.inject({ method: 'PATCH', url, headers: { ...auth(firm.token), 'if-match': '"2"' }, payload: { statement: 'second edit' } })
  t.equal(strong.statusCode, 200, 'the strong ETag of the current version is accepted')

  for (const field of ['state', 'score', 'enterpriseId', 'version', 'eligibility', 'callId']) {
    const res = await app.inject({ method: 'PATCH', url, headers: { ...auth(firm.token), 'if-match': '3' }, payload: { statement: 'x', [field]: field === 'score' ? { total: 100 } : 'submitted' } })
    t.equal(res.statusCode, 400, `${field} is refused`)
    t.same(res.json().fields, [{ field: `body.${field}`, message: 'is not a field you may set' }])
  }
  const nul = await app.inject({ method: 'PATCH', url, headers: { ...auth(firm.token), 'if-match': '3' }, payload: { statement: 'bad\u0000' } })
  t.equal(nul.statusCode, 400, 'control characters refused')
  const [row] = await app.db.select().from(applications).where(eq(applications.id, draft.id))
  t.match(row, { state: 'draft', version: 3, statement: 'second edit', score: null }, 'nothing refused was stored')

  const noDecl = await app.inject({ method: 'POST', url: `${url}/submit`, headers: auth(firm.token) })
  t.equal(noDecl.statusCode, 409)
  t.equal(noDecl.json().code, 'DECLARATION_REQUIRED', 'no declaration yet')
  await declare(app, firm, 2026, { operatingRevenue: '50000000.00', rdExpense: '5000000.00' })
  const future = await app.inject({ method: 'POST', url: `${url}/submit`, headers: auth(firm.token) })
  t.equal(future.json().code, 'DECLARATION_REQUIRED', 'a declaration after the call year does not count')
  await declare(app, firm, 2023, { operatingRevenue: '50000000.00', rdExpense: '5000000.00' })
  const staleSubmit = await app.inject({ method: 'POST', url: `${url}/submit`, headers: { ...auth(firm.token), 'if-match': '2' } })
  t.equal(staleSubmit.statusCode, 412, 'If-Match is honoured on submit when sent')
  const submitted = await app.inject({ method: 'POST', url: `${url}/submit`, headers: auth(firm.token) })
  t.equal(submitted.statusCode, 200)
  t.match(submitted.json(), { state: 'submitted', declarationYear: 2023, snapshot: { previousDeclaration: null } }, 'the most recent year up to the call year')

  const frozen = await app.inject({ method: 'PATCH', url, headers: { ...auth(firm.token), 'if-match': '4' }, payload: { statement: 'after submit' } })
  t.equal(frozen.statusCode, 409)
  t.equal(frozen.json().code, 'INVALID_STATE')
  const resubmit = await app.inject({ method: 'POST', url: `${url}/submit`, headers: auth(firm.token) })
  t.equal(resubmit.statusCode, 409)
  t.equal(resubmit.json().code, 'INVALID_STATE')

  // Returned for revision (the reviews module's route; set directly here): editable and submittable again.
  await app.db.update(applications).set({ state: 'returned', returnReason: 'Attach the audit report', version: 5 }).where(eq(applications.id, draft.id))
  const revised = await app.inject({ method: 'PATCH', url, headers: { ...auth(firm.token), 'if-match': '5' }, payload: { statement: 'revised' } })
  t.equal(revised.statusCode, 200)
  t.match(revised.json(), { state: 'returned', returnReason: 'Attach the audit report', version: 6 })
  const resubmitted = await app.inject({ method: 'POST', url: `${url}/submit`, headers: auth(firm.token) })
  t.equal(resubmitted.json().state, 'submitted')

  // Decided: no withdrawal; the firm now sees its score.
  await app.db.update(applications).set({ state: 'rejected', decision: 'reject', score: { total: '55.00', pass: false } }).where(eq(applications.id, draft.id))
  const hidden = await app.inject({ url, headers: auth(firm.token) })
  t.equal(hidden.json().score, null, 'no score for the firm before the decision is recorded')
  t.same((await app.inject({ url, headers: auth(officer.token) })).json().score, { total: '55.00', pass: false }, 'officers always see it')
  await app.db.update(applications).set({ decidedAt: new Date() }).where(eq(applications.id, draft.id))
  t.same((await app.inject({ url, headers: auth(firm.token) })).json().score, { total: '55.00', pass: false }, 'after the decision the firm sees it')
  const late = await app.inject({ method: 'POST', url: `${url}/withdraw`, headers: auth(firm.token) })
  t.equal(late.statusCode, 409)
  t.equal(late.json().code, 'INVALID_STATE')
})

t.test('submitting outside the window is CALL_CLOSED', async (t) => {
  const officer = await createStaff(app, 'officer')
  const firm = await registerFirm(app)
  await declare(app, firm, 2025, { operatingRevenue: '150000000.00', rdExpense: '6000000.00' })
  const call = await openCall(app, officer.token)
  const draft = (await app.inject({ method: 'POST', url: '/v1/applications', headers: auth(firm.token), payload: { callId: call.id } })).json()
  await app.inject({ method: 'PATCH', url: `/v1/calls/${call.id}`, headers: auth(officer.token), payload: { closesAt: new Date().toISOString() } })
  const res = await app.inject({ method: 'POST', url: `/v1/applications/${draft.id}/submit`, headers: auth(firm.token) })
  t.equal(res.statusCode, 409)
  t.equal(res.json().code, 'CALL_CLOSED')
  const [row] = await app.db.select().from(applications).where(eq(applications.id, draft.id))
  t.match(row, { state: 'draft', version: 1, snapshot: null }, 'nothing changed')
  const withdrawn = await app.inject({ method: 'POST', url: `/v1/applications/${draft.id}/withdraw`, headers: auth(firm.token) })
  t.equal(withdrawn.statusCode, 200, 'withdrawal does not need an open call')
})

t.test('lists: visibility, filters and paging', async (t) => {
  const officer = await createStaff(app, 'officer')
  const reviewer = await createStaff(app, 'reviewer')
  const analyst = await createStaff(app, 'analyst')
  const growth = await openCall(app, officer.token)
  const startup = await openCall(app, officer.token, { program: 'startup' })
  const firms = [await registerFirm(app), await registerFirm(app), await registerFirm(app)]
  const ids: string[] = []
  for (const f of firms) {
    for (const c of [growth, startup]) {
      ids.push((await app.inject({ method: 'POST', url: '/v1/applications', headers: auth(f.token), payload: { callId: c.id } })).json().id)
    }
  }
  await app.inject({ method: 'POST', url: `/v1/applications/${ids[0]}/withdraw`, headers: auth(firms[0].token) })

  const list = async (token: string, q = '') => (await app.inject({ url: `/v1/applications${q}`, headers: auth(token) })).json()
  const both = (await list(officer.token)).items.filter((a: { callId: string }) => a.callId === growth.id || a.callId === startup.id)
  t.equal(both.length, 6, 'officers see every application')
  t.equal((await list(officer.token, `?callId=${startup.id}`)).items.length, 3)
  t.equal((await list(officer.token, `?callId=${growth.id}&program=innovative_growth`)).items.length, 3)
  t.equal((await list(officer.token, `?callId=${growth.id}&program=startup`)).items.length, 0)
  t.same((await list(officer.token, `?callId=${growth.id}&state=withdrawn`)).items.map((a: { id: string }) => a.id), [ids[0]])
  t.equal((await list(officer.token, `?enterpriseId=${firms[1].enterpriseId}`)).items.length, 2)
  t.same((await list(firms[1].token)).items.map((a: { id: string }) => a.id).sort(), [ids[2], ids[3]].sort(), 'a firm: its own only')
  t.same((await list(firms[1].token, `?enterpriseId=${firms[0].enterpriseId}`)).items, [], 'a filter cannot widen what a firm sees')
  t.same((await list(reviewer.token)).items, [], 'reviewers: only assigned ones (none yet)')
  t.equal((await app.inject({ url: `/v1/applications/${ids[1]}`, headers: auth(reviewer.token) })).statusCode, 404)
  t.equal((await app.inject({ url: '/v1/applications', headers: auth(analyst.token) })).statusCode, 403, 'analysts never list single applications')
  t.notOk('snapshot' in (await list(officer.token)).items[0], 'lists carry summaries')

  const seen: string[] = []
  let cursor: string | null = null
  do {
    const p: any = await list(officer.token, `?callId=${startup.id}&limit=2${cursor != null ? `&cursor=${cursor}` : ''}`)
    seen.push(...p.items.map((a: { id: string }) => a.id))
    cursor = p.nextCursor
  } while (cursor != null)
  t.same(seen, [ids[5], ids[3], ids[1]], 'newest first, every one once')
  t.equal((await app.inject({ url: '/v1/applications?limit=501', headers: auth(officer.token) })).statusCode, 400)
  t.equal((await app.inject({ url: '/v1/applications?state=approved', headers: auth(officer.token) })).statusCode, 400)
})

t.test('eligibility gates are policy data: admins read and replace them, audited', async (t) => {
  const admin = await adminToken(app)
  const officer = await createStaff(app, 'officer')
  const firm = await registerFirm(app)
  await declare(app, firm, 2025, { operatingRevenue: '150000000.00', rdExpense: '1500000.00' })
  const url = '/v1/admin/eligibility-gates'

  const current = await app.inject({ url, headers: auth(admin) })
  t.equal(current.statusCode, 200)
  t.same(current.json().innovative_growth, [{ gate: 'tier_at_least', tier: 'above_scale' }, { gate: 'rd_intensity_at_least', ratio: '0.03' }])
  const gates = { ...current.json(), innovative_growth: [{ gate: 'tier_at_least', tier: 'above_scale' }, { gate: 'rd_intensity_at_least', ratio: '0.01' }] }

  const bad: Array<[string, unknown, string]> = [
    ['missing program', { startup: [], innovative_growth: [] }, 'body.leading_platform'],
    ['unknown program', { ...gates, blockchain: [] }, 'body.blockchain'],
    ['unknown gate', { ...gates, startup: [{ gate: 'has_office_in_dalian' }] }, 'body.startup.0'],
    ['unknown tier', { ...gates, startup: [{ gate: 'tier_below', tier: 'trillion' }] }, 'body.startup.0'],
    ['ratio above 1', { ...gates, startup: [{ gate: 'rd_intensity_at_least', ratio: '3' }] }, 'body.startup.0'],
    ['twice the same gate', { ...gates, startup: [{ gate: 'tier_below', tier: 'billion' }, { gate: 'tier_below', tier: 'billion' }] }, 'body.startup.1.gate']
  ]
  for (const [name, body, field] of bad) {
    const res = await app.inject({ method: 'PUT', url, headers: auth(admin), payload: body as object })
    t.equal(res.statusCode, 400, `${name}: ${res.body}`)
    t.equal(res.json().code, 'VALIDATION_FAILED', name)
    t.ok(res.json().fields?.some((f: { field: string }) => f.field.startsWith(field)), `${name} names ${field}: ${JSON.stringify(res.json().fields)}`)
  }
  const unchanged = await app.inject({ url, headers: auth(admin) })
  t.same(unchanged.json(), current.json(), 'refused changes left the policy alone')

  const put = await app.inject({ method: 'PUT', url, headers: auth(admin), payload: gates })
  t.equal(put.statusCode, 200, put.body)
  t.same(put.json(), gates)
  t.same((await app.inject({ url, headers: auth(admin) })).json(), gates)
  const [entry] = await app.db.select().from(auditLog).where(eq(auditLog.action, 'eligibility_gates.update'))
  t.match(entry, { objectType: 'policy_setting', objectId: 'eligibility_gates', before: { innovative_growth: [{}, { ratio: '0.03' }] }, after: { innovative_growth: [{}, { ratio: '0.01' }] } })

  // The new policy applies to the next submission: 1% now passes.
  const call = await openCall(app, officer.token)
  const draft = (await app.inject({ method: 'POST', url: '/v1/applications', headers: auth(firm.token), payload: { callId: call.id } })).json()
  const res = await app.inject({ method: 'POST', url: `/v1/applications/${draft.id}/submit`, headers: auth(firm.token) })
  t.match(res.json(), { state: 'submitted', eligibility: { passed: true } })
  t.equal((await app.inject({ url, headers: auth(officer.token) })).statusCode, 403)
  // Put the default back for the other tests of this file.
  t.equal((await app.inject({ method: 'PUT', url, headers: auth(admin), payload: current.json() })).statusCode, 200)
})

t.test('role × endpoint', async (t) => {
  const officer = await createStaff(app, 'officer')
  const tokens: Record<string, string | null> = {
    anonymous: null,
    enterprise: '',
    reviewer: (await createStaff(app, 'reviewer')).token,
    officer: officer.token,
    analyst: (await createStaff(app, 'analyst')).token,
    admin: await adminToken(app)
  }
  const firm = await registerFirm(app)
  tokens.enterprise = firm.token
  await declare(app, firm, 2025, { operatingRevenue: '150000000.00', rdExpense: '6000000.00' })
  const call = await openCall(app, officer.token)
  const application = (await app.inject({ method: 'POST', url: '/v1/applications', headers: auth(firm.token), payload: { callId: call.id } })).json()
  const upload = multipartFile('report.pdf', PDF)
  const doc = (await app.inject({ method: 'POST', url: `/v1/applications/${application.id}/documents`, headers: { ...auth(firm.token), ...upload.headers }, payload: upload.payload })).json()
  const gates = (await app.inject({ url: '/v1/admin/eligibility-gates', headers: auth(tokens.admin as string) })).json()
  const newCall = { program: 'startup', year: 2025, title: 'x', opensAt: new Date(Date.now() - 1000).toISOString(), closesAt: new Date(Date.now() + 3600_000).toISOString(), reviewersPerApplication: 1 }
  const declDocs = `/v1/enterprises/${firm.enterpriseId}/declarations/2025/documents`

  type Row = [string, string, (() => { payload?: unknown, headers?: Record<string, string> }) | null, Record<string, number>]
  const A = 401
  const F = 403
  // role order: anonymous, enterprise, reviewer, officer, analyst, admin
  const matrix: Row[] = [
    ['GET', '/v1/calls', null, { anonymous: A, enterprise: 200, reviewer: 200, officer: 200, analyst: 200, admin: 200 }],
    ['GET', `/v1/calls/${call.id}`, null, { anonymous: A, enterprise: 200, reviewer: 200, officer: 200, analyst: 200, admin: 200 }],
    ['POST', '/v1/calls', () => ({ payload: newCall }), { anonymous: A, enterprise: F, reviewer: F, officer: 201, analyst: F, admin: F }],
    ['PATCH', `/v1/calls/${call.id}`, () => ({ payload: { title: 'renamed' } }), { anonymous: A, enterprise: F, reviewer: F, officer: 200, analyst: F, admin: F }],
    ['POST', '/v1/applications', () => ({ payload: { callId: call.id } }), { anonymous: A, enterprise: 409, reviewer: F, officer: F, analyst: F, admin: F }],
    ['GET', '/v1/applications', null, { anonymous: A, enterprise: 200, reviewer: 200, officer: 200, analyst: F, admin: 200 }],
    ['GET', `/v1/applications/${application.id}`, null, { anonymous: A, enterprise: 200, reviewer: 404, officer: 200, analyst: F, admin: 200 }],
    ['PATCH', `/v1/applications/${application.id}`, () => ({ payload: { statement: 'x' }, headers: { 'if-match': '99' } }), { anonymous: A, enterprise: 412, reviewer: F, officer: F, analyst: F, admin: F }],
    ['POST', `/v1/applications/${MISSING}/submit`, null, { anonymous: A, enterprise: 404, reviewer: F, officer: F, analyst: F, admin: F }],
    ['POST', `/v1/applications/${MISSING}/withdraw`, null, { anonymous: A, enterprise: 404, reviewer: F, officer: F, analyst: F, admin: F }],
    ['POST', `/v1/applications/${application.id}/documents`, () => multipartFile('a.png', Buffer.from('not an image')), { anonymous: A, enterprise: 415, reviewer: F, officer: F, analyst: F, admin: F }],
    ['GET', `/v1/applications/${application.id}/documents`, null, { anonymous: A, enterprise: 200, reviewer: 404, officer: 200, analyst: F, admin: 200 }],
    ['GET', `/v1/documents/${doc.id}`, null, { anonymous: A, enterprise: 200, reviewer: 404, officer: 200, analyst: F, admin: 200 }],
    ['DELETE', `/v1/documents/${MISSING}`, null, { anonymous: A, enterprise: 404, reviewer: F, officer: F, analyst: F, admin: F }],
    ['POST', declDocs, () => multipartFile('b.pdf', Buffer.from('plain text')), { anonymous: A, enterprise: 415, reviewer: F, officer: F, analyst: F, admin: F }],
    ['GET', declDocs, null, { anonymous: A, enterprise: 200, reviewer: 404, officer: 200, analyst: F, admin: 200 }],
    ['GET', '/v1/admin/eligibility-gates', null, { anonymous: A, enterprise: F, reviewer: F, officer: F, analyst: F, admin: 200 }],
    ['PUT', '/v1/admin/eligibility-gates', () => ({ payload: gates }), { anonymous: A, enterprise: F, reviewer: F, officer: F, analyst: F, admin: 200 }]
  ]
  for (const [method, url, make, expected] of matrix) {
    for (const [role, status] of Object.entries(expected)) {
      const extra = make?.() ?? {}
      const token = tokens[role]
      const res = await app.inject({
        method: method as 'GET', url, payload: extra.payload as object | undefined,
        headers: { ...(token != null ? auth(token) : {}), ...(extra.headers ?? {}) }
      })
      t.equal(res.statusCode, status, `${role} ${method} ${url.replace(/[0-9a-f-]{36}/g, ':id')}: ${res.statusCode === status ? '' : res.body}`)
    }
  }
})
