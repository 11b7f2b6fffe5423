import t from 'tap'
import { eq } from 'drizzle-orm'
import { applications, auditLog, poolMemberships } from '../db/schema/index.ts'
import { auth, buildTestApp, createStaff, registerFirm } from './helper.ts'
import { declare, noLoadShedding, openCall } from './application-fixtures.ts'

t.setTimeout(600_000)

t.test('batch decisions: all or nothing, within the quota', async (t) => {
  const app = await buildTestApp(t, noLoadShedding)
  const officer = await createStaff(app, 'officer')
  const call = await openCall(app, officer.token, { reviewersPerApplication: 1, quota: 1 })
  const ids: string[] = []
  for (let i = 0; i < 3; i++) {
    const firm = await registerFirm(app)
    await declare(app, firm, 2025, { operatingRevenue: '50000000.00', rdExpense: '2500000.00' })
    const created = await app.inject({ method: 'POST', url: '/v1/applications', headers: auth(firm.token), payload: { callId: call.id } })
    await app.inject({ method: 'POST', url: `/v1/applications/${created.json().id}/submit`, headers: auth(firm.token) })
    ids.push(created.json().id)
  }
  // Scored directly: this test is about deciding, not grading.
  for (const id of ids) {
    await app.db.update(applications).set({ state: 'scored', score: { pass: true, total: '80.00', grade: 'B', disagreement: false } }).where(eq(applications.id, id))
  }
  const url = `/v1/calls/${call.id}/decisions`
  const over = await app.inject({ method: 'POST', url, headers: auth(officer.token), payload: { decisions: [{ applicationId: ids[0], decision: 'admit' }, { applicationId: ids[1], decision: 'admit' }] } })
  t.equal(over.statusCode, 409)
  t.equal(over.json().code, 'QUOTA_EXCEEDED')
  const twice = await app.inject({ method: 'POST', url, headers: auth(officer.token), payload: { decisions: [{ applicationId: ids[0], decision: 'admit' }, { applicationId: ids[0], decision: 'reject', reason: 'x' }] } })
  t.equal(twice.statusCode, 400)
  // The second decision fails (rejecting a passing application needs a reason): the first is rolled back.
  const bad = await app.inject({ method: 'POST', url, headers: auth(officer.token), payload: { decisions: [{ applicationId: ids[0], decision: 'admit' }, { applicationId: ids[1], decision: 'reject' }] } })
  t.equal(bad.statusCode, 400)
  const states = async () => (await Promise.all(ids.map(async id => (await app.db.select().from(applications).where(eq(applications.id, id)))[0].state)))
  t.same(await states(), ['scored', 'scored', 'scored'], 'nothing changed')
  t.equal((await app.db.select().from(poolMemberships)).length, 0)

  const ok = await app.inject({
    method: 'POST', url, headers: auth(officer.token),
    payload: { decisions: [{ applicationId: ids[0], decision: 'admit' }, { applicationId: ids[1], decision: 'reject', reason: '名额已满' }] }
  })
  t.equal(ok.statusCode, 200, ok.body)
  t.same([ok.json().admitted, ok.json().rejected], [1, 1])
  t.same(await states(), ['admitted', 'rejected', 'scored'])
  const audited = await app.db.select().from(auditLog).where(eq(auditLog.objectId, ids[0]))
  t.ok(audited.some(a => a.action === 'application.admit'), 'audited as a single decision')
  const single = await app.inject({ method: 'POST', url: `/v1/applications/${ids[2]}/decision`, headers: auth(officer.token), payload: { decision: 'admit' } })
  t.equal(single.statusCode, 409, 'the quota holds for single decisions too')
  t.equal(single.json().code, 'QUOTA_EXCEEDED')
})
