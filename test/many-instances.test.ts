import t from 'tap'
import { spawn, spawnSync } from 'node:child_process'
import { createHmac } from 'node:crypto'
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import postgres from 'postgres'
import { sql } from 'drizzle-orm'
import { buildApp } from '../server/app.ts'
import { loadConfig } from '../server/config.ts'
import { openDatabase } from '../db/client.ts'
import { DataDirInUseError, lockDataDir } from '../db/data-dir-lock.ts'
import { keyId } from '../server/lib/jwt-keys.ts'
import { claimChoreTick } from '../server/lib/chores.ts'
import { adminToken, auth, buildTestApp, createStaff, freshDatabase, testConfig, testDatabaseUrl } from './helper.ts'

// Running several instances of the service on one database (issue 12): the
// parts that can be shown in one process. test/pgbouncer.test.ts runs the
// service through a throwaway PgBouncer; test/faults/postgres-faults.test.ts
// stops and restarts a throwaway PostgreSQL under requests.

const calm = () => ({ overload: { ...testConfig().overload, maxEventLoopDelayMs: 0, dbHealthIntervalMs: 0 } })

t.test('PGlite: one process per DATA_DIR, a dead holder\'s lock is taken over', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'peiyu-lock-'))
  const release = lockDataDir(dir)
  t.equal(readFileSync(join(dir, 'pglite.lock'), 'utf8').trim(), String(process.pid), 'the lock names its process')
  t.throws(() => lockDataDir(dir), DataDirInUseError, 'a second holder is refused while the first lives')
  try { lockDataDir(dir) } catch (err) { t.match((err as Error).message, new RegExp(`in use by process ${process.pid}.*DATABASE_URL`)) }
  release()
  t.notOk(existsSync(join(dir, 'pglite.lock')), 'released on close')

  // A process that died holding it (kill -9, a crash) leaves a stale lock behind.
  const dead = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' })
  writeFileSync(join(dir, 'pglite.lock'), dead.stdout.trim() + '\n')
  const again = lockDataDir(dir)
  t.equal(readFileSync(join(dir, 'pglite.lock'), 'utf8').trim(), String(process.pid), 'a stale lock is taken over')
  again()
})

t.test('PGlite: a second process on a DATA_DIR in use refuses at once and touches nothing', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'peiyu-second-'))
  const release = lockDataDir(dir)
  t.teardown(release)
  const before = readdirSync(dir).sort()
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/migrate.ts'], {
    cwd: join(import.meta.dirname, '..'),
    env: { PATH: process.env.PATH ?? '', DATA_DIR: dir, JWT_SECRET: 'x'.repeat(40) },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let out = ''
  child.stdout.on('data', (d: Buffer) => { out += d.toString() })
  child.stderr.on('data', (d: Buffer) => { out += d.toString() })
  const code = await new Promise<number | null>(resolve => child.once('exit', resolve))
  t.equal(code, 1, 'exit code 1')
  t.match(out, new RegExp(`DATA_DIR .* is in use by process ${process.pid}`), 'the message says which process holds it')
  t.same(readdirSync(dir).sort(), before, 'nothing created in the directory')
})

t.test('JWT: key ids, rotation without signing anyone out, unknown ids refused', async (t) => {
  const old = 'old-secret-' + 'o'.repeat(40)
  const current = 'new-secret-' + 'n'.repeat(40)
  const before = await buildTestApp(t, { ...calm(), jwtSecret: old })
  const oldToken = await adminToken(before)
  const header = JSON.parse(Buffer.from(oldToken.split('.')[0], 'base64url').toString())
  t.equal(header.kid, keyId(old), 'the token names its key')

  // Rotated: the new secret signs, the old one still verifies.
  const after = await buildApp(testConfig({ ...calm(), jwtSecret: current, jwtPreviousSecrets: [old] }), { logger: false, database: before.database })
  t.teardown(async () => { await after.close() })
  t.equal((await after.inject({ url: '/v1/me', headers: auth(oldToken) })).statusCode, 200, 'a token of the previous secret still works')
  const newToken = await adminToken(after)
  t.equal(JSON.parse(Buffer.from(newToken.split('.')[0], 'base64url').toString()).kid, keyId(current), 'new tokens carry the new key id')
  t.equal((await before.inject({ url: '/v1/me', headers: auth(newToken) })).statusCode, 401, 'an instance without the new secret refuses it')

  // A kid that names no configured key, and a token signed by a previous secret but claiming the current kid.
  const [, body] = oldToken.split('.')
  const forge = (kid: unknown, secret: string): string => {
    const head = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT', kid })).toString('base64url')
    return `${head}.${body}.${createHmac('sha256', secret).update(`${head}.${body}`).digest('base64url')}`
  }
  t.equal((await after.inject({ url: '/v1/me', headers: auth(forge('nobody', old)) })).statusCode, 401, 'unknown kid')
  t.equal((await after.inject({ url: '/v1/me', headers: auth(forge(keyId(current), old)) })).statusCode, 401, 'kid and signature disagree')
  t.equal((await after.inject({ url: '/v1/me', headers: auth(forge(7, old)) })).statusCode, 401, 'kid not a string')
  t.equal((await after.inject({ url: '/v1/me', headers: auth(forge(keyId(old), old)) })).statusCode, 200, 'the previous key by its id')
  // Tokens issued before key ids (no kid) are checked against the current secret.
  const noKid = (secret: string): string => {
    const head = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url')
    return `${head}.${body}.${createHmac('sha256', secret).update(`${head}.${body}`).digest('base64url')}`
  }
  t.equal((await before.inject({ url: '/v1/me', headers: auth(noKid(old)) })).statusCode, 200, 'no kid: the current secret')
  t.equal((await after.inject({ url: '/v1/me', headers: auth(noKid(old)) })).statusCode, 401, 'no kid: never a previous one')

  t.throws(() => loadConfig({ JWT_SECRET: current, JWT_PREVIOUS_SECRETS: 'short', DATA_DIR: ':memory:' }), /JWT_PREVIOUS_SECRETS/)
  t.same(loadConfig({ JWT_SECRET: current, JWT_PREVIOUS_SECRETS: `${old}, ${'p'.repeat(40)}`, DATA_DIR: ':memory:' }).config.jwtPreviousSecrets, [old, 'p'.repeat(40)])
})

t.test('JWT: without JWT_SECRET the instances on one database share one generated secret', async (t) => {
  const { config, warnings } = loadConfig({ DATABASE_URL: 'postgres://localhost/x', DATA_DIR: ':memory:' })
  t.equal(config.jwtSecret, undefined, 'on PostgreSQL outside production: no secret from the environment')
  t.match(warnings.join('\n'), /kept in the database/)
  t.throws(() => loadConfig({ NODE_ENV: 'production', DATABASE_URL: 'postgres://localhost/x' }), /JWT_SECRET: is required when NODE_ENV=production/)

  const a = await buildTestApp(t, { ...calm(), jwtSecret: undefined })
  const b = await buildApp(testConfig({ ...calm(), jwtSecret: undefined }), { logger: false, database: a.database })
  t.teardown(async () => { await b.close() })
  const analyst = await createStaff(a, 'analyst')
  t.equal((await b.inject({ url: '/v1/me', headers: auth(analyst.token) })).statusCode, 200, 'a token from one instance works on the other')
})

t.test('chores: one claim per interval across instances', async (t) => {
  const app = await buildTestApp(t, calm())
  const claims = await Promise.all(['a', 'b', 'c', 'd'].map(async (who) => await claimChoreTick(app.db, 'test-chore', 60_000, who)))
  t.equal(claims.filter(Boolean).length, 1, 'four instances tick at once: one runs the chore')
  t.equal(await claimChoreTick(app.db, 'test-chore', 60_000, 'a'), false, 'not again within the interval')
  t.equal(await claimChoreTick(app.db, 'other-chore', 60_000, 'a'), true, 'chores are claimed separately')
  await app.db.execute(sql`update chore_runs set last_run_at = last_run_at - interval '61 seconds' where name = 'test-chore'`)
  t.equal(await claimChoreTick(app.db, 'test-chore', 60_000, 'b'), true, 'once the interval has passed, the next tick runs (on any instance)')
})

t.test('migrations: instances starting at once on an empty PostgreSQL all come up', { skip: testDatabaseUrl == null ? 'PostgreSQL only' : false }, async (t) => {
  const url = new URL((await freshDatabase(t))!)
  const dbs = await Promise.all(Array.from({ length: 4 }, async () => await openDatabase({ databaseUrl: url.toString(), dataDir: ':memory:', poolSize: 2 })))
  t.teardown(async () => { for (const d of dbs) await d.close() })
  const results = await Promise.allSettled(dbs.map(async (d) => await d.migrate()))
  t.same(results.map(r => r.status), ['fulfilled', 'fulfilled', 'fulfilled', 'fulfilled'], 'all four migrate')
  const other = postgres(url.toString(), { max: 1, onnotice: () => {} })
  const applied = await other`select count(*)::int as n from drizzle.__drizzle_migrations`
  await other.end()
  const journal = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'db', 'migrations', 'meta', '_journal.json'), 'utf8'))
  t.equal(applied[0].n, journal.entries.length, 'each migration applied once')
})

const redisUrl = process.env.TEST_REDIS_URL ?? process.env.REDIS_URL
const wrongLogin = async (app: Awaited<ReturnType<typeof buildTestApp>>, email: string): Promise<number> =>
  (await app.inject({ method: 'POST', url: '/v1/auth/login', payload: { email, password: 'Wrong-Password-123' } })).statusCode

t.test('rate limits in Redis: wrong passwords spread over two instances lock the account on both', {
  skip: redisUrl == null ? 'needs TEST_REDIS_URL (or REDIS_URL)' : false
}, async (t) => {
  const shared = { ...calm(), redisUrl, redisPrefix: `peiyu-test:${process.pid}:${Date.now()}:`, loginRateLimit: { max: 5, windowMs: 60_000 } }
  const a = await buildTestApp(t, shared)
  const b = await buildApp(testConfig(shared), { logger: false, database: a.database })
  t.teardown(async () => { await b.close() })
  const email = 'victim@example.test'
  const codes = []
  for (let i = 0; i < 5; i++) codes.push(await wrongLogin(i % 2 === 0 ? a : b, email))
  t.same(codes, [401, 401, 401, 401, 401], 'five wrong passwords, alternating instances')
  t.equal(await wrongLogin(a, email), 429, 'the sixth is refused on one instance')
  t.equal(await wrongLogin(b, email), 429, 'and on the other')
  t.equal(await wrongLogin(b, 'someone-else@example.test'), 401, 'other accounts are not affected')
})

t.test('Redis unavailable: fail open to memory, the service keeps answering and the limits hold per instance', async (t) => {
  const app = await buildTestApp(t, { ...calm(), redisUrl: 'redis://127.0.0.1:1', loginRateLimit: { max: 5, windowMs: 60_000 } })
  const codes = []
  for (let i = 0; i < 6; i++) codes.push(await wrongLogin(app, 'victim@example.test'))
  t.same(codes, [401, 401, 401, 401, 401, 429], 'answered (never 5xx), and counted in memory')
  t.equal((await app.inject('/v1/reference/tiers')).statusCode, 200, 'the global limit answers too')
})
