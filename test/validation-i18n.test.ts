import t from 'tap'
import { adminToken, auth, buildTestApp, PASSWORD } from './helper.ts'

// Issue 16 (forms): a 400 VALIDATION_FAILED lists every failing field at once, with Chinese messages when
// Accept-Language prefers zh and English otherwise; the code stays VALIDATION_FAILED.
t.setTimeout(300_000)
const app = await buildTestApp(t)

const CJK = /[\u4e00-\u9fff]/
const register = async (payload: unknown, lang?: string) => await app.inject({
  method: 'POST', url: '/v1/auth/register', payload: payload as Record<string, unknown>, headers: lang != null ? { 'accept-language': lang } : {}
})
/** Four things wrong at once: an email that is not one, a string domain list, a missing district, a field nobody may set. */
const BAD = { uscc: '91210202MA0000000X', name: '测试公司', email: 'not-an-email', password: PASSWORD, domains: 'ai', foundedOn: '2015-03-01', isAdmin: true }

t.test('every failing field is listed, in English by default', async (t) => {
  const res = await register(BAD)
  t.equal(res.statusCode, 400)
  const body = res.json()
  t.equal(body.code, 'VALIDATION_FAILED')
  const fields = (body.fields as Array<{ field: string, message: string }>).map(f => f.field)
  for (const f of ['body.email', 'body.domains', 'body.districtCode', 'body.isAdmin']) t.ok(fields.includes(f), `${f} in ${fields.join(', ')}`)
  t.equal(new Set(fields).size, fields.length, 'each field once')
  for (const f of body.fields) t.notMatch(f.message, CJK, `${f.field}: ${String(f.message)}`)
  t.notMatch(body.message, CJK)
})

t.test('in Chinese when Accept-Language prefers zh', async (t) => {
  const en = (await register(BAD, 'en')).json()
  for (const lang of ['zh-CN', 'zh-CN,zh;q=0.9,en;q=0.8', 'en;q=0.5, zh;q=0.9', 'zh-TW']) {
    const res = await register(BAD, lang)
    t.equal(res.statusCode, 400, lang)
    const body = res.json()
    t.equal(body.code, 'VALIDATION_FAILED', 'the same stable code')
    t.same(body.fields.map((f: { field: string }) => f.field), en.fields.map((f: { field: string }) => f.field), 'the same fields')
    for (const f of body.fields) t.match(f.message, CJK, `${lang} ${f.field}: ${String(f.message)}`)
    t.match(body.message, /^请求无效/)
  }
  const zh = (await register(BAD, 'zh-CN')).json()
  t.equal(zh.fields.find((f: { field: string }) => f.field === 'body.isAdmin').message, '不是可以设置的字段')
  t.equal(zh.fields.find((f: { field: string }) => f.field === 'body.districtCode').message, '应当有必需属性 districtCode')
  for (const lang of ['fr-FR', 'en-US', '']) {
    const body = (await register(BAD, lang)).json()
    for (const f of body.fields) t.notMatch(f.message, CJK, `${lang === '' ? 'no language' : lang}: English`)
  }
})

t.test('a union of constants is one entry naming the allowed values', async (t) => {
  const admin = await adminToken(app)
  for (const [lang, expected] of [['en', 'must be one of: reviewer, officer, analyst, admin, district_officer'],
    ['zh-CN', '应当是以下之一:reviewer, officer, analyst, admin, district_officer']] as const) {
    const res = await app.inject({
      method: 'POST', url: '/v1/users', headers: { ...auth(admin), 'accept-language': lang },
      payload: { email: 'staff@example.test', name: '某人', role: 'superuser', password: PASSWORD }
    })
    t.equal(res.statusCode, 400)
    t.same(res.json().fields, [{ field: 'body.role', message: expected }], lang)
  }
})

t.test('query strings are listed the same way', async (t) => {
  const admin = await adminToken(app)
  const res = await app.inject({ url: '/v1/users?limit=0&role=nobody', headers: { ...auth(admin), 'accept-language': 'zh' } })
  t.equal(res.statusCode, 400)
  const fields = res.json().fields.map((f: { field: string }) => f.field)
  t.ok(fields.includes('querystring.limit') && fields.includes('querystring.role'), fields.join(', '))
  for (const f of res.json().fields) t.match(f.message, CJK)
})

t.test('a huge array of bad items is cut to a readable list', async (t) => {
  const res = await register({ ...BAD, domains: Array.from({ length: 500 }, (_, i) => i) })
  t.equal(res.statusCode, 400)
  t.ok(res.json().fields.length <= 50, `${res.json().fields.length as number} fields`)
})
