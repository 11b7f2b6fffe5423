import t from 'tap'
import { createHmac, createSign, generateKeyPairSync, randomUUID } from 'node:crypto'
import { buildTestApp, registerFirm, createStaff, adminToken, auth } from './helper.ts'

// Generous: argon2 and fresh databases are slow on a busy CI machine; every test ends by itself.
t.setTimeout(600_000)

// Every token that must not work gets 401 UNAUTHORIZED (OWASP API2:2023 broken
// authentication; RFC 8725 JWT best current practices). Tokens are built by
// hand so that nothing in the signing library can soften a case.

const SECRET = 'token-test-secret-0123456789-abcdefghijklmnop'
const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url')

function hmacToken (header: Record<string, unknown>, claims: Record<string, unknown>, secret = SECRET, hash = 'sha256'): string {
  const head = `${b64(header)}.${b64(claims)}`
  return `${head}.${createHmac(hash, secret).update(head).digest('base64url')}`
}

t.test('tokens that must not work', async (t) => {
  const app = await buildTestApp(t, { jwtSecret: SECRET })
  const firm = await registerFirm(app)
  const real = JSON.parse(Buffer.from(firm.token.split('.')[1], 'base64url').toString())
  const now = Math.floor(Date.now() / 1000)
  // What a good token says; each case below breaks one thing.
  const good = { sub: firm.userId, role: 'enterprise', jti: randomUUID(), tv: real.tv, iat: now - 5, exp: now + 600, iss: 'peiyu', aud: 'peiyu-api' }
  const hs256 = { alg: 'HS256', typ: 'JWT' }

  const me = async (token: string) => await app.inject({ url: '/v1/me', headers: auth(token) })

  // The hand-built token is right, so the failures below are about what each case changes.
  const baseline = await me(hmacToken(hs256, good))
  t.equal(baseline.statusCode, 200, 'a correctly built token works')
  t.equal(baseline.json().id, firm.userId)

  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const rs256 = (() => {
    const head = `${b64({ alg: 'RS256', typ: 'JWT' })}.${b64(good)}`
    return `${head}.${createSign('RSA-SHA256').update(head).sign(privateKey).toString('base64url')}`
  })()
  const edited = (() => {
    const [h, , s] = hmacToken(hs256, good).split('.')
    return `${h}.${b64({ ...good, role: 'admin' })}.${s}`
  })()
  const without = (k: string) => Object.fromEntries(Object.entries(good).filter(([key]) => key !== k))

  const cases: Array<[string, string]> = [
    ['alg: none, no signature', `${b64({ alg: 'none', typ: 'JWT' })}.${b64(good)}.`],
    ['alg: none with the HS256 signature kept', `${b64({ alg: 'none', typ: 'JWT' })}.${b64(good)}.${hmacToken(hs256, good).split('.')[2]}`],
    ['HS512 with the right secret', hmacToken({ alg: 'HS512', typ: 'JWT' }, good, SECRET, 'sha512')],
    ['HS384 with the right secret', hmacToken({ alg: 'HS384', typ: 'JWT' }, good, SECRET, 'sha384')],
    ['RS256', rs256],
    ['wrong secret', hmacToken(hs256, good, 'another-secret-of-the-same-length-0123456789')],
    ['edited payload (role → admin)', edited],
    ['no exp', hmacToken(hs256, without('exp'))],
    ['expired', hmacToken(hs256, { ...good, iat: now - 7200, exp: now - 3600 })],
    ['future nbf', hmacToken(hs256, { ...good, nbf: now + 3600 })],
    ['wrong aud', hmacToken(hs256, { ...good, aud: 'another-api' })],
    ['wrong iss', hmacToken(hs256, { ...good, iss: 'someone-else' })],
    ['no aud', hmacToken(hs256, without('aud'))],
    ['no iss', hmacToken(hs256, without('iss'))],
    ['missing jti', hmacToken(hs256, without('jti'))],
    ['missing tv (token version)', hmacToken(hs256, without('tv'))],
    ['old token version', hmacToken(hs256, { ...good, tv: real.tv - 1 })],
    ['role claim differs from the account', hmacToken(hs256, { ...good, role: 'admin' })],
    ['sub is not a user id', hmacToken(hs256, { ...good, sub: 'admin' })],
    ['sub of no user', hmacToken(hs256, { ...good, sub: randomUUID() })],
    ['not a JWT', 'not-a-token'],
    ['empty signature', hmacToken(hs256, good).replace(/\.[^.]+$/, '.')],
    ['header not JSON', `bm90IGpzb24.${b64(good)}.abc`]
  ]
  for (const [name, token] of cases) {
    const res = await me(token)
    t.equal(res.statusCode, 401, name)
    t.equal(res.json().code, 'UNAUTHORIZED', name)
  }

  for (const [name, headers] of [
    ['no Authorization header', {}],
    ['Basic scheme', { authorization: 'Basic ' + Buffer.from('a:b').toString('base64') }],
    ['Bearer without a token', { authorization: 'Bearer ' }]
  ] as Array<[string, Record<string, string>]>) {
    const res = await app.inject({ url: '/v1/me', headers })
    t.equal(res.statusCode, 401, name)
    t.equal(res.json().code, 'UNAUTHORIZED', name)
  }
})

t.test('revoked (logout), disabled user, changed role', async (t) => {
  const app = await buildTestApp(t, { jwtSecret: SECRET })
  const admin = await adminToken(app)
  const me = async (token: string) => await app.inject({ url: '/v1/me', headers: auth(token) })

  const firm = await registerFirm(app)
  t.equal((await me(firm.token)).statusCode, 200)
  t.equal((await app.inject({ method: 'POST', url: '/v1/auth/logout', headers: auth(firm.token) })).statusCode, 204)
  const revoked = await me(firm.token)
  t.equal(revoked.statusCode, 401, 'revoked')
  t.equal(revoked.json().code, 'UNAUTHORIZED')

  const reviewer = await createStaff(app, 'reviewer')
  t.equal((await me(reviewer.token)).statusCode, 200)
  const patch = await app.inject({ method: 'PATCH', url: `/v1/users/${reviewer.id}`, headers: auth(admin), payload: { role: 'officer' } })
  t.equal(patch.statusCode, 200)
  const changed = await me(reviewer.token)
  t.equal(changed.statusCode, 401, 'changed role')
  t.equal(changed.json().code, 'UNAUTHORIZED')

  const analyst = await createStaff(app, 'analyst')
  t.equal((await me(analyst.token)).statusCode, 200)
  t.equal((await app.inject({ method: 'PATCH', url: `/v1/users/${analyst.id}`, headers: auth(admin), payload: { disabled: true } })).statusCode, 200)
  const disabled = await me(analyst.token)
  t.equal(disabled.statusCode, 401, 'disabled user')
  t.equal(disabled.json().code, 'UNAUTHORIZED')
  // Re-enabling does not revive old tokens: the token version moved on.
  t.equal((await app.inject({ method: 'PATCH', url: `/v1/users/${analyst.id}`, headers: auth(admin), payload: { disabled: false } })).statusCode, 200)
  t.equal((await me(analyst.token)).statusCode, 401, 'still 401 after re-enabling')
})
