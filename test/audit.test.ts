import t from 'tap'
import { sql } from 'drizzle-orm'
import { queryRows } from '../db/client.ts'
import { sequenceAllAudit, sequenceAudit, verifyAuditChain } from '../server/lib/audit.ts'
import { adminToken, auth, buildTestApp, createStaff, registerFirm, uscc, testConfig } from './helper.ts'

// These tests are about grading, not overload protection: on a busy machine the
// event-loop check would shed their requests (the security tests cover it).
const calm = () => ({ overload: { ...testConfig().overload, maxEventLoopDelayMs: 0, dbHealthIntervalMs: 0 } })

t.test('the audit chain: concurrent writers, append-only, tampering detected', async (t) => {
  const app = await buildTestApp(t, calm())
  const admin = await adminToken(app)
  const verify = async () => {
    const res = await app.inject({ url: '/v1/audit/verify', headers: auth(admin) })
    t.equal(res.statusCode, 200)
    return res.json()
  }
  const count = async () => Number((await queryRows<{ n: number }>(app.db, sql`select count(*)::int as n from audit_log`))[0].n)

  await registerFirm(app)
  const reviewer = await createStaff(app, 'reviewer')
  const first = await verify()
  t.equal(first.intact, true)
  t.equal(first.entries, await count())
  t.ok(first.entries >= 3, 'registration and staff creation are audited')

  // 100 audited writes at once (a real pool of connections on PostgreSQL).
  const before = await count()
  const results = await Promise.all(Array.from({ length: 100 }, (_, i) => app.inject({
    method: 'POST', url: '/v1/me/conflicts', headers: auth(reviewer.token),
    payload: { uscc: uscc(50_000 + i), reason: `shareholding ${i}` }
  })))
  t.same([...new Set(results.map(r => r.statusCode))], [201], 'every write succeeded')
  t.equal(await count(), before + 100, 'one entry per write')
  // Written with their content hashes, not yet chained: verified by content, counted as unsequenced.
  const pending = await verify()
  t.match(pending, { intact: true, entries: before + 100 })
  t.equal((await verifyAuditChain(app.db, { boundMs: 3_600_000 })).overdue, 0, 'none has waited past a bound of an hour')
  t.ok(pending.unsequenced >= 100, `${pending.unsequenced} entries wait for the sequencer`)
  const late = await verifyAuditChain(app.db, { boundMs: 10_000, now: new Date(Date.now() + 60_000) })
  t.equal(late.overdue, late.unsequenced, 'past the bound, every unsequenced entry is reported overdue')
  // One sequencer chains them all; a second pass finds nothing to do.
  t.equal(await sequenceAllAudit(app.db), pending.unsequenced)
  t.equal(await sequenceAudit(app.db), 0)
  const rows = await queryRows<{ n: number, prevs: number }>(app.db, sql`select count(*)::int as n, count(distinct prev_hash)::int as prevs from audit_log`)
  t.equal(rows[0].prevs, rows[0].n, 'no two entries share a predecessor: the chain never forks')
  const afterConcurrent = await verify()
  t.same(afterConcurrent, { intact: true, entries: before + 100, lastHash: afterConcurrent.lastHash, unsequenced: 0, overdue: 0 })
  const places = await queryRows<{ n: number, max: number }>(app.db, sql`select count(distinct seq)::int as n, max(seq)::int as max from audit_log`)
  t.same(places[0], { n: before + 100, max: before + 100 }, 'every entry has its own place, 1 to n')

  // The one update the trigger allows is the sequencer's, once: a chained entry cannot be re-placed,
  // and an unchained one can only be placed, not edited.
  await t.rejects(app.db.execute(sql`update audit_log set seq = 100000 where id = 1`), 're-placing refused')
  await registerFirm(app)
  const [open] = await queryRows<{ id: number }>(app.db, sql`select id from audit_log where seq is null order by id limit 1`)
  await t.rejects(app.db.execute(sql`update audit_log set after = '{}'::jsonb where id = ${open.id}`), 'editing an unchained entry refused')
  await t.rejects(app.db.execute(sql`update audit_log set seq = 100000, prev_hash = 'x', hash = 'y', action = 'x' where id = ${open.id}`),
    'placing while editing refused')
  await sequenceAllAudit(app.db)

  // The database itself refuses changes to the trail.
  await t.rejects(app.db.execute(sql`update audit_log set action = 'x' where id = 1`), 'UPDATE refused')
  await t.rejects(app.db.execute(sql`delete from audit_log where id = 1`), 'DELETE refused')
  await t.rejects(app.db.execute(sql`truncate audit_log`), 'TRUNCATE refused')
  t.equal((await verify()).intact, true)

  // Someone with superuser rights edits an entry behind the service's back.
  const [{ id: victim }] = await queryRows<{ id: number }>(app.db, sql`select id from audit_log where seq = 5`)
  await app.db.execute(sql`alter table audit_log disable trigger user`)
  await app.db.execute(sql`update audit_log set after = '{"reason":"nothing to see"}'::jsonb where id = ${victim}`)
  await app.db.execute(sql`alter table audit_log enable trigger user`)
  const broken = await verify()
  t.same(broken, { intact: false, entries: 4, unsequenced: 0, overdue: 0, brokenAt: { id: Number(victim), reason: 'content_hash_mismatch' } })
  await t.rejects(app.db.execute(sql`update audit_log set action = 'x' where id = 1`), 'the trigger is back')

  // Deleting an entry breaks the link of the one after it.
  const app2 = await buildTestApp(t, calm())
  const admin2 = await adminToken(app2)
  await registerFirm(app2)
  await registerFirm(app2)
  await sequenceAllAudit(app2.db)
  await app2.db.execute(sql`alter table audit_log disable trigger user`)
  await app2.db.execute(sql`delete from audit_log where id = 2`)
  await app2.db.execute(sql`alter table audit_log enable trigger user`)
  const res = await app2.inject({ url: '/v1/audit/verify', headers: auth(admin2) })
  t.same(res.json(), { intact: false, entries: 1, unsequenced: 0, overdue: 0, brokenAt: { id: 3, reason: 'previous_hash_mismatch' } })
  const other = await app2.inject({ url: '/v1/audit/verify', headers: auth((await createStaff(app2, 'officer')).token) })
  t.equal(other.statusCode, 403, 'administrators only')
})
