import t from 'tap'
import { buildTestApp, registerFirm, auth, uscc, PASSWORD, adminToken, createStaff, login } from './helper.ts'

t.test('register, login, me, logout', async (t) => {
  const app = await buildTestApp(t)
  const code = uscc(42)
  const reg = await app.inject({
    method: 'POST', url: '/v1/auth/register',
    payload: { uscc: code, name: '大连测试科技有限公司', email: 'Owner@Example.test', password: PASSWORD, districtCode: '210211', domains: ['big_data', 'ai'], foundedOn: '2019-05-20' }
  })
  t.equal(reg.statusCode, 201, reg.body)
  const { user, enterprise } = reg.json()
  t.equal(user.role, 'enterprise')
  t.equal(user.email, 'owner@example.test')
  t.equal(enterprise.uscc, code)
  t.same(enterprise.domains, ['ai', 'big_data'])
  t.notOk('passwordHash' in user)

  const login = await app.inject({ method: 'POST', url: '/v1/auth/login', payload: { email: 'owner@example.test', password: PASSWORD } })
  t.equal(login.statusCode, 200)
  const { accessToken, tokenType, expiresIn } = login.json()
  t.equal(tokenType, 'Bearer')
  t.equal(expiresIn, 3600)

  const me = await app.inject({ url: '/v1/me', headers: auth(accessToken) })
  t.equal(me.statusCode, 200)
  t.same(me.json(), {
    id: user.id, email: 'owner@example.test', name: '大连测试科技有限公司', role: 'enterprise', emailConfirmed: false, enterpriseId: enterprise.id, firmRole: 'owner'
  }, 'signed in before confirming the address')

  const out = await app.inject({ method: 'POST', url: '/v1/auth/logout', headers: auth(accessToken) })
  t.equal(out.statusCode, 204)
  const after = await app.inject({ url: '/v1/me', headers: auth(accessToken) })
  t.equal(after.statusCode, 401)
  t.equal(after.json().code, 'UNAUTHORIZED')
})

t.test('registration validation', async (t) => {
  const app = await buildTestApp(t)
  const base = { name: '某某软件有限公司', email: 'a@example.test', password: PASSWORD, districtCode: '210202', domains: ['ai'], foundedOn: '2018-01-01' }
  const good = uscc(7)
  const wrongCheck = good.slice(0, 17) + (good[17] === '0' ? '1' : '0')
  const cases: Array<[string, Record<string, unknown>, number, string, RegExp?]> = [
    ['wrong check character', { uscc: wrongCheck }, 400, 'INVALID_USCC', /check character/],
    ['too short', { uscc: good.slice(0, 17) }, 400, 'INVALID_USCC', /18 characters/],
    ['forbidden letter I', { uscc: 'I' + good.slice(1) }, 400, 'INVALID_USCC', /not one of/],
    ['division code not digits', { uscc: '91AB0202' + good.slice(8) }, 400, 'INVALID_USCC', /division code/],
    ['common password', { uscc: good, password: 'password123' }, 400, 'WEAK_PASSWORD', /common/],
    ['short password', { uscc: good, password: 'Ab1!' }, 400, 'VALIDATION_FAILED'],
    ['unknown district', { uscc: good, districtCode: '999999' }, 400, 'UNKNOWN_REFERENCE'],
    ['unknown domain', { uscc: good, domains: ['blockchain'] }, 400, 'UNKNOWN_REFERENCE'],
    ['founded in the future', { uscc: good, foundedOn: '2999-01-01' }, 400, 'VALIDATION_FAILED'],
    ['extra field', { uscc: good, role: 'admin' }, 400, 'VALIDATION_FAILED']
  ]
  for (const [name, patch, status, code, message] of cases) {
    const res = await app.inject({ method: 'POST', url: '/v1/auth/register', payload: { ...base, ...patch } })
    t.equal(res.statusCode, status, name)
    t.equal(res.json().code, code, name)
    if (message != null) t.match(res.json().message, message, name)
  }
  const extra = await app.inject({ method: 'POST', url: '/v1/auth/register', payload: { ...base, uscc: good, role: 'admin' } })
  t.same(extra.json().fields, [{ field: 'body.role', message: 'is not a field you may set' }])

  const ok = await app.inject({ method: 'POST', url: '/v1/auth/register', payload: { ...base, uscc: good.toLowerCase() } })
  t.equal(ok.statusCode, 201, 'lower case is normalised')
  const dupCode = await app.inject({ method: 'POST', url: '/v1/auth/register', payload: { ...base, uscc: good, email: 'b@example.test' } })
  t.equal(dupCode.statusCode, 409)
  t.equal(dupCode.json().code, 'REGISTRATION_CONFLICT')
  const dupEmail = await app.inject({ method: 'POST', url: '/v1/auth/register', payload: { ...base, uscc: uscc(8), email: 'A@example.test' } })
  t.equal(dupEmail.statusCode, 201, 'a taken email is no conflict: the answer does not tell which emails have accounts')
  const zh = await app.inject({ method: 'POST', url: '/v1/auth/register', headers: { 'accept-language': 'zh-CN,zh;q=0.9,en;q=0.8' }, payload: { ...base, uscc: wrongCheck } })
  t.match(zh.json().message, /统一社会信用代码无效/)
})

t.test('login failures look alike', async (t) => {
  const app = await buildTestApp(t)
  const firm = await registerFirm(app)
  const unknown = await app.inject({ method: 'POST', url: '/v1/auth/login', payload: { email: 'nobody@example.test', password: PASSWORD } })
  const wrong = await app.inject({ method: 'POST', url: '/v1/auth/login', payload: { email: firm.email, password: 'Wrong-password-123' } })
  t.equal(unknown.statusCode, 401)
  t.equal(wrong.statusCode, 401)
  t.equal(unknown.body, wrong.body)
})

t.test('staff accounts, roles, disabling', async (t) => {
  const app = await buildTestApp(t)
  const admin = await adminToken(app)
  const firm = await registerFirm(app)
  const forbidden = await app.inject({ method: 'POST', url: '/v1/users', headers: auth(firm.token), payload: { email: 'x@staff.test', name: 'x', role: 'admin', password: PASSWORD } })
  t.equal(forbidden.statusCode, 403)
  t.equal(forbidden.json().code, 'FORBIDDEN')
  const noEnterprise = await app.inject({ method: 'POST', url: '/v1/users', headers: auth(admin), payload: { email: 'x@staff.test', name: 'x', role: 'enterprise', password: PASSWORD } })
  t.equal(noEnterprise.statusCode, 400)

  const officer = await createStaff(app, 'officer')
  const me = await app.inject({ url: '/v1/me', headers: auth(officer.token) })
  t.equal(me.json().role, 'officer')

  // Changing the role ends existing tokens.
  const role = await app.inject({ method: 'PATCH', url: `/v1/users/${officer.id}`, headers: auth(admin), payload: { role: 'analyst' } })
  t.equal(role.statusCode, 200)
  t.equal(role.json().role, 'analyst')
  t.equal((await app.inject({ url: '/v1/me', headers: auth(officer.token) })).statusCode, 401)
  const fresh = await login(app, officer.email, PASSWORD)
  t.equal((await app.inject({ url: '/v1/me', headers: auth(fresh) })).json().role, 'analyst')

  // Disabling ends tokens and refuses login like a wrong password.
  const dis = await app.inject({ method: 'PATCH', url: `/v1/users/${officer.id}`, headers: auth(admin), payload: { disabled: true } })
  t.equal(dis.statusCode, 200)
  t.equal((await app.inject({ url: '/v1/me', headers: auth(fresh) })).statusCode, 401)
  const again = await app.inject({ method: 'POST', url: '/v1/auth/login', payload: { email: officer.email, password: PASSWORD } })
  t.equal(again.statusCode, 401)
  t.equal(again.json().code, 'INVALID_CREDENTIALS')

  const missing = await app.inject({ method: 'PATCH', url: '/v1/users/00000000-0000-4000-8000-000000000000', headers: auth(admin), payload: { disabled: true } })
  t.equal(missing.statusCode, 404)
  const list = await app.inject({ url: '/v1/users?role=analyst&limit=1', headers: auth(admin) })
  t.equal(list.statusCode, 200)
  t.equal(list.json().items.length, 1)

  // The last administrator cannot lock everyone out.
  const [adminUser] = (await app.inject({ url: '/v1/users?role=admin', headers: auth(admin) })).json().items
  const last = await app.inject({ method: 'PATCH', url: `/v1/users/${adminUser.id}`, headers: auth(admin), payload: { disabled: true } })
  t.equal(last.statusCode, 409)

  const audit = await app.inject({ url: `/v1/audit?objectId=${officer.id}`, headers: auth(admin) })
  t.same(audit.json().items.map((e: { action: string }) => e.action), ['user.disable', 'user.change_role', 'user.create'])
})
