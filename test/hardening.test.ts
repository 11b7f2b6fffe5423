import t from 'tap'
import fc from 'fast-check'
import { and, desc, eq } from 'drizzle-orm'
import { auditLog, documents, enterprises } from '../db/schema/index.ts'
import { adminToken, auth, buildTestApp, createStaff, PASSWORD, registerFirm, uscc } from './helper.ts'
import { declare, multipartFile, noLoadShedding, openCall, PDF } from './application-fixtures.ts'
import { arbitraryFor, deref, loadOpenApi, operations, validators, type Operation } from './openapi.ts'

// What a penetration test asked for (issue 11): each block fails without its fix.
t.setTimeout(600_000)
const app = await buildTestApp(t, noLoadShedding)
const doc = await loadOpenApi(app)
const ops = operations(doc)
/** Path parameters filled with well-formed values (routes answer 404 or 403 later; headers and validation come first). */
const fill = (op: Operation, given: Record<string, string> = {}): string =>
  op.path.replace(/\{(\w+)\}/g, (_, name: string) => given[name] ?? (name === 'year'
    ? '2025'
    : encodeURIComponent(String(fc.sample(arbitraryFor(doc, deref(doc, op.pathParams.find(p => p.name === name)?.schema ?? {})), { seed: 1, numRuns: 1 })[0]))))

t.test('malformed multipart bodies are 400 MALFORMED_MULTIPART on every upload route, never 500', async (t) => {
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
  // Every operation the document says takes multipart/form-data, with the ids of resources the firm may upload to.
  const uploads = ops.filter(op => op.bodyTypes.includes('multipart/form-data'))
  t.ok(uploads.length >= 2, uploads.map(op => op.path).join(', '))
  const ids: Record<string, Record<string, string>> = {
    '/v1/applications/{id}/documents': { id: application.id },
    '/v1/enterprises/{id}/declarations/{year}/documents': { id: firm.enterpriseId, year: '2025' }
  }
  for (const op of uploads) {
    t.ok(ids[op.path] != null, `${op.path}: an upload route this test knows how to reach (add its ids above)`)
    const url = fill(op, ids[op.path])
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
  t.not((await app.inject('/v1/reference/%74iers')).headers['cache-control'], 'no-store', 'encoded or not')
  t.equal((await app.inject('/v1/nowhere')).headers['cache-control'], 'no-store', 'an unrouted /v1 request too')
  t.equal((await app.inject('/%761/nowhere')).headers['cache-control'], 'no-store', 'an unrouted encoded /v1 request too')
  t.equal((await app.inject({ url: '/metrics', remoteAddress: '127.0.0.1' })).headers['cache-control'], 'no-store', 'the metrics are private')
  t.equal((await app.inject({ url: '/%6detrics', remoteAddress: '127.0.0.1' })).headers['cache-control'], 'no-store', 'encoded too')
  // Every GET the service publishes, plain and with its path percent-encoded two ways.
  const gets = ops.filter(op => op.method === 'GET' && op.path.startsWith('/v1/'))
  t.ok(gets.length > 30, `${gets.length} GET operations`)
  const wrong: string[] = []
  for (const op of gets) {
    const url = fill(op)
    for (const sent of [url, '/%761' + url.slice(3), '/v%31' + url.slice(3), url.replace(/[a-z]/, c => '%' + c.charCodeAt(0).toString(16))]) {
      const res = await app.inject({ url: sent, headers: auth(admin) })
      const cc = res.headers['cache-control']
      if (op.path.startsWith('/v1/reference/') ? cc === 'no-store' : cc !== 'no-store') wrong.push(`${sent} → ${res.statusCode} ${String(cc)}`)
    }
  }
  t.same(wrong, [], 'private unless public reference data, however encoded')
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

t.test('no type coercion of any JSON body: a value coercion would accept is 400 naming the field on every operation', async (t) => {
  const v = validators(doc)
  const firm = await registerFirm(app)
  const tokens = [await adminToken(app), (await createStaff(app, 'officer')).token, (await createStaff(app, 'reviewer')).token,
    (await createStaff(app, 'analyst')).token, firm.token, (await createStaff(app, 'district_officer', { districtCode: '210202' })).token]
  /** Values of another JSON type that ajv's coercion would have turned into the right one. */
  const wrongTypes = (type: string, value: unknown): unknown[] => {
    if (type === 'integer' || type === 'number') return [String(value), [value]]
    if (type === 'boolean') return [String(value), value === true ? 1 : 0]
    if (type !== 'string') return []
    return typeof value === 'string' && value !== '' && !Number.isNaN(Number(value)) ? [Number(value), [value]] : [false, [value]]
  }
  const problems: string[] = []
  let checked = 0
  let operationsChecked = 0
  for (const op of ops.filter(op => op.body != null)) {
    const schema = deref(doc, op.body!)
    const [valid] = fc.sample(arbitraryFor(doc, op.body!), { seed: 11, numRuns: 1 }) as Array<Record<string, unknown>>
    if (valid == null || typeof valid !== 'object' || !v.accepts(op.body!, valid, 'body')) continue
    let any = false
    for (const [field, raw] of Object.entries<Record<string, unknown>>(schema.properties ?? {})) {
      const prop = deref(doc, raw)
      if (valid[field] === undefined || typeof prop.type !== 'string') continue
      for (const bad of wrongTypes(prop.type, valid[field])) {
        const body = { ...valid, [field]: bad }
        // Only values that coercion would have turned into the right type, and that the strict rule refuses.
        if (!v.accepts(op.body!, structuredClone(body)) || v.accepts(op.body!, body, 'body')) continue
        const query = Object.fromEntries(op.queryParams.filter(p => p.required).map(p => [p.name, String(fc.sample(arbitraryFor(doc, p.schema), {
          seed: 1,
          numRuns: 1
        })[0])]))
        const headers = Object.fromEntries(op.headerParams.filter(h => h.required).map(h => [h.name, h.name === 'if-match' ? '"1"' : 'x']))
        let res
        for (const token of op.secured ? tokens : ['']) {
          res = await app.inject({ method: op.method as 'POST', url: fill(op), query, headers: { ...headers, ...(token !== '' ? auth(token) : {}) }, payload: body })
          if (res.statusCode !== 401 && res.statusCode !== 403) break
        }
        checked++
        any = true
        const reply = res!.json()
        if (res!.statusCode !== 400 || reply.code !== 'VALIDATION_FAILED' || !JSON.stringify(reply.fields ?? []).includes(field)) {
          problems.push(`${op.method} ${op.path} ${field}=${JSON.stringify(bad)} → ${res!.statusCode} ${res!.body.slice(0, 200)}`)
        }
      }
    }
    if (any) operationsChecked++
  }
  t.ok(operationsChecked > 20 && checked > 60, `${checked} wrong-typed values on ${operationsChecked} operations`)
  t.same(problems, [], 'each refused, naming the field')
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
  const pair = await app.inject({ method: 'POST', url: '/v1/auth/register', headers: { 'content-type': 'application/json' }, payload: body('软件 X').replace('X', '\\ud83d\\ude00') })
  t.equal(pair.statusCode, 201, `a proper surrogate pair (an emoji) is fine: ${pair.body}`)
  t.equal(pair.json().enterprise.name, '软件 \u{1F600}', 'and stored as the emoji')
  const charset = await app.inject({ method: 'POST', url: '/v1/auth/login', headers: { 'content-type': 'application/json; charset=utf-8' }, payload: withBytes([0xff]) })
  t.equal(charset.json().code, 'INVALID_ENCODING', 'with a charset parameter too, on another route')
})

t.test('document names: control and bidi characters removed; the extension follows the detected type', async (t) => {
  const officer = await createStaff(app, 'officer')
  const firm = await registerFirm(app)
  await declare(app, firm, 2025, { operatingRevenue: '150000000.00', rdExpense: '6000000.00' })
  const call = await openCall(app, officer.token)
  const application = (await app.inject({ method: 'POST', url: '/v1/applications', headers: auth(firm.token), payload: { callId: call.id } })).json()
  const cases: Array<[string, string]> = [
    ['invoice\u202Efdp.exe', 'invoicefdp.pdf'],
    ['报告\u200F\u0085\u2066.pdf', '报告.pdf'],
    ['a\u2028b\u00ADc\u200Bd\u{E0041}.pdf', 'abcd.pdf'],
    ['scan.PDF', 'scan.PDF'],
    ['photo.png', 'photo.pdf'],
    ['noextension', 'noextension.pdf'],
    ['\u202E\u200B', 'document.pdf'],
    ['\u{1F600}'.repeat(250) + '.pdf', '\u{1F600}'.repeat(196) + '.pdf']
  ]
  for (const url of [`/v1/enterprises/${firm.enterpriseId}/declarations/2025/documents`, `/v1/applications/${application.id}/documents`]) {
    for (const [sent, expected] of cases) {
      const m = multipartFile(sent, PDF)
      const res = await app.inject({ method: 'POST', url, headers: { ...auth(firm.token), ...m.headers }, payload: m.payload })
      t.equal(res.statusCode, 201, 'uploaded')
      // Named in ASCII: a raw U+2028 would break the TAP line.
      t.equal(res.json().name, expected, sent.replace(/[^\x20-\x7e]/gu, c => `\\u{${c.codePointAt(0)!.toString(16)}}`).slice(0, 80))
      const [row] = await app.db.select({ name: documents.name }).from(documents).where(eq(documents.id, res.json().id))
      t.equal(row.name, expected, 'stored so')
      const download = await app.inject({ url: `/v1/documents/${res.json().id}`, headers: auth(firm.token) })
      t.equal(String(download.headers['content-disposition']).split("UTF-8''")[1], encodeURIComponent(expected), 'served so')
    }
  }
  // A row stored before names were cleaned is listed and served cleaned.
  const m = multipartFile('old.pdf', PDF)
  const id = (await app.inject({ method: 'POST', url: `/v1/applications/${application.id}/documents`, headers: { ...auth(firm.token), ...m.headers }, payload: m.payload })).json().id
  await app.db.update(documents).set({ name: 'old\u202Egpj.exe' }).where(eq(documents.id, id))
  const listed = (await app.inject({ url: `/v1/applications/${application.id}/documents`, headers: auth(firm.token) })).json()
  t.equal(listed.find((d: { id: string }) => d.id === id).name, 'oldgpj.pdf', 'listed cleaned')
  const served = await app.inject({ url: `/v1/documents/${id}`, headers: auth(firm.token) })
  t.match(String(served.headers['content-disposition']), /filename="oldgpj\.pdf"/, 'served cleaned')
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
  const freshEmail = await register('nobody-yet@example.test', uscc(9202))
  t.equal(takenEmail.statusCode, 201, 'a taken email registers like any other')
  t.equal(freshEmail.statusCode, freshEmail.statusCode)
  const keys = (v: unknown): unknown => v != null && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, keys(x)])) : typeof v
  t.same(keys(takenEmail.json()), keys(freshEmail.json()), 'the same shape')
  const takenCode = await register('another@example.test', firm.uscc)
  t.equal(takenCode.statusCode, 409)
  t.equal(takenCode.json().code, 'REGISTRATION_CONFLICT', 'only the credit code can conflict')
  t.notMatch(takenCode.body, /EMAIL_TAKEN|USCC_TAKEN|email/i, 'and it does not mention the email')
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
  for (const op of ops.filter(op => op.queryParams.some(p => p.name === 'format'))) {
    const content = doc.paths[op.path][op.method.toLowerCase()].responses['200'].content
    t.ok(content['text/csv'], `${op.method} ${op.path} declares its text/csv answer`)
  }
  t.ok(doc.paths['/v1/enterprises'].get.responses['200'].content['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'], 'and the xlsx one')
  const uploads = ops.filter(op => op.bodyTypes.includes('multipart/form-data'))
  t.ok(uploads.length >= 2)
  for (const op of uploads) {
    const body = doc.paths[op.path].post.requestBody
    t.ok(body?.content?.['multipart/form-data'], `${op.path} declares its multipart body`)
    t.equal(body.content['multipart/form-data'].schema.properties.file.format, 'binary')
  }
  // Keywords of JSON Schema that OpenAPI 3.0's Schema Object does not have.
  const NOT_30 = ['const', '$id', '$schema', 'examples', 'patternProperties', 'if', 'then', 'else', 'contains', 'prefixItems', '$defs', 'propertyNames', 'unevaluatedProperties', 'dependentRequired']
  const foreign: string[] = []
  const schemaWalk = (s: unknown, at: string): void => {
    if (s == null || typeof s !== 'object') return
    const o = s as Record<string, any>
    for (const k of NOT_30) if (k in o) foreign.push(`${at}: ${k}`)
    if (Array.isArray(o.type) || o.type === 'null') foreign.push(`${at}: type ${JSON.stringify(o.type)}`)
    if (typeof o.$ref === 'string' && !o.$ref.startsWith('#/components/schemas/')) foreign.push(`${at}: $ref ${String(o.$ref)}`)
    if (typeof o.$ref === 'string' && doc.components?.schemas?.[o.$ref.split('/').pop()!] == null) foreign.push(`${at}: dangling ${String(o.$ref)}`)
    for (const k of ['items', 'not', 'additionalProperties']) schemaWalk(o[k], `${at}.${k}`)
    for (const k of ['anyOf', 'oneOf', 'allOf']) (o[k] ?? []).forEach((x: unknown, i: number) => schemaWalk(x, `${at}.${k}[${i}]`))
    for (const [name, p] of Object.entries(o.properties ?? {})) schemaWalk(p, `${at}.${name}`)
  }
  for (const [name, s] of Object.entries(doc.components?.schemas ?? {})) schemaWalk(s, name)
  for (const [path, item] of Object.entries<Record<string, any>>(doc.paths)) {
    for (const [method, op] of Object.entries<any>(item)) {
      for (const p of op.parameters ?? []) schemaWalk(p.schema, `${method} ${path} ${String(p.name)}`)
      for (const c of Object.values<any>(op.requestBody?.content ?? {})) schemaWalk(c.schema, `${method} ${path} body`)
      for (const [status, r] of Object.entries<any>(op.responses ?? {})) for (const c of Object.values<any>(r.content ?? {}) as any[]) schemaWalk(c.schema, `${method} ${path} ${status}`)
    }
  }
  t.same(foreign, [], 'only OpenAPI 3.0 schema keywords; every $ref resolves')
})

t.test('the OpenAPI document names its server, describes its tags and the common 429 and 503 answers', async (t) => {
  const full = (await app.inject('/docs/json')).json()
  t.ok(Array.isArray(full.servers) && full.servers.length > 0 && /^https?:\/\//.test(full.servers[0].url), `servers: ${JSON.stringify(full.servers)}`)
  const described = new Map<string, string>((full.tags ?? []).map((tag: { name: string, description?: string }) => [tag.name, tag.description ?? '']))
  const undescribed = new Set<string>()
  const missing: string[] = []
  for (const [path, item] of Object.entries<Record<string, any>>(full.paths)) {
    for (const [method, op] of Object.entries<any>(item)) {
      for (const tag of op.tags ?? []) if ((described.get(tag) ?? '') === '') undescribed.add(tag)
      // The probes are not rate-limited, and /ready declares its own 503 (the database's state).
      const probe = path === '/health' || path === '/ready'
      for (const status of probe ? ['503'] : ['429', '503']) {
        const r = op.responses?.[status]
        if (r?.content?.['application/json']?.schema == null || (!probe && r.content['application/json'].schema.$ref !== '#/components/schemas/Error')) missing.push(`${method} ${path} ${status}`)
      }
    }
  }
  t.same([...undescribed], [], 'every tag an operation uses is described')
  t.same(missing, [], 'every operation declares 429 (not the probes) and 503 with the error shape')
  t.ok(full.paths['/v1/audit'].get.responses['429'].headers['Retry-After'], 'with Retry-After')
})
