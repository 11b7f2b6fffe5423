import t from 'tap'
import argon2 from 'argon2'
import type { Test } from 'tap'
import { buildTestApp, registerFirm, createStaff, adminToken, auth, PASSWORD } from './helper.ts'
import { UNCONFIRMED_PER_EMAIL } from '../server/services/accounts.ts'

// Generous: argon2 and fresh databases are slow on a busy CI machine; every test ends by itself.
t.setTimeout(600_000)

// Sign-in must not tell who has an account (OWASP API2:2023; ASVS V2.2, V3):
// unknown email, wrong password and disabled account answer alike and cost
// the same argon2 work; attempts are limited per account and per client IP.

const login = (email: string, password: string, headers: Record<string, string> = {}) =>
  ({ method: 'POST' as const, url: '/v1/auth/login', payload: { email, password }, headers })

/** Counts argon2.verify calls and remembers the parameters of each hash verified against. */
function spyOnArgon2 (t: Test): Array<{ params: string }> {
  const calls: Array<{ params: string }> = []
  const original = argon2.verify
  argon2.verify = (async (hash: string, password: string | Buffer, ...rest: unknown[]) => {
    // "$argon2id$v=19$m=19456,t=2,p=1$salt$hash" → the algorithm and cost part
    calls.push({ params: hash.split('$').slice(1, 4).join('$') })
    return await (original as (...a: unknown[]) => Promise<boolean>)(hash, password, ...rest)
  }) as typeof argon2.verify
  t.teardown(() => { argon2.verify = original })
  return calls
}

t.test('unknown email, wrong password and disabled account answer alike, each after the same number of argon2 verifications', async (t) => {
  const app = await buildTestApp(t)
  const firm = await registerFirm(app)
  const staff = await createStaff(app, 'analyst')
  const admin = await adminToken(app)
  t.equal((await app.inject({ method: 'PATCH', url: `/v1/users/${staff.id}`, headers: auth(admin), payload: { disabled: true } })).statusCode, 200)

  // The confirmed account and the newest unconfirmed ones of the address: always this many, dummies filling in.
  const N = 1 + UNCONFIRMED_PER_EMAIL
  const calls = spyOnArgon2(t)
  const unknown = await app.inject(login('nobody@example.test', PASSWORD))
  t.equal(calls.length, N, 'unknown email: argon2 still runs (dummy hashes)')
  const wrong = await app.inject(login(firm.email, PASSWORD + 'x'))
  t.equal(calls.length, 2 * N, 'wrong password: as many')
  const disabled = await app.inject(login(staff.email, PASSWORD))
  t.equal(calls.length, 3 * N, 'disabled account: as many')
  const upper = await app.inject(login('NOBODY2@EXAMPLE.TEST', 'x'.repeat(12)))
  t.equal(calls.length, 4 * N)

  // The dummy hash costs what a real one costs: same algorithm, memory, iterations, parallelism.
  t.match(calls[0].params, /^argon2id\$v=19\$m=19456,(t=2,p=1|p=1,t=2)$/)
  t.equal(new Set(calls.map(c => c.params)).size, 1, 'every verification uses the same parameters')

  for (const [name, res] of [['wrong password', wrong], ['disabled', disabled], ['upper-case unknown', upper]] as const) {
    t.equal(res.statusCode, unknown.statusCode, name)
    t.equal(res.body, unknown.body, `${name}: byte-identical body`)
    t.equal(res.headers['content-type'], unknown.headers['content-type'], name)
  }
  t.equal(unknown.statusCode, 401)
  t.equal(unknown.json().code, 'INVALID_CREDENTIALS')
  t.notMatch(unknown.body, /exist|unknown|disabled|not found/i, 'says nothing about the account')

  const ok = await app.inject(login(firm.email, PASSWORD))
  t.equal(ok.statusCode, 200)
  t.equal(calls.length, 5 * N)
})

t.test('per-account limit: 429 with Retry-After, even with the right password; other accounts unaffected', async (t) => {
  const app = await buildTestApp(t, { loginRateLimit: { max: 3, windowMs: 60_000 } })
  const a = await registerFirm(app) // 1 login from 127.0.0.1
  const b = await registerFirm(app) // 1 more: 2 of the IP's 9
  // a's sign-in inside registerFirm was attempt 1 of 3; two wrong passwords spend the rest.
  for (let i = 0; i < 2; i++) t.equal((await app.inject(login(a.email, 'Wrong-Password-' + i))).statusCode, 401)
  const limited = await app.inject(login(a.email, PASSWORD))
  t.equal(limited.statusCode, 429)
  t.equal(limited.json().code, 'RATE_LIMITED')
  const retryAfter = Number(limited.headers['retry-after'])
  t.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${limited.headers['retry-after']}`)
  t.match(limited.json().message, /retry in \d+ seconds/)
  // The account key is normalised: case and spaces do not make a new bucket.
  t.equal((await app.inject(login(a.email.toUpperCase(), PASSWORD))).statusCode, 429)
  t.equal((await app.inject(login(b.email, PASSWORD))).statusCode, 200, 'another account signs in')
})

t.test('per-IP limit: 429 across accounts; X-Forwarded-For ignored without TRUST_PROXY', async (t) => {
  const app = await buildTestApp(t, { loginRateLimit: { max: 3, windowMs: 60_000 } })
  // 3 × 3 = 9 attempts per IP, each on a different account so the account limit never trips.
  for (let i = 0; i < 9; i++) {
    const res = await app.inject(login(`probe${i}@example.test`, 'Wrong-Password-1', { 'x-forwarded-for': `10.9.0.${i}` }))
    t.equal(res.statusCode, 401, `attempt ${i + 1}`)
  }
  const limited = await app.inject(login('probe99@example.test', 'Wrong-Password-1', { 'x-forwarded-for': '10.9.1.1' }))
  t.equal(limited.statusCode, 429, 'a spoofed X-Forwarded-For does not buy a fresh bucket')
  t.ok(Number(limited.headers['retry-after']) >= 1)
  t.equal(limited.json().code, 'RATE_LIMITED')
  // Registration is limited per IP as well.
  const reg = await app.inject({ url: '/v1/me', headers: { 'x-forwarded-for': '10.9.1.2' } })
  t.equal(reg.statusCode, 401, 'other routes are not affected by the login limit')
})

t.test('with TRUST_PROXY the client address comes from X-Forwarded-For', async (t) => {
  const app = await buildTestApp(t, { loginRateLimit: { max: 3, windowMs: 60_000 }, trustProxy: true })
  for (let i = 0; i < 9; i++) {
    t.equal((await app.inject(login(`probe${i}@example.test`, 'Wrong-Password-1', { 'x-forwarded-for': '203.0.113.7' }))).statusCode, 401)
  }
  t.equal((await app.inject(login('probe50@example.test', 'Wrong-Password-1', { 'x-forwarded-for': '203.0.113.7' }))).statusCode, 429, 'this client is limited')
  t.equal((await app.inject(login('probe51@example.test', 'Wrong-Password-1', { 'x-forwarded-for': '203.0.113.8' }))).statusCode, 401, 'another client behind the proxy is not')
})
