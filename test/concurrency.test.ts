import t from 'tap'
import { sql } from 'drizzle-orm'
import { queryRows } from '../db/client.ts'
import { sequenceAllAudit, sequenceAudit } from '../server/lib/audit.ts'
import { buildTestApp, registerFirm, createStaff, adminToken, auth, uscc, PASSWORD, testConfig } from './helper.ts'

// Races that PostgreSQL makes real (row locks, advisory locks, a pool of
// connections); on PGlite the same requests are serialised, and must give the
// same answers.

t.setTimeout(900_000)

async function openCall (app: Awaited<ReturnType<typeof buildTestApp>>): Promise<string> {
  const officer = await createStaff(app, 'officer')
  const now = Date.now()
  const res = await app.inject({
    method: 'POST', url: '/v1/calls', headers: auth(officer.token),
    payload: { program: 'innovative_growth', year: 2025, title: '并发测试批次', opensAt: new Date(now - 86_400_000).toISOString(), closesAt: new Date(now + 30 * 86_400_000).toISOString(), reviewersPerApplication: 1 }
  })
  if (res.statusCode !== 201) throw new Error(`open call: ${res.statusCode} ${res.body}`)
  return res.json().id
}

t.test('50 parallel creates with one Idempotency-Key: one row, one answer', async (t) => {
  const app = await buildTestApp(t, { rateLimit: { max: 0, windowMs: 60_000 } })
  const callId = await openCall(app)
  const firm = await registerFirm(app)
  const key = 'apply-2025-' + firm.enterpriseId
  const replies = await Promise.all(Array.from({ length: 50 }, async () => await app.inject({
    method: 'POST', url: '/v1/applications', headers: { ...auth(firm.token), 'idempotency-key': key }, payload: { callId, statement: '同一请求' }
  })))
  const statuses = replies.map(r => r.statusCode)
  t.same([...new Set(statuses)], [201], `every reply is the first one's 201 (${statuses.join(',')})`)
  const ids = new Set(replies.map(r => r.json().id))
  t.equal(ids.size, 1, 'every reply names the same application')
  const rows = await queryRows<{ n: number }>(app.db, sql`select count(*)::int as n from applications where enterprise_id = ${firm.enterpriseId}`)
  t.equal(rows[0].n, 1, 'one application row')
  const keys = await queryRows<{ n: number }>(app.db, sql`select count(*)::int as n from idempotency_keys where key = ${key}`)
  t.equal(keys[0].n, 1, 'one idempotency key row')
  const audit = await queryRows<{ n: number }>(app.db, sql`select count(*)::int as n from audit_log where object_id = ${[...ids][0]}`)
  t.equal(audit[0].n, 1, 'audited once')

  const other = await app.inject({ method: 'POST', url: '/v1/applications', headers: { ...auth(firm.token), 'idempotency-key': key }, payload: { callId, statement: '另一个请求' } })
  t.equal(other.statusCode, 422, 'the same key with another body')
  t.equal(other.json().code, 'IDEMPOTENCY_KEY_REUSED')
})

t.test('the audit chain stays unbroken under 100 concurrent audited writes and competing sequencers', async (t) => {
  // The event-loop check is off: on a busy test machine it would shed the verification itself.
  const app = await buildTestApp(t, {
    rateLimit: { max: 0, windowMs: 60_000 },
    loginRateLimit: { max: 100_000, windowMs: 60_000 },
    overload: { ...testConfig().overload, maxEventLoopDelayMs: 0 }
  })
  const admin = await adminToken(app)
  const before = await queryRows<{ n: number }>(app.db, sql`select count(*)::int as n from audit_log`)
  // Writers take no lock for the chain; four sequencers (as on four instances) race to chain what has committed.
  const writing = { on: true }
  let chained = 0
  const sequencers = Array.from({ length: 4 }, async () => {
    while (writing.on) {
      const n = await sequenceAudit(app.db, 7)
      chained += n
      await new Promise(resolve => setImmediate(resolve))
    }
  })
  const replies = await Promise.all(Array.from({ length: 100 }, async (_, i) => await app.inject({
    method: 'POST', url: '/v1/auth/register',
    payload: { uscc: uscc(50_000 + i), name: `并发注册公司 ${i}`, email: `race${i}@example.test`, password: PASSWORD, districtCode: '210202', domains: ['ai'], foundedOn: '2018-01-01' }
  })))
  writing.on = false
  await Promise.all(sequencers)
  chained += await sequenceAllAudit(app.db)
  t.same([...new Set(replies.map(r => r.statusCode))], [201], 'all 100 registered')
  const after = await queryRows<{ n: number }>(app.db, sql`select count(*)::int as n from audit_log`)
  t.ok(after[0].n - before[0].n >= 100, `${after[0].n - before[0].n} audit entries written`)
  t.equal(chained, after[0].n, 'every entry chained exactly once')
  const forks = await queryRows<{ n: number }>(app.db, sql`select count(*)::int as n from (select prev_hash from audit_log group by prev_hash having count(*) > 1) f`)
  t.equal(forks[0].n, 0, 'no two entries share a predecessor: the chain did not fork')
  const verify = await app.inject({ url: '/v1/audit/verify', headers: auth(admin) })
  t.equal(verify.statusCode, 200)
  t.equal(verify.json().intact, true)
  t.equal(verify.json().entries, after[0].n, 'every entry verifies')
  t.equal(verify.json().unsequenced, 0)
})

t.test('50 parallel edits of the same version: exactly one wins, the rest 412', async (t) => {
  const app = await buildTestApp(t, { rateLimit: { max: 0, windowMs: 60_000 } })
  const callId = await openCall(app)
  const firm = await registerFirm(app)
  const created = await app.inject({ method: 'POST', url: '/v1/applications', headers: auth(firm.token), payload: { callId, statement: '初稿' } })
  t.equal(created.statusCode, 201)
  const { id, version } = created.json()
  const replies = await Promise.all(Array.from({ length: 50 }, async (_, i) => await app.inject({
    method: 'PATCH', url: `/v1/applications/${id}`, headers: { ...auth(firm.token), 'if-match': String(version) }, payload: { statement: `修改稿 ${i}` }
  })))
  const won = replies.filter(r => r.statusCode === 200)
  const lost = replies.filter(r => r.statusCode === 412)
  t.equal(won.length, 1, 'one winner')
  t.equal(lost.length, 49, 'the rest 412')
  t.same([...new Set(lost.map(r => r.json().code))], ['VERSION_MISMATCH'])
  const now = await app.inject({ url: `/v1/applications/${id}`, headers: auth(firm.token) })
  t.equal(now.json().version, version + 1, 'the version moved by one')
  t.equal(now.json().statement, won[0].json().statement, "the winner's text is what is stored")
  const audit = await queryRows<{ n: number }>(app.db, sql`select count(*)::int as n from audit_log where object_id = ${id} and action like '%update%'`)
  t.equal(audit[0].n, 1, 'one audited update')
})
