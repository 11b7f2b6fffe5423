import t from 'tap'
import { createHmac } from 'node:crypto'
import { buildTestApp, registerFirm, auth, adminToken, testConfig } from './helper.ts'

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url')

t.test('health, readiness, docs', async (t) => {
  const app = await buildTestApp(t)
  t.same((await app.inject('/health')).json(), { status: 'ok' })
  const ready = await app.inject('/ready')
  t.equal(ready.statusCode, 200)
  t.equal(ready.json().status, 'ready')
  const ui = await app.inject('/docs/')
  t.equal(ui.statusCode, 200)
  t.match(ui.headers['content-type'], /text\/html/)

  const doc = (await app.inject('/docs/json')).json()
  t.equal(doc.openapi, '3.0.3')
  t.ok(doc.paths['/v1/auth/register'].post)
  // Every route declares its responses, and every body-taking route its body.
  for (const [path, ops] of Object.entries<Record<string, any>>(doc.paths)) {
    for (const [method, op] of Object.entries<any>(ops)) {
      t.ok(op.responses != null && Object.keys(op.responses).some(c => c.startsWith('2')), `${method} ${path} declares a 2xx response`)
      if (['post', 'put', 'patch'].includes(method) && !/logout|submit|withdraw|read|assign|recuse|documents|verify|recompute|reevaluate|check|apply|adopt/.test(path)) {
        t.ok(op.requestBody != null, `${method} ${path} declares a body`)
      }
    }
  }
})

t.test('readiness fails when the database is gone', async (t) => {
  const app = await buildTestApp(t)
  await app.database.close()
  const res = await app.inject('/ready')
  t.equal(res.statusCode, 503)
  t.equal(res.json().status, 'unavailable')
})

t.test('tokens that must not work', async (t) => {
  const app = await buildTestApp(t)
  const firm = await registerFirm(app)
  t.equal((await app.inject({ url: '/v1/me', headers: auth(firm.token) })).statusCode, 200)
  const [, payload] = firm.token.split('.')
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString())
  const none = `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`
  const wrongSecret = (() => {
    const head = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(claims)}`
    return `${head}.${createHmac('sha256', 'another-secret-another-secret-12345').update(head).digest('base64url')}`
  })()
  const expired = await app.jwt.sign({ sub: claims.sub, role: claims.role, jti: 'x1', tv: claims.tv }, { expiresIn: -10_000 } as any)
  const wrongAud = await app.jwt.sign({ sub: claims.sub, role: claims.role, jti: 'x2', tv: claims.tv }, { aud: 'someone-else' } as any)
  for (const [name, token] of [['alg none', none], ['wrong secret', wrongSecret], ['expired', expired], ['wrong audience', wrongAud], ['garbage', 'abc.def.ghi']]) {
    const res = await app.inject({ url: '/v1/me', headers: auth(token) })
    t.equal(res.statusCode, 401, name)
    t.equal(res.json().code, 'UNAUTHORIZED', name)
  }
  t.equal((await app.inject('/v1/me')).statusCode, 401, 'no token')
})

t.test('errors: stable codes, field lists, Chinese, generic 5xx', async (t) => {
  const app = await buildTestApp(t)
  const bad = await app.inject({ method: 'POST', url: '/v1/auth/login', payload: { email: 'a@b.cn' } })
  t.equal(bad.statusCode, 400)
  t.same(bad.json().fields, [{ field: 'body.password', message: "must have required property 'password'" }])
  t.equal(bad.json().code, 'VALIDATION_FAILED')
  const notJson = await app.inject({ method: 'POST', url: '/v1/auth/login', headers: { 'content-type': 'text/plain' }, payload: 'hello' })
  t.equal(notJson.statusCode, 415)
  t.equal(notJson.json().code, 'UNSUPPORTED_MEDIA_TYPE')
  const broken = await app.inject({ method: 'POST', url: '/v1/auth/login', headers: { 'content-type': 'application/json' }, payload: '{"email":' })
  t.equal(broken.statusCode, 400)
  const route = await app.inject({ url: '/v1/nothing-here', headers: { 'accept-language': 'zh-CN' } })
  t.equal(route.statusCode, 404)
  t.match(route.json().message, /不存在的接口/)
  const admin = await adminToken(app)
  const missing = await app.inject({ url: '/v1/users/00000000-0000-4000-8000-000000000000', headers: auth(admin) })
  t.same(missing.json(), { statusCode: 404, code: 'NOT_FOUND', error: 'Not Found', message: 'Not found' })

  // An unexpected failure is logged with the request id and answered generically.
  app.db.select = (() => { throw new Error('relation "secret_table" does not exist at character 42') }) as never
  const res = await app.inject({ url: '/v1/audit/verify', headers: auth(admin) })
  t.equal(res.statusCode, 500)
  t.equal(res.json().code, 'INTERNAL')
  t.notMatch(res.body, /secret_table|stack|at /)
  t.equal(res.json().requestId, res.headers['x-request-id'])
})

t.test('configuration is used: token lifetime', async (t) => {
  const app = await buildTestApp(t, { tokenTtl: 120 })
  const firm = await registerFirm(app)
  const claims = JSON.parse(Buffer.from(firm.token.split('.')[1], 'base64url').toString())
  t.equal(claims.exp - claims.iat, 120)
  t.equal(claims.iss, testConfig().jwtIssuer)
  t.ok(claims.jti)
})
