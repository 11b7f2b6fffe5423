import t from 'tap'
import { and, desc, eq } from 'drizzle-orm'
import { auditLog, documents, enterprises } from '../db/schema/index.ts'
import { adminToken, auth, buildTestApp, createStaff, PASSWORD, registerFirm, uscc } from './helper.ts'
import { declare, multipartFile, noLoadShedding, openCall, PDF } from './application-fixtures.ts'

// What a penetration test asked for (issue 11): each block fails without its fix.
t.setTimeout(600_000)
const app = await buildTestApp(t, noLoadShedding)

t.test('malformed multipart bodies are 400 MALFORMED_MULTIPART on both upload routes, never 500', async (t) => {
  const officer = await createStaff(app, 'officer')
  const firm = await registerFirm(app)
  await declare(app, firm, 2025, { operatingRevenue: '150000000.00', rdExpense: '6000000.00' })
  const call = await openCall(app, officer.token)
  const application = (await app.inject({ method: 'POST', url: '/v1/applications', headers: auth(firm.token), payload: { callId: call.id } })).json()
  const head = '--X\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\nContent-Type: application/pdf\r\n\r\n'
  const bodies: Array<[string, string, string | Buffer]> = [
    ['no boundary', 'multipart/form-data', `${head}%PDF-1.7\r\n--X--\r\n`],
    ['empty boundary', 'multipart/form-data; boundary=', `${head}%PDF-1.7\r\n--X--\r\n`],
    ['truncated', 'multipart/form-data; boundary=X', `${head}%PDF-1.7 and then the connection drops`],
    ['no closing delimiter', 'multipart/form-data; boundary=X', `${head}%PDF-1.7\r\n`],
    ['broken part headers', 'multipart/form-data; boundary=X', '--X\r\nContent-Disposition\r\n\r\n%PDF-1.7\r\n--X--\r\n']
  ]
  for (const url of [`/v1/applications/${application.id}/documents`, `/v1/enterprises/${firm.enterpriseId}/declarations/2025/documents`]) {
    for (const [what, type, payload] of bodies) {
      const res = await app.inject({ method: 'POST', url, headers: { ...auth(firm.token), 'content-type': type }, payload })
      t.equal(res.statusCode, 400, `${what}: ${url} ${res.body}`)
      // A part whose headers do not parse is skipped by the parser: then the form has no file (VALIDATION_FAILED).
      t.equal(res.json().code, what === 'broken part headers' ? 'VALIDATION_FAILED' : 'MALFORMED_MULTIPART', what)
    }
    const m = multipartFile('ok.pdf', PDF)
    t.equal((await app.inject({ method: 'POST', url, headers: { ...auth(firm.token), ...m.headers }, payload: m.payload })).statusCode, 201, 'a good body still works')
  }
})

t.test('Cache-Control: no-store is decided on the routed request, however the path is encoded', async (t) => {
  const admin = await adminToken(app)
  for (const url of ['/v1/audit', '/%761/audit', '/v%31/audit', '/%76%31/me', '/v1/%61udit']) {
    const res = await app.inject({ url, headers: auth(admin) })
    t.equal(res.statusCode, 200, url)
    t.equal(res.headers['cache-control'], 'no-store', url)
  }
  t.not((await app.inject('/v1/reference/tiers')).headers['cache-control'], 'no-store', 'public reference data may be cached')
  t.equal((await app.inject('/v1/nowhere')).headers['cache-control'], 'no-store', 'an unrouted /v1 request too')
})

t.test('no type coercion of JSON bodies: wrong types are 400 naming the field; query strings still coerce', async (t) => {
  const firm = await registerFirm(app)
  const figures = { operatingRevenue: '150000000.00', softwareRevenue: '120000000.00', rdExpense: '9000000.00', exportRevenue: '0.00', employees: 300, rdStaff: 120, patents: 1, softwareCopyrights: 2 }
  const put = async (body: Record<string, unknown>) =>
    await app.inject({ method: 'PUT', url: `/v1/enterprises/${firm.enterpriseId}/declarations/2024`, headers: auth(firm.token), payload: body })
  for (const employees of ['300', [300], true, 300.5]) {
    const res = await put({ ...figures, employees })
    t.equal(res.statusCode, 400, `employees: ${JSON.stringify(employees)}`)
    t.equal(res.json().code, 'VALIDATION_FAILED')
    t.match(JSON.stringify(res.json().fields), /employees/, 'names the field')
  }
  t.equal((await put(figures)).statusCode, 201, 'the right types pass')
  const login = await app.inject({ method: 'POST', url: '/v1/auth/login', payload: { email: false, password: PASSWORD } })
  t.equal(login.statusCode, 400, 'false for a string')
  t.match(JSON.stringify(login.json().fields), /email/)
  const analyst = await createStaff(app, 'analyst')
  t.equal((await app.inject({ url: '/v1/analytics/distribution?year=2025', headers: auth(analyst.token) })).statusCode, 200, 'query strings coerce')
})

t.test('invalid UTF-8 and lone surrogates in JSON are 400 INVALID_ENCODING and never stored', async (t) => {
  const body = (name: string) => JSON.stringify({
    uscc: uscc(9001), name, email: 'utf8@example.test', password: PASSWORD, districtCode: '210202', domains: ['ai'], foundedOn: '2015-03-01'
  })
  // The name's characters replaced by raw bytes that are not UTF-8.
  const withBytes = (bytes: number[]) => {
    const [before, after] = body('XX').split('XX')
    return Buffer.concat([Buffer.from(before), Buffer.from(bytes), Buffer.from(after)])
  }
  const cases: Array<[string, string | Buffer]> = [
    ['invalid UTF-8 bytes', withBytes([0xff, 0xfe, 0x80])],
    ['a truncated sequence', withBytes([0xe6, 0xb5, 0x41])],
    ['an overlong encoding', withBytes([0xc0, 0xaf])],
    ['lone high surrogate', body('name \ud800 here').replace(/\ud800/, '\\ud800')],
    ['lone low surrogate', body('name \udc00').replace(/\udc00/, '\\udc00')],
    ['reversed pair', body('x').replace('"x"', '"\\udc00\\ud800"')]
  ]
  for (const [what, payload] of cases) {
    const res = await app.inject({ method: 'POST', url: '/v1/auth/register', headers: { 'content-type': 'application/json' }, payload })
    t.equal(res.statusCode, 400, `${what}: ${res.body}`)
    t.equal(res.json().code, 'INVALID_ENCODING', what)
  }
  const stored = await app.db.select().from(enterprises).where(eq(enterprises.uscc, uscc(9001)))
  t.same(stored, [], 'nothing stored')
  const pair = await app.inject({ method: 'POST', url: '/v1/auth/register', headers: { 'content-type': 'application/json' }, payload: body('软件 \\ud83d\\ude00') })
  t.equal(pair.statusCode, 201, `a proper surrogate pair (an emoji) is fine: ${pair.body}`)
})

t.test('document names: control and bidi characters removed; the extension follows the detected type', async (t) => {
  const firm = await registerFirm(app)
  await declare(app, firm, 2025, { operatingRevenue: '150000000.00', rdExpense: '6000000.00' })
  const url = `/v1/enterprises/${firm.enterpriseId}/declarations/2025/documents`
  const cases: Array<[string, string]> = [
    ['invoice\u202Efdp.exe', 'invoicefdp.pdf'],
    ['报告\u200F\u0085\u2066.pdf', '报告.pdf'],
    ['scan.PDF', 'scan.PDF'],
    ['photo.png', 'photo.pdf'],
    ['noextension', 'noextension.pdf'],
    ['\u202E\u200B', 'document.pdf']
  ]
  for (const [sent, expected] of cases) {
    const m = multipartFile(sent, PDF)
    const res = await app.inject({ method: 'POST', url, headers: { ...auth(firm.token), ...m.headers }, payload: m.payload })
    t.equal(res.statusCode, 201, res.body)
    t.equal(res.json().name, expected, JSON.stringify(sent))
    const [row] = await app.db.select({ name: documents.name }).from(documents).where(eq(documents.id, res.json().id))
    t.equal(row.name, expected, 'stored so')
    const download = await app.inject({ url: `/v1/documents/${res.json().id}`, headers: auth(firm.token) })
    t.match(String(download.headers['content-disposition']), new RegExp(`filename\\*=UTF-8''.*${expected.slice(-4).replace('.', '\\.')}$`), 'served so')
  }
})

t.test('X-Request-Id: only a short safe id is taken from the client; anything else is replaced', async (t) => {
  const kept = await app.inject({ url: '/health', headers: { 'x-request-id': 'proxy-7f3a.42:1' } })
  t.equal(kept.headers['x-request-id'], 'proxy-7f3a.42:1')
  for (const forged of ['a'.repeat(65), 'id with spaces', '<script>', 'x\u00e9', '../../etc', '']) {
    const res = await app.inject({ url: '/health', headers: { 'x-request-id': forged } })
    t.not(res.headers['x-request-id'], forged, JSON.stringify(forged))
    t.match(String(res.headers['x-request-id']), /^[0-9a-f-]{36}$/, 'a generated id')
  }
  // The audit trail records the id the service decided on.
  const res = await app.inject({
    method: 'POST', url: '/v1/auth/register', headers: { 'x-request-id': 'forged audit entry '.repeat(10) },
    payload: { uscc: uscc(9101), name: '审计测试', email: 'reqid@example.test', password: PASSWORD, districtCode: '210202', domains: ['ai'], foundedOn: '2015-03-01' }
  })
  t.equal(res.statusCode, 201, res.body)
  const [entry] = await app.db.select({ requestId: auditLog.requestId }).from(auditLog)
    .where(and(eq(auditLog.action, 'enterprise.register'), eq(auditLog.objectId, res.json().enterprise.id))).orderBy(desc(auditLog.id)).limit(1)
  t.equal(entry.requestId, res.headers['x-request-id'])
})

t.test('registration does not reveal which emails have accounts', async (t) => {
  const firm = await registerFirm(app)
  const register = async (email: string, code: string) => await app.inject({
    method: 'POST', url: '/v1/auth/register',
    payload: { uscc: code, name: '另一家公司', email, password: PASSWORD, districtCode: '210202', domains: ['ai'], foundedOn: '2015-03-01' }
  })
  const takenEmail = await register(firm.email, uscc(9201))
  const takenCode = await register('another@example.test', firm.uscc)
  t.equal(takenEmail.statusCode, 409)
  t.equal(takenEmail.body, takenCode.body, 'a taken email answers exactly like a taken credit code')
  t.notMatch(takenEmail.body, /EMAIL_TAKEN|USCC_TAKEN/, 'and does not say which')
})

t.test('If-Match refuses weak ETags', async (t) => {
  const firm = await registerFirm(app)
  const url = `/v1/enterprises/${firm.enterpriseId}/declarations/2025`
  const figures = { operatingRevenue: '150000000.00', softwareRevenue: '120000000.00', rdExpense: '9000000.00', exportRevenue: '0.00', employees: 300, rdStaff: 120, patents: 1, softwareCopyrights: 2 }
  const created = await app.inject({ method: 'PUT', url, headers: auth(firm.token), payload: figures })
  t.equal(created.statusCode, 201)
  const version = created.json().version
  const weak = await app.inject({ method: 'PUT', url, headers: { ...auth(firm.token), 'if-match': `W/"${version}"` }, payload: figures })
  t.equal(weak.statusCode, 412, 'a weak tag never matches (strong comparison)')
  const strong = await app.inject({ method: 'PUT', url, headers: { ...auth(firm.token), 'if-match': `"${version}"` }, payload: figures })
  t.equal(strong.statusCode, 200)
})

t.test('the OpenAPI document is valid OpenAPI 3.0', async (t) => {
  const doc = (await app.inject('/docs/json')).json()
  t.equal(doc.openapi, '3.0.3')
  const numeric: string[] = []
  const walk = (node: unknown, at: string): void => {
    if (node == null || typeof node !== 'object') return
    for (const [k, v] of Object.entries(node)) {
      if ((k === 'exclusiveMinimum' || k === 'exclusiveMaximum') && typeof v !== 'boolean') numeric.push(`${at}.${k}`)
      walk(v, `${at}.${k}`)
    }
  }
  walk(doc, '')
  t.same(numeric, [], 'exclusiveMinimum and exclusiveMaximum are booleans (3.0), never numbers (3.1)')
  const bounds: unknown[] = []
  const find = (node: unknown): void => {
    if (node == null || typeof node !== 'object') return
    const o = node as Record<string, unknown>
    if (o.exclusiveMinimum === true) bounds.push(o.minimum)
    Object.values(o).forEach(find)
  }
  find(doc)
  t.ok(bounds.length > 0 && bounds.every(b => b === 0), 'the rubric criterion maximum: greater than 0, in 3.0 form')
  const defaulted: string[] = []
  for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, any>>)) {
    for (const [method, op] of Object.entries(item)) {
      for (const p of op.parameters ?? []) if (p.required === true && p.schema?.default !== undefined) defaulted.push(`${method} ${path} ${p.name}`)
    }
  }
  t.same(defaulted, [], 'a parameter with a default is not required')
  const limit = doc.paths['/v1/users'].get.parameters.find((p: any) => p.name === 'limit')
  t.equal(limit.required, false)
  for (const path of ['/v1/analytics/distribution', '/v1/analytics/trend']) {
    t.ok(doc.paths[path].get.responses['200'].content['text/csv'], `${path} declares its text/csv answer`)
  }
  for (const path of ['/v1/applications/{id}/documents', '/v1/enterprises/{id}/declarations/{year}/documents']) {
    const body = doc.paths[path].post.requestBody
    t.ok(body?.content?.['multipart/form-data'], `${path} declares its multipart body`)
    t.equal(body.content['multipart/form-data'].schema.properties.file.format, 'binary')
  }
})
