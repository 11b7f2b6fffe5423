import t, { type Test } from 'tap'
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import postgres from 'postgres'
import { buildApp } from '../server/app.ts'
import type { AppConfig } from '../server/config.ts'
import { ADMIN, PASSWORD, auth, freshDatabase, testConfig, testDatabaseUrl, uscc } from './helper.ts'

// The service behind PgBouncer (issue 12): a throwaway pgbouncer on a free
// loopback port in front of the test PostgreSQL, two instances through it
// with the settings README.md documents for each pool mode, a run of mixed
// requests (sign-ins, reads, declaration writes, sign-outs) over both, and a
// sign-out on one instance checked on the other.

const BIN = process.env.PGBOUNCER_BIN ?? ['/usr/sbin/pgbouncer', '/usr/bin/pgbouncer', '/usr/local/bin/pgbouncer'].find(p => existsSync(p))
const skip = testDatabaseUrl == null ? 'PostgreSQL only (DATABASE_URL)' : BIN == null ? 'pgbouncer is not installed (apt-get install pgbouncer, or PGBOUNCER_BIN)' : false
t.setTimeout(300_000)

async function freePort (): Promise<number> {
  return await new Promise((resolve, reject) => {
    const srv = createServer()
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number }
      srv.close(() => resolve(port))
    })
  })
}

/** A pgbouncer process in front of `target` (a database URL on the test server), on its own port. */
async function startPgbouncer (t: Test, target: URL, mode: 'transaction' | 'session', poolSize: number): Promise<{ url: string, log: () => string }> {
  const dir = mkdtempSync(join(tmpdir(), 'peiyu-pgbouncer-'))
  chmodSync(dir, 0o755)
  const port = await freePort()
  const db = target.pathname.slice(1)
  writeFileSync(join(dir, 'userlist.txt'), `"${decodeURIComponent(target.username || 'postgres')}" ""\n`)
  writeFileSync(join(dir, 'pgbouncer.ini'), [
    '[databases]',
    `${db} = host=${target.hostname} port=${target.port || '5432'} dbname=${db}`,
    '[pgbouncer]',
    'listen_addr = 127.0.0.1',
    `listen_port = ${port}`,
    'unix_socket_dir =',
    'auth_type = trust',
    `auth_file = ${join(dir, 'userlist.txt')}`,
    `pool_mode = ${mode}`,
    `default_pool_size = ${poolSize}`,
    'max_client_conn = 200',
    // Where a client waits for a server connection longer than this, pgbouncer answers an error instead of hanging.
    'query_wait_timeout = 20',
    ''
  ].join('\n'))
  // pgbouncer refuses to run as root; -u drops to the postgres user.
  const asRoot = process.getuid?.() === 0
  let out = ''
  const child: ChildProcess = spawn(BIN!, [...(asRoot ? ['-u', 'postgres'] : []), join(dir, 'pgbouncer.ini')], { stdio: ['ignore', 'pipe', 'pipe'] })
  child.stdout!.on('data', (d: Buffer) => { out += d.toString() })
  child.stderr!.on('data', (d: Buffer) => { out += d.toString() })
  t.teardown(async () => {
    if (child.exitCode == null) {
      child.kill('SIGTERM')
      await new Promise(resolve => child.once('exit', resolve))
    }
    rmSync(dir, { recursive: true, force: true })
  })
  const url = new URL(target)
  url.hostname = '127.0.0.1'
  url.port = String(port)
  const probe = postgres(url.toString(), { max: 1, prepare: false, onnotice: () => {}, connect_timeout: 2 })
  try {
    for (let i = 0; ; i++) {
      try { await probe`select 1`; break } catch (err) {
        if (i > 50 || child.exitCode != null) throw new Error(`pgbouncer did not come up: ${(err as Error).message}\n${out}`)
        await new Promise(resolve => setTimeout(resolve, 100))
      }
    }
  } finally { await probe.end({ timeout: 2 }) }
  return { url: url.toString(), log: () => out }
}

/** A database of its own on the test server, dropped afterwards (the helper's freshDatabase; these tests run on PostgreSQL only). */
async function scratchDatabase (t: Test): Promise<URL> {
  const url = await freshDatabase(t)
  if (url == null) throw new Error('PostgreSQL only')
  return new URL(url)
}

const LIMIT_MS = 10_000
interface Outcome { what: string, status: number | 'timeout', ms: number, body: string }

/** One request through inject, answered or counted as hanging after LIMIT_MS. */
async function call (app: FastifyInstance, what: string, opts: { method?: 'GET' | 'PUT' | 'POST', url: string, token?: string, payload?: unknown }): Promise<Outcome> {
  const started = Date.now()
  let timer: NodeJS.Timeout | undefined
  const res = await Promise.race([
    app.inject({ method: opts.method ?? 'GET', url: opts.url, headers: opts.token != null ? auth(opts.token) : {}, payload: opts.payload as Record<string, unknown> | undefined }),
    new Promise<'timeout'>(resolve => { timer = setTimeout(() => resolve('timeout'), LIMIT_MS) })
  ])
  clearTimeout(timer)
  if (res === 'timeout') return { what, status: 'timeout', ms: Date.now() - started, body: '' }
  return { what, status: res.statusCode, ms: Date.now() - started, body: res.body }
}

interface Firm { email: string, enterpriseId: string, token: string }

function figures (n: number): Record<string, unknown> {
  return { operatingRevenue: `${150_000_000 + n}.00`, softwareRevenue: '120000000.00', rdExpense: `${15_000_000 + n}.00`, exportRevenue: '0.00', employees: 320, rdStaff: 80, patents: 6, softwareCopyrights: 20 }
}

async function loginAs (app: FastifyInstance, email: string, password: string): Promise<string> {
  const res = await app.inject({ method: 'POST', url: '/v1/auth/login', payload: { email, password } })
  if (res.statusCode !== 200) throw new Error(`login ${email}: ${res.statusCode} ${res.body}`)
  return res.json().accessToken
}

/**
 * Mixed requests over two instances, eight at a time: reads, declaration
 * writes (each a new version), sign-ins and sign-outs of throwaway sessions.
 * Every token used is valid when it is used.
 */
async function mixedRun (apps: FastifyInstance[], firms: Firm[], rounds: number): Promise<Outcome[]> {
  const outcomes: Outcome[] = []
  let n = 0
  await Promise.all(Array.from({ length: 8 }, async (_, w) => {
    for (let i = 0; i < rounds; i++) {
      const k = n++
      const app = apps[k % apps.length]
      const firm = firms[(w + i) % firms.length]
      switch (i % 6) {
        case 0: outcomes.push(await call(app, 'GET /v1/me', { url: '/v1/me', token: firm.token })); break
        case 1: outcomes.push(await call(app, 'PUT declaration', { method: 'PUT', url: `/v1/enterprises/${firm.enterpriseId}/declarations/${2019 + (k % 6)}`, token: firm.token, payload: figures(k) })); break
        case 2: outcomes.push(await call(app, 'GET declarations', { url: `/v1/enterprises/${firm.enterpriseId}/declarations`, token: firm.token })); break
        case 3: outcomes.push(await call(app, 'GET enterprise', { url: `/v1/enterprises/${firm.enterpriseId}`, token: firm.token })); break
        case 4: outcomes.push(await call(app, 'PUT declaration', { method: 'PUT', url: `/v1/enterprises/${firm.enterpriseId}/declarations/2024`, token: firm.token, payload: figures(k) })); break
        case 5: {
          if (i % 12 !== 5) { outcomes.push(await call(app, 'GET declaration', { url: `/v1/enterprises/${firm.enterpriseId}/declarations/2024`, token: firm.token })); break }
          // A session of its own: signed in on one instance, used and signed out on the other.
          const login = await call(app, 'POST login', { method: 'POST', url: '/v1/auth/login', payload: { email: firm.email, password: PASSWORD } })
          outcomes.push(login)
          if (login.status !== 200) break
          const token = JSON.parse(login.body).accessToken as string
          const other = apps[(k + 1) % apps.length]
          outcomes.push(await call(other, 'GET /v1/me (new session)', { url: '/v1/me', token }))
          outcomes.push(await call(other, 'POST logout', { method: 'POST', url: '/v1/auth/logout', token }))
        }
      }
    }
  }))
  return outcomes
}

function summary (outcomes: Outcome[]): string {
  const by: Record<string, number> = {}
  for (const o of outcomes) by[String(o.status)] = (by[String(o.status)] ?? 0) + 1
  const slowest = Math.max(...outcomes.map(o => o.ms))
  return `${outcomes.length} requests, by status ${JSON.stringify(by)}, slowest ${slowest} ms`
}

/**
 * Signs in on `a`, makes `b` know the session, signs out on `a` and polls `b`
 * until it refuses the token. Returns the milliseconds that took.
 */
async function revocationDelay (a: FastifyInstance, b: FastifyInstance, email: string): Promise<number> {
  const token = await loginAs(a, email, PASSWORD)
  const known = await b.inject({ url: '/v1/me', headers: auth(token) })
  if (known.statusCode !== 200) throw new Error(`the other instance refused a fresh token: ${known.statusCode}`)
  const out = await a.inject({ method: 'POST', url: '/v1/auth/logout', headers: auth(token) })
  if (out.statusCode !== 204) throw new Error(`logout: ${out.statusCode}`)
  const started = Date.now()
  while (Date.now() - started < 15_000) {
    if ((await b.inject({ url: '/v1/me', headers: auth(token) })).statusCode === 401) return Date.now() - started
    await new Promise(resolve => setTimeout(resolve, 25))
  }
  return Infinity
}

async function instances (t: Test, n: number, overrides: Partial<AppConfig>): Promise<FastifyInstance[]> {
  const jwtSecret = 'pgbouncer-test-secret-' + 'x'.repeat(40)
  const apps = await Promise.all(Array.from({ length: n }, async () => await buildApp(testConfig({ jwtSecret, dbPoolSize: 6, ...overrides }),
    { logger: false })))
  t.teardown(async () => { for (const app of apps) await app.close() })
  return apps
}

async function registerFirms (app: FastifyInstance, count: number, offset: number): Promise<Firm[]> {
  const firms: Firm[] = []
  for (let i = 0; i < count; i++) {
    const email = `pgb${offset + i}@example.test`
    const res = await app.inject({
      method: 'POST',
      url: '/v1/auth/register',
      payload: { uscc: uscc(80_000 + offset + i), name: `连接池测试公司 ${offset + i}`, email, password: PASSWORD, districtCode: '210202', domains: ['ai'], foundedOn: '2016-05-01' }
    })
    if (res.statusCode !== 201) throw new Error(`register: ${res.statusCode} ${res.body}`)
    firms.push({ email, enterpriseId: res.json().enterprise.id, token: await loginAs(app, email, PASSWORD) })
  }
  return firms
}

function assertRun (t: Test, outcomes: Outcome[]): void {
  t.same(outcomes.filter(o => typeof o.status === 'number' && o.status >= 500).map(o => `${o.what}: ${o.status} ${o.body.slice(0, 300)}`), [], 'no 5xx')
  t.same(outcomes.filter(o => o.status === 401).map(o => `${o.what}: ${o.body.slice(0, 300)}`), [], 'no valid token refused (401)')
  t.same(outcomes.filter(o => o.status === 'timeout').map(o => o.what), [], `nothing hangs (every answer within ${LIMIT_MS / 1000} s)`)
  t.same(outcomes.filter(o => typeof o.status === 'number' && o.status >= 400).map(o => `${o.what}: ${o.status} ${o.body.slice(0, 300)}`), [], 'no other refusal either')
  t.ok(outcomes.filter(o => o.what === 'PUT declaration' && (o.status === 200 || o.status === 201)).length > 20, 'declarations were written')
}

async function auditIntact (t: Test, app: FastifyInstance): Promise<void> {
  const admin = await loginAs(app, ADMIN.email, ADMIN.password)
  const res = await app.inject({ url: '/v1/audit/verify', headers: auth(admin) })
  t.equal(res.statusCode, 200)
  t.equal(res.json().intact, true, 'the audit trail verifies')
}

t.test('PgBouncer in transaction mode: unnamed statements, LISTEN direct', { skip }, async (t) => {
  const direct = await scratchDatabase(t)
  // Fewer server connections than the instances' pools together: statements of one client land on several server connections.
  const bouncer = await startPgbouncer(t, direct, 'transaction', 4)
  const apps = await instances(t, 2, { databaseUrl: bouncer.url, databaseDirectUrl: direct.toString(), dbPreparedStatements: false })
  const firms = await registerFirms(apps[0], 6, 0)

  const outcomes = await mixedRun(apps, firms, 36)
  t.comment(`transaction mode: ${summary(outcomes)}`)
  assertRun(t, outcomes)

  const ms = await revocationDelay(apps[0], apps[1], firms[0].email)
  t.comment(`transaction mode, LISTEN on DATABASE_DIRECT_URL: a sign-out on one instance refused on the other after ${ms} ms`)
  t.ok(ms <= 2000, `within the session cache's bound (2 s): ${ms} ms`)
  await auditIntact(t, apps[1])
})

t.test('PgBouncer in transaction mode without a direct URL: a sign-out holds on the other instance within SESSION_CACHE_TTL_MS', { skip }, async (t) => {
  const direct = await scratchDatabase(t)
  const bouncer = await startPgbouncer(t, direct, 'transaction', 4)
  // Migrations need a session of their own: the first instance migrates over the direct URL, the second has no direct URL at all.
  const [a] = await instances(t, 1, { databaseUrl: bouncer.url, databaseDirectUrl: direct.toString(), dbPreparedStatements: false })
  const [b] = await instances(t, 1, { databaseUrl: bouncer.url, dbPreparedStatements: false, sessionCacheTtlMs: 1000 })
  const [firm] = await registerFirms(a, 1, 100)
  const ms = await revocationDelay(a, b, firm.email)
  t.comment(`no notification path: a sign-out refused on the other instance after ${ms} ms (SESSION_CACHE_TTL_MS=1000)`)
  t.ok(ms <= 1000 + 300, `within SESSION_CACHE_TTL_MS: ${ms} ms`)
  const outcomes = await mixedRun([a, b], [firm, ...await registerFirms(a, 2, 101)], 12)
  t.comment(`transaction mode, no direct URL on one instance: ${summary(outcomes)}`)
  assertRun(t, outcomes)
})

t.test('PgBouncer in session mode: the defaults (prepared statements, LISTEN through the pooler)', { skip }, async (t) => {
  const direct = await scratchDatabase(t)
  // Session mode keeps a server connection per client connection: enough for both pools and their LISTEN sessions.
  const bouncer = await startPgbouncer(t, direct, 'session', 20)
  const apps = await instances(t, 2, { databaseUrl: bouncer.url })
  const firms = await registerFirms(apps[0], 6, 200)

  const outcomes = await mixedRun(apps, firms, 36)
  t.comment(`session mode: ${summary(outcomes)}`)
  assertRun(t, outcomes)

  const ms = await revocationDelay(apps[0], apps[1], firms[0].email)
  t.comment(`session mode: a sign-out on one instance refused on the other after ${ms} ms`)
  t.ok(ms <= 2000, `within the session cache's bound (2 s): ${ms} ms`)
  await auditIntact(t, apps[1])
})

// Keeps the helpers honest: a pgbouncer this test can start answers as the pooler it claims to be.
t.test('the throwaway pgbouncer pools in the mode asked for', { skip }, async (t) => {
  const direct = await scratchDatabase(t)
  const bouncer = await startPgbouncer(t, direct, 'transaction', 2)
  const client = postgres(bouncer.url, { max: 4, prepare: false, onnotice: () => {} })
  t.teardown(async () => { await client.end({ timeout: 2 }) })
  const pids = new Set<number>()
  await Promise.all(Array.from({ length: 20 }, async () => {
    const [row] = await client<Array<{ pid: number }>>`select pg_backend_pid() as pid, pg_sleep(0.02)`
    pids.add(row.pid)
  }))
  t.ok(pids.size <= 2, `at most default_pool_size server connections (${pids.size})`)
  t.match(execFileSync(BIN!, ['--version'], { encoding: 'utf8' }), /PgBouncer/)
})
