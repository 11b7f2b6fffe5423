import t from 'tap'
import { Writable } from 'node:stream'
import { randomBytes } from 'node:crypto'
import postgres from 'postgres'
import { buildApp, LOG_REDACT } from '../server/app.ts'
import { loadConfig } from '../server/config.ts'
import { buildTestApp, registerFirm, adminToken, auth, testConfig, testDatabaseUrl, uscc, PASSWORD } from './helper.ts'

// Generous: argon2 and fresh databases are slow on a busy CI machine; every test ends by itself.
t.setTimeout(600_000)

// Headers and exposure, overload, global rate limit, start-up refusal, log hygiene (issue 6).

t.test('security headers on API, docs and errors', async (t) => {
  const app = await buildTestApp(t)
  const firm = await registerFirm(app)
  for (const url of ['/v1/me', '/v1/reference/tiers', '/docs/', '/nowhere']) {
    const res = await app.inject({ url, headers: auth(firm.token) })
    const csp = String(res.headers['content-security-policy'])
    t.match(csp, /default-src 'self'/, `${url} CSP`)
    t.match(csp, /script-src 'self'(;|$)/, `${url} scripts only from self`)
    t.match(csp, /frame-ancestors 'none'/, url)
    t.notMatch(csp, /upgrade-insecure-requests/, url)
    t.equal(res.headers['x-content-type-options'], 'nosniff', url)
    t.equal(res.headers['x-frame-options'], 'DENY', url)
    t.equal(res.headers['referrer-policy'], 'no-referrer', url)
    t.match(String(res.headers['strict-transport-security']), /max-age=\d+/, url)
    t.notOk(res.headers['x-powered-by'], url)
  }
  // Swagger UI still loads: its page only references same-origin scripts.
  const ui = await app.inject('/docs/')
  t.equal(ui.statusCode, 200)
  const scripts = [...ui.body.matchAll(/<script[^>]*src="([^"]+)"/g)].map(m => m[1])
  t.ok(scripts.length > 0)
  for (const src of scripts) {
    t.notMatch(src, /^https?:/, 'no third-party script')
    const js = await app.inject(src.startsWith('/') ? src : `/docs/${src.replace(/^\.\//, '')}`)
    t.equal(js.statusCode, 200, src)
  }
  t.notMatch(ui.body, /<script>(?!\s*<\/script>)/, 'no inline script')
})

t.test('Cache-Control: no-store on private data, not on public reference data', async (t) => {
  const app = await buildTestApp(t)
  const admin = await adminToken(app)
  t.equal((await app.inject({ url: '/v1/me', headers: auth(admin) })).headers['cache-control'], 'no-store')
  t.equal((await app.inject({ url: '/v1/users', headers: auth(admin) })).headers['cache-control'], 'no-store')
  t.equal((await app.inject({ url: '/v1/me' })).headers['cache-control'], 'no-store', 'errors too')
  t.equal((await app.inject({ method: 'POST', url: '/v1/auth/login', payload: { email: 'a@b.cn', password: 'x'.repeat(12) } })).headers['cache-control'], 'no-store')
  t.not((await app.inject('/v1/reference/tiers')).headers['cache-control'], 'no-store')
})

t.test('CORS only for configured origins', async (t) => {
  const closed = await buildTestApp(t)
  const pre = await closed.inject({ method: 'OPTIONS', url: '/v1/me', headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' } })
  t.notOk(pre.headers['access-control-allow-origin'], 'no origin allowed by default')
  const get = await closed.inject({ url: '/v1/reference/tiers', headers: { origin: 'https://evil.example' } })
  t.notOk(get.headers['access-control-allow-origin'])

  const { config } = loadConfig({ NODE_ENV: 'test', DATA_DIR: ':memory:', CORS_ORIGINS: 'https://portal.dalian.example, http://localhost:5173' })
  t.same(config.corsOrigins, ['https://portal.dalian.example', 'http://localhost:5173'])
  const open = await buildTestApp(t, { corsOrigins: config.corsOrigins })
  const ok = await open.inject({ method: 'OPTIONS', url: '/v1/me', headers: { origin: 'https://portal.dalian.example', 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' } })
  t.equal(ok.statusCode, 204)
  t.equal(ok.headers['access-control-allow-origin'], 'https://portal.dalian.example')
  t.match(String(ok.headers['access-control-allow-headers']), /authorization/)
  const evil = await open.inject({ method: 'OPTIONS', url: '/v1/me', headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' } })
  t.notOk(evil.headers['access-control-allow-origin'])
  const simple = await open.inject({ url: '/v1/reference/tiers', headers: { origin: 'http://localhost:5173' } })
  t.equal(simple.headers['access-control-allow-origin'], 'http://localhost:5173')

  for (const bad of ['*', 'portal.example', 'https://a.example/path', 'ftp://a.example']) {
    t.throws(() => loadConfig({ NODE_ENV: 'test', DATA_DIR: ':memory:', CORS_ORIGINS: bad }), /^CORS_ORIGINS: /, bad)
  }
})

t.test('security configuration is validated and named in errors', async (t) => {
  const base = { NODE_ENV: 'test', DATA_DIR: ':memory:' }
  const d = loadConfig(base).config
  t.equal(d.rateLimit.max, 6000)
  t.equal(d.overload.maxEventLoopDelayMs, 1000)
  t.ok(d.overload.maxHeapUsedBytes > 0, 'heap ceiling on by default')
  t.equal(d.overload.maxRssBytes, 0)
  t.equal(d.allowUnsafeDurability, false)
  t.same(d.corsOrigins, [])
  const c = loadConfig({ ...base, RATE_LIMIT: '0', OVERLOAD_HEAP_MB: '512', OVERLOAD_RSS_MB: '1024', OVERLOAD_EVENT_LOOP_DELAY_MS: '250', DB_HEALTH_INTERVAL_MS: '0', ALLOW_UNSAFE_DURABILITY: 'true' }).config
  t.same([c.rateLimit.max, c.overload.maxHeapUsedBytes, c.overload.maxRssBytes, c.overload.maxEventLoopDelayMs, c.overload.dbHealthIntervalMs,
    c.allowUnsafeDurability],
  [0, 512 * 1048576, 1024 * 1048576, 250, 0, true])
  for (const [k, v] of [['RATE_LIMIT', '-1'], ['RATE_LIMIT', 'many'], ['OVERLOAD_HEAP_MB', '1.5'], ['OVERLOAD_EVENT_LOOP_DELAY_MS', 'x'], ['DB_HEALTH_INTERVAL_MS', '9999999'], ['ALLOW_UNSAFE_DURABILITY', 'maybe']]) {
    t.throws(() => loadConfig({ ...base, [k]: v }), new RegExp(`^${k}: `), `${k}=${v}`)
  }
})

t.test('wrong content type 415, body over the limit 413, limit=100000 400', async (t) => {
  const app = await buildTestApp(t)
  const admin = await adminToken(app)
  for (const type of ['text/plain', 'application/xml', 'application/x-www-form-urlencoded', 'image/png']) {
    const res = await app.inject({ method: 'POST', url: '/v1/auth/login', headers: { 'content-type': type }, payload: 'email=a@b.cn&password=x' })
    t.equal(res.statusCode, 415, type)
    t.equal(res.json().code, 'UNSUPPORTED_MEDIA_TYPE', type)
  }
  const big = JSON.stringify({ email: 'a@b.cn', password: 'x'.repeat(2 * 1024 * 1024) })
  const tooBig = await app.inject({ method: 'POST', url: '/v1/auth/login', headers: { 'content-type': 'application/json' }, payload: big })
  t.equal(tooBig.statusCode, 413)
  t.equal(tooBig.json().code, 'PAYLOAD_TOO_LARGE')
  const many = await app.inject({ url: '/v1/users?limit=100000', headers: auth(admin) })
  t.equal(many.statusCode, 400)
  t.equal(many.json().code, 'VALIDATION_FAILED')
  t.same(many.json().fields.map((f: { field: string }) => f.field), ['querystring.limit'])
  t.equal((await app.inject({ url: '/v1/users?limit=500', headers: auth(admin) })).statusCode, 200)
  // Refused by the router before any hook: still the one error shape, and the path is not echoed.
  for (const url of [`/v1/users/${'9'.repeat(300)}`, '/v1/users/%E0%A4%A']) {
    const res = await app.inject({ url, headers: auth(admin) })
    t.equal(res.statusCode, 400, url.slice(0, 20))
    t.equal(res.json().code, 'BAD_REQUEST')
    t.notMatch(res.body, /999999|%E0/)
  }
})

t.test('Swagger UI can be switched off; the JSON document stays', async (t) => {
  const { config } = loadConfig({ NODE_ENV: 'test', DATA_DIR: ':memory:', DOCS_UI: 'false' })
  t.equal(config.docsUi, false)
  const app = await buildTestApp(t, { docsUi: false })
  for (const url of ['/docs', '/docs/', '/docs/static/index.html', '/docs/swagger-initializer.js']) {
    t.equal((await app.inject(url)).statusCode, 404, url)
  }
  const doc = await app.inject('/docs/json')
  t.equal(doc.statusCode, 200)
  t.equal(doc.json().openapi, '3.0.3')
})

/** Polls until the predicate holds (no timing assertion: only an upper bound so the test ends). */
async function eventually (what: string, check: () => Promise<boolean>, limitMs = 10_000): Promise<void> {
  const until = Date.now() + limitMs
  while (Date.now() < until) {
    if (await check()) return
    await new Promise(resolve => setTimeout(resolve, 25))
  }
  throw new Error(`not reached within ${limitMs} ms: ${what}`)
}

t.test('database down → 503 with Retry-After at once (the database watch), back when it answers', async (t) => {
  const defaults = testConfig()
  const app = await buildTestApp(t, { overload: { ...defaults.overload, dbHealthIntervalMs: 20 } })
  t.equal((await app.inject('/v1/reference/tiers')).statusCode, 200)
  const ping = app.database.ping
  app.database.ping = async () => { throw new Error('connection refused') }
  await eventually('503', async () => (await app.inject('/v1/reference/tiers')).statusCode === 503)
  const res = await app.inject({ url: '/v1/reference/domains', headers: { 'accept-language': 'zh-CN' } })
  t.equal(res.statusCode, 503)
  t.equal(res.headers['retry-after'], '5')
  t.equal(res.json().code, 'SERVICE_UNAVAILABLE')
  t.match(res.json().message, /服务暂不可用/)
  t.equal((await app.inject('/health')).statusCode, 200, 'liveness is not shed')
  app.database.ping = ping
  await eventually('healthy again', async () => (await app.inject('/v1/reference/tiers')).statusCode === 200)
})

t.test('memory saturated → 503 with Retry-After', async (t) => {
  const defaults = testConfig()
  const app = await buildTestApp(t, { overload: { ...defaults.overload, maxHeapUsedBytes: 1 } })
  await eventually('503', async () => (await app.inject('/v1/reference/tiers')).statusCode === 503)
  const res = await app.inject('/v1/reference/tiers')
  t.equal(res.headers['retry-after'], '5')
  t.equal(res.json().code, 'SERVICE_UNAVAILABLE')
  t.equal((await app.inject('/health')).statusCode, 200)
})

t.test('global rate limit: per user when signed in, per IP otherwise; forged tokens count against the IP', async (t) => {
  const app = await buildTestApp(t, { rateLimit: { max: 8, windowMs: 60_000 } })
  const a = await registerFirm(app, {}, { confirm: false }) // 2 anonymous requests from 127.0.0.1
  const b = await registerFirm(app, {}, { confirm: false }) // 2 more
  for (let i = 0; i < 8; i++) t.equal((await app.inject({ url: '/v1/me', headers: auth(a.token) })).statusCode, 200)
  const limited = await app.inject({ url: '/v1/me', headers: auth(a.token) })
  t.equal(limited.statusCode, 429)
  t.equal(limited.json().code, 'RATE_LIMITED')
  t.ok(Number(limited.headers['retry-after']) >= 1 && Number(limited.headers['retry-after']) <= 60)
  t.equal((await app.inject({ url: '/v1/me', headers: auth(b.token) })).statusCode, 200, 'another user has its own bucket')
  for (let i = 0; i < 4; i++) t.equal((await app.inject('/v1/reference/tiers')).statusCode, 200)
  t.equal((await app.inject('/v1/reference/tiers')).statusCode, 429, 'anonymous: the IP bucket is spent')
  const forged = `${Buffer.from('{"alg":"HS256"}').toString('base64url')}.${Buffer.from(JSON.stringify({ sub: randomBytes(16).toString('hex') })).toString('base64url')}.x`
  t.equal((await app.inject({ url: '/v1/me', headers: auth(forged) })).statusCode, 429, 'a forged token does not get a fresh bucket')
  t.equal((await app.inject('/health')).statusCode, 200, 'probes are not limited')
  t.equal((await app.inject({ url: '/v1/me', headers: { ...auth(b.token), 'x-forwarded-for': '10.1.2.3' } })).statusCode, 200)
})

t.test('start-up refused on PostgreSQL with synchronous_commit off unless ALLOW_UNSAFE_DURABILITY', { skip: testDatabaseUrl == null ? 'needs PostgreSQL (DATABASE_URL)' : false }, async (t) => {
  const name = `peiyu_unsafe_${process.pid}_${randomBytes(4).toString('hex')}`
  const admin = postgres(testDatabaseUrl!, { max: 1, onnotice: () => {} })
  await admin.unsafe(`create database ${name}`)
  await admin.unsafe(`alter database ${name} set synchronous_commit = off`)
  t.teardown(async () => {
    await admin.unsafe(`drop database if exists ${name} with (force)`)
    await admin.end()
  })
  const url = new URL(testDatabaseUrl!)
  url.pathname = '/' + name
  await t.rejects(buildApp(testConfig({ databaseUrl: url.toString() }), { logger: false }), /synchronous_commit=off.*ALLOW_UNSAFE_DURABILITY=true/)
  const app = await buildApp(testConfig({ databaseUrl: url.toString(), allowUnsafeDurability: true }), { logger: false })
  t.equal((await app.inject('/ready')).statusCode, 200, 'starts when told to')
  await app.close()
})

t.test('logs never contain passwords, tokens or financial figures', async (t) => {
  const lines: string[] = []
  const stream = new Writable({ write (chunk, _enc, done) { lines.push(String(chunk)); done() } })
  const app = await buildApp(testConfig({ logLevel: 'trace' }), { logger: { level: 'trace', stream, redact: { paths: LOG_REDACT, censor: '[redacted]' } } })
  t.teardown(async () => { await app.close() })
  const code = uscc(777)
  const reg = await app.inject({
    method: 'POST', url: '/v1/auth/register',
    payload: { uscc: code, name: '日志测试软件有限公司', email: 'log@example.test', password: PASSWORD, districtCode: '210202', domains: ['ai'], foundedOn: '2016-01-01' }
  })
  t.equal(reg.statusCode, 201)
  const enterpriseId = reg.json().enterprise.id
  const bad = await app.inject({ method: 'POST', url: '/v1/auth/login', payload: { email: 'log@example.test', password: 'Wrong-Password-123' } })
  t.equal(bad.statusCode, 401)
  const login = await app.inject({ method: 'POST', url: '/v1/auth/login', payload: { email: 'log@example.test', password: PASSWORD } })
  const token = login.json().accessToken as string
  t.ok(token)
  const revenue = '987654321.57'
  const figures = { operatingRevenue: revenue, softwareRevenue: '123456789.13', rdExpense: '55554444.31', exportRevenue: '0.00', employees: 321, rdStaff: 45, patents: 3, softwareCopyrights: 7 }
  const decl = await app.inject({ method: 'PUT', url: `/v1/enterprises/${enterpriseId}/declarations/2025`, headers: auth(token), payload: figures })
  t.not(decl.statusCode, 500)
  // A failing request whose body carries figures is logged too (validation error).
  await app.inject({ method: 'PUT', url: `/v1/enterprises/${enterpriseId}/declarations/2025`, headers: auth(token), payload: { ...figures, employees: 'many' } })
  await app.inject({ url: '/v1/me', headers: auth(token) })
  await app.inject({ method: 'POST', url: '/v1/auth/logout', headers: auth(token) })
  const log = lines.join('')
  t.ok(lines.length > 10, `captured ${lines.length} log lines`)
  t.match(log, /"reqId"/, 'request logs captured')
  for (const secret of [PASSWORD, 'Wrong-Password-123', token, token.split('.')[2], revenue, '123456789.13', '55554444.31']) {
    t.notOk(log.includes(secret), `log does not contain ${secret.slice(0, 12)}…`)
  }
  t.notMatch(log, /Bearer [A-Za-z0-9_-]+\./, 'no bearer token')
})
