import t from 'tap'
import { eq } from 'drizzle-orm'
import { auditLog, policySettings } from '../db/schema/index.ts'
import { adminToken, auth, buildTestApp, createStaff } from './helper.ts'

// Administrators change policy values one by one, each checked against its key's shape and range.
const app = await buildTestApp(t)
const admin = await adminToken(app)
const put = async (key: string, value: unknown, token = admin) =>
  await app.inject({ method: 'PUT', url: `/v1/admin/policy/${key}`, headers: auth(token), payload: { value } })

t.test('the list: every stored value and every editable one, with descriptions', async (t) => {
  const res = await app.inject({ url: '/v1/admin/policy', headers: auth(admin) })
  t.equal(res.statusCode, 200)
  const items = res.json().items as Array<{ key: string, value: unknown, editable: boolean, endpoint: string | null, stored: boolean, description: string }>
  const by = new Map(items.map(i => [i.key, i]))
  t.match(by.get('notice_period_days'), { value: 7, editable: true, stored: true })
  t.match(by.get('eligibility_gates'), { editable: false, endpoint: 'PUT /v1/admin/eligibility-gates' })
  t.match(by.get('recent_notice_days'), { value: null, editable: true, stored: false }, 'an editable value not stored yet: the default applies')
  t.ok(items.every(i => i.description !== ''), 'each says what it is')
  t.equal(by.get('letter_issuing_body')?.value, '大连市工业和信息化局', 'letters name the body that issues them today, as the notices do')
  t.same(by.get('notice_issuing_body')?.value, { zh: '大连市工业和信息化局', en: 'Dalian Municipal Bureau of Industry and Information Technology' })
})

t.test('a valid value is stored, audited, and used', async (t) => {
  const res = await put('notice_period_days', 10)
  t.equal(res.statusCode, 200)
  t.match(res.json(), { key: 'notice_period_days', value: 10, stored: true })
  const [row] = await app.db.select().from(policySettings).where(eq(policySettings.key, 'notice_period_days'))
  t.equal(row.value, 10)
  const audit = await app.db.select().from(auditLog).where(eq(auditLog.objectId, 'notice_period_days'))
  t.equal(audit.length, 1)
  t.equal(audit[0].action, 'policy.update')
  t.same(audit[0].before, { value: 7 })
  t.same(audit[0].after, { value: 10 })
  const contact = await put('notice_contact', { zh: '公示受理窗口', en: 'Notice desk', phone: '0411-8363 0000', email: 'desk@example.gov.cn' })
  t.equal(contact.statusCode, 200)
  const page = await app.inject({ url: '/notices' })
  t.match(page.body, '公示受理窗口 · 0411-8363 0000 · desk@example.gov.cn', 'the public page shows the new contact')
  const fresh = await put('recent_notice_days', 14)
  t.equal(fresh.statusCode, 200, 'a value not stored before is created')
})

t.test('bad values: 400 naming the field; nothing changes', async (t) => {
  const cases: Array<[string, unknown, RegExp]> = [
    ['notice_period_days', 0, /body\.value/],
    ['notice_period_days', 61, /body\.value/],
    ['notice_period_days', 7.5, /body\.value/],
    ['notice_period_days', '7', /body\.value/],
    ['notice_issuing_body', { zh: '大连' }, /body\.value/],
    ['notice_issuing_body', { zh: '大连市工业和信息化局', en: 'Bureau', extra: 1 }, /body\.value/],
    ['notice_contact', { zh: '窗口', en: 'Desk', email: 'not-an-email' }, /body\.value\.email/],
    ['uscc_division_check', { mode: 'maybe' }, /body\.value\.mode/],
    ['graduation_paths', { startup: 'moonshot' }, /body\.value\.startup/],
    ['graduation_paths', { startup: 'startup' }, /body\.value\.startup/],
    ['graduation_paths', { rocketry: 'startup' }, /body\.value\.rocketry/],
    ['direct_routes', { leading_platform: [{ basis: 'x', nameZh: '直通', nameEn: 'Direct', conditions: [{ gate: 'no_such_gate' }] }] }, /body\.value\.leading_platform/]
  ]
  for (const [key, value, field] of cases) {
    const [before] = await app.db.select().from(policySettings).where(eq(policySettings.key, key))
    const res = await put(key, value)
    t.equal(res.statusCode, 400, `${key} = ${JSON.stringify(value)}`)
    t.equal(res.json().code, 'VALIDATION_FAILED')
    t.match(JSON.stringify(res.json().fields), field, `${key}: names ${field}`)
    const [after] = await app.db.select().from(policySettings).where(eq(policySettings.key, key))
    t.same(after?.value, before?.value, `${key} unchanged`)
  }
  const unknown = await put('launch_codes', 1)
  t.equal(unknown.statusCode, 404, 'not a policy value')
  const gates = await put('eligibility_gates', {})
  t.equal(gates.statusCode, 409)
  t.equal(gates.json().code, 'POLICY_HAS_OWN_ENDPOINT')
  const missing = await app.inject({ method: 'PUT', url: '/v1/admin/policy/notice_period_days', headers: auth(admin), payload: {} })
  t.equal(missing.statusCode, 400, 'the value is required')
})

t.test('administrators only', async (t) => {
  for (const role of ['officer', 'analyst', 'reviewer'] as const) {
    const staff = await createStaff(app, role)
    t.equal((await app.inject({ url: '/v1/admin/policy', headers: auth(staff.token) })).statusCode, 403, `${role} may not read`)
    t.equal((await put('notice_period_days', 9, staff.token)).statusCode, 403, `${role} may not change`)
  }
  t.equal((await app.inject({ url: '/v1/admin/policy' })).statusCode, 401)
})
