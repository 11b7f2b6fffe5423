import t from 'tap'
import { sql } from 'drizzle-orm'
import { buildApp } from '../server/app.ts'
import { SessionCache, type SessionState } from '../server/lib/session-cache.ts'
import { buildTestApp, auth, adminToken, createStaff, testConfig } from './helper.ts'

const state = (userId: string, over: Partial<SessionState> = {}): SessionState =>
  ({ userId, role: 'analyst', enterpriseId: null, disabled: false, tokenVersion: 0, revoked: false, ...over })

t.test('the cache: time to live, forgetting, and no stale answer kept after a change', async (t) => {
  const cache = new SessionCache(1000, 3)
  const e = cache.epoch()
  cache.put('a', state('u1'), e, 0)
  t.same(cache.get('a', 999), state('u1'), 'fresh within its time to live')
  t.equal(cache.get('a', 1000), undefined, 'expired at its time to live')

  cache.put('a', state('u1'), cache.epoch(), 0)
  cache.put('b', state('u1'), cache.epoch(), 0)
  cache.put('c', state('u2'), cache.epoch(), 0)
  cache.forgetUser('u1')
  t.equal(cache.get('a', 1), undefined, 'every token of a forgotten user goes')
  t.equal(cache.get('b', 1), undefined)
  t.ok(cache.get('c', 1), "another user's token stays")
  cache.forgetToken('c')
  t.equal(cache.get('c', 1), undefined, 'a forgotten token goes')

  // A lookup started before a change answers its own request but is not kept.
  const before = cache.epoch()
  cache.forgetToken('x')
  cache.put('d', state('u3'), before, 0)
  t.equal(cache.get('d', 1), undefined, 'an answer older than the last change is not cached')

  for (const k of ['k1', 'k2', 'k3', 'k4']) cache.put(k, state(k), cache.epoch(), 0)
  t.equal(cache.size, 3, 'bounded')
  t.equal(cache.get('k1', 1), undefined, 'the oldest entry made room')

  cache.applyNotification('u:k2')
  t.equal(cache.get('k2', 1), undefined, 'u:<id> forgets a user')
  cache.applyNotification('t:k3')
  t.equal(cache.get('k3', 1), undefined, 't:<jti> forgets a token')
  cache.applyNotification('*')
  t.equal(cache.size, 0, '* forgets everything')

  const off = new SessionCache(0)
  off.put('a', state('u1'), off.epoch(), 0)
  t.equal(off.get('a', 0), undefined, 'a time to live of 0 turns the cache off')
})

/** Polls until `check` holds or `ms` pass (notifications arrive asynchronously). */
async function eventually (check: () => Promise<boolean>, ms = 5000): Promise<boolean> {
  const until = Date.now() + ms
  while (Date.now() < until) {
    if (await check()) return true
    await new Promise(resolve => setTimeout(resolve, 20))
  }
  return await check()
}

t.test('changes made outside this process end cached sessions (LISTEN/NOTIFY)', async (t) => {
  // A time to live far longer than the test: only the notification can end these sessions.
  const app = await buildTestApp(t, { sessionCacheTtlMs: 60_000 })
  const analyst = await createStaff(app, 'analyst')
  const me = async (token: string) => (await app.inject({ method: 'GET', url: '/v1/me', headers: auth(token) })).statusCode

  t.equal(await me(analyst.token), 200, 'signed in; the session is now cached')
  t.ok(app.sessions.size > 0, 'cached')
  // As another instance, or an operator in psql, would: straight in the database.
  await app.db.execute(sql`update users set disabled = true where id = ${analyst.id}`)
  t.ok(await eventually(async () => await me(analyst.token) === 401), 'disabled in the database: 401 without waiting for the time to live')

  await app.db.execute(sql`update users set disabled = false where id = ${analyst.id}`)
  const again = await createStaff(app, 'analyst')
  t.equal(await me(again.token), 200)
  const jti = JSON.parse(Buffer.from(again.token.split('.')[1], 'base64url').toString()).jti as string
  await app.db.execute(sql`insert into revoked_tokens (jti, expires_at) values (${jti}, now() + interval '1 hour')`)
  t.ok(await eventually(async () => await me(again.token) === 401), 'revoked in the database: 401')
})

t.test('two service instances on one database: a logout on one ends the token on the other', async (t) => {
  const shared = { sessionCacheTtlMs: 60_000, jwtSecret: 'two-instances-' + 'x'.repeat(32) }
  const a = await buildTestApp(t, shared)
  // The second instance shares the first one's database, as two processes share a PostgreSQL.
  const b = await buildApp(testConfig(shared), { logger: false, database: a.database })
  t.teardown(async () => { await b.close() })
  const admin = await adminToken(a)
  const analyst = await createStaff(a, 'analyst')
  const meOn = async (app: typeof a) => (await app.inject({ method: 'GET', url: '/v1/me', headers: auth(analyst.token) })).statusCode

  t.equal(await meOn(a), 200)
  t.equal(await meOn(b), 200, 'the token works on both; both have cached it')
  t.equal((await a.inject({ method: 'POST', url: '/v1/auth/logout', headers: auth(analyst.token) })).statusCode, 204)
  t.equal(await meOn(a), 401, 'on the instance that logged out: at once')
  t.ok(await eventually(async () => await meOn(b) === 401), 'on the other instance: as soon as the notification arrives')

  const other = await createStaff(a, 'reviewer')
  t.equal((await b.inject({ method: 'GET', url: '/v1/me', headers: auth(other.token) })).statusCode, 200)
  t.equal((await a.inject({ method: 'PATCH', url: `/v1/users/${other.id}`, headers: auth(admin), payload: { role: 'analyst' } })).statusCode, 200)
  t.ok(await eventually(async () => (await b.inject({ method: 'GET', url: '/v1/me', headers: auth(other.token) })).statusCode === 401),
    'a role change on one instance ends the token on the other')
})
