import ExcelJS from 'exceljs'
import t from 'tap'
import { randomUUID } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import { eq } from 'drizzle-orm'
import { enterprises, enterpriseDomains, poolMemberships } from '../db/schema/index.ts'
import { buildTestApp, registerFirm, createStaff, adminToken, auth, type Firm } from './helper.ts'

const FIGURES = {
  operatingRevenue: '150000000.00', softwareRevenue: '120000000.00', rdExpense: '9000000.00', exportRevenue: '0.00',
  employees: 300, rdStaff: 120, patents: 12, softwareCopyrights: 40
}

async function declare (app: FastifyInstance, firm: Firm, year: number, operatingRevenue: string) {
  const res = await app.inject({
    method: 'PUT', url: `/v1/enterprises/${firm.enterpriseId}/declarations/${year}`, headers: auth(firm.token),
    payload: { ...FIGURES, operatingRevenue, softwareRevenue: '0.00' }
  })
  if (res.statusCode >= 300) throw new Error(res.body)
  return res.json()
}

async function admit (app: FastifyInstance, firm: Firm, programCode: string, status: string, tier: string) {
  await app.db.insert(poolMemberships).values({ enterpriseId: firm.enterpriseId, programCode, tierAtAdmission: tier, currentTier: tier, admittedOn: '2025-06-01', status })
}

// One app for the file (building two at once in one process starves the
// event loop while PGlite migrates). Each test makes its own firms; the
// register test runs first, so its exact lists see only its own firms.
const app = await buildTestApp(t)

t.test('the register: filters, paging, CSV', async (t) => {
  const officer = await createStaff(app, 'officer')
  const a = await registerFirm(app, { domains: ['ai'], districtCode: '210202', name: '甲软件有限公司, 大连' })
  const b = await registerFirm(app, { domains: ['big_data', 'cloud'], districtCode: '210211', name: '=HYPERLINK("http://evil")' })
  const c = await registerFirm(app, { domains: ['iot'], districtCode: '210211' })
  const d = await registerFirm(app, { domains: ['iot'], districtCode: 'hi_tech_zone' })
  await declare(app, a, 2025, '150000000.00') // hundred_million
  await declare(app, b, 2024, '1000000.00') // below_scale …
  await declare(app, b, 2025, '6000000.00') // … then above_scale (big data): the latest counts
  await declare(app, d, 2023, '1000000000.00') // billion …
  await declare(app, d, 2025, '30000000.00') // … now above_scale
  await admit(app, a, 'innovative_growth', 'active', 'hundred_million')
  await admit(app, b, 'startup', 'notice', 'above_scale')
  await admit(app, d, 'leading_platform', 'exited', 'billion')
  await admit(app, d, 'innovative_growth', 'warned', 'above_scale')

  const list = async (query: string) => {
    const res = await app.inject({ url: `/v1/enterprises${query}`, headers: auth(officer.token) })
    t.equal(res.statusCode, 200, `${query} ${res.body}`)
    return res.json()
  }
  const ids = (page: any) => page.items.map((e: any) => e.id).sort()
  const sorted = (...firms: Firm[]) => firms.map(f => f.enterpriseId).sort()

  const all = await list('')
  t.same(ids(all), sorted(a, b, c, d))
  t.equal(all.nextCursor, null)
  const itemB = all.items.find((e: any) => e.id === b.enterpriseId)
  t.same(itemB, {
    id: b.enterpriseId, uscc: b.uscc, name: '=HYPERLINK("http://evil")', districtCode: '210211', domains: ['big_data', 'cloud'],
    primaryDomain: 'big_data', foundedOn: '2015-03-01', currentTier: 'above_scale', latestDeclarationYear: 2025, pool: [{ program: 'startup', status: 'notice' }]
  })
  t.equal(all.items.find((e: any) => e.id === c.enterpriseId).currentTier, null)

  const cases: Array<[string, Firm[]]> = [
    ['?tier=above_scale', [b, d]],
    ['?tier=hundred_million', [a]],
    ['?tier=billion', []],
    ['?tier=below_scale', []],
    ['?program=innovative_growth', [a, d]],
    ['?program=innovative_growth&poolStatus=active', [a]],
    ['?program=leading_platform&poolStatus=active', []],
    ['?poolStatus=exited', [d]],
    ['?domain=iot', [c, d]],
    ['?domain=cloud', [b]],
    ['?district=210211', [b, c]],
    ['?district=210211&domain=iot', [c]],
    ['?tier=above_scale&district=hi_tech_zone&program=innovative_growth', [d]],
    // The firm picker's search: part of the name, or the start of the credit code.
    [`?q=${encodeURIComponent('甲软件')}`, [a]],
    [`?q=${encodeURIComponent('hyperlink')}`, [b]],
    [`?q=${c.uscc.slice(0, 18)}`, [c]],
    [`?q=${c.uscc.slice(0, 18).toLowerCase()}`, [c]],
    [`?q=${c.uscc.slice(2, 12)}`, []],
    ['?q=%25', []],
    ['?q=_', []],
    [`?q=${encodeURIComponent('甲软件')}&district=210211`, []]
  ]
  for (const [query, expected] of cases) t.same(ids(await list(query)), sorted(...expected), query)

  // Keyset paging walks every firm exactly once.
  const seen: string[] = []
  let cursor: string | null = null
  do {
    const p: any = await list(`?limit=3${cursor == null ? '' : `&cursor=${cursor}`}`)
    t.ok(p.items.length <= 3)
    seen.push(...p.items.map((e: any) => e.id))
    cursor = p.nextCursor
  } while (cursor != null)
  t.same(seen.sort(), sorted(a, b, c, d))

  const badCases: Array<[string, string]> = [
    ['?tier=giant', 'VALIDATION_FAILED'],
    ['?poolStatus=sleeping', 'VALIDATION_FAILED'],
    ['?program=space', 'UNKNOWN_REFERENCE'],
    ['?limit=0', 'VALIDATION_FAILED'],
    ['?limit=501', 'VALIDATION_FAILED'],
    ['?cursor=%7B', 'VALIDATION_FAILED'],
    ['?sort=name', 'VALIDATION_FAILED'],
    ['?q=', 'VALIDATION_FAILED'],
    [`?q=${'x'.repeat(101)}`, 'VALIDATION_FAILED']
  ]
  for (const [query, code] of badCases) {
    const res = await app.inject({ url: `/v1/enterprises${query}`, headers: auth(officer.token) })
    t.equal(res.statusCode, 400, query)
    t.equal(res.json().code, code, query)
  }

  for (const how of [{ url: '/v1/enterprises?format=csv&district=210211', headers: {} }, { url: '/v1/enterprises?district=210211', headers: { accept: 'text/csv' } }]) {
    const csv = await app.inject({ url: how.url, headers: { ...auth(officer.token), ...how.headers } })
    t.equal(csv.statusCode, 200)
    t.equal(csv.headers['content-type'], 'text/csv; charset=utf-8')
    t.ok(csv.body.startsWith('\uFEFF'), 'UTF-8 BOM')
    const lines = csv.body.slice(1).trimEnd().split('\r\n')
    t.equal(lines[0], '统一社会信用代码,企业名称,所在区县,所在区县代码,重点领域,重点领域代码,成立日期,规模等级,规模等级代码,最近申报年度,入库情况,企业编号')
    t.equal(lines.length, 3, 'header and the two firms of 210211')
    const rowB = lines.find(l => l.endsWith(b.enterpriseId))
    t.equal(rowB, `="${b.uscc}","'=HYPERLINK(""http://evil"")",甘井子区,="210211",大数据、云计算,big_data;cloud,2015-03-01,规模以上,above_scale,2025,` +
      `初创型企业培育计划:公示中,${b.enterpriseId}`, 'credit and district codes as text, labels beside codes, formula neutralised and quoted')
  }
  const csvAll = await app.inject({ url: '/v1/enterprises?format=csv', headers: auth(officer.token) })
  t.match(csvAll.body, /"甲软件有限公司, 大连"/)
  const en = await app.inject({ url: '/v1/enterprises?format=csv&district=210211', headers: { ...auth(officer.token), 'accept-language': 'en-US,en;q=0.9' } })
  t.equal(en.headers['content-language'], 'en')
  t.ok(en.body.startsWith('\uFEFFCredit code,Firm,District,District code,Domains,Domain codes,Founded on,Tier,Tier code,Latest declaration year,Pool,Firm id\r\n'))
  t.match(en.body, /,Ganjingzi District,="210211","Big data, Cloud computing",big_data;cloud,2015-03-01,Above designated size,above_scale,2025,Startup cultivation:Under notice,/)
  const xlsx = await app.inject({ url: '/v1/enterprises?format=xlsx&district=210211', headers: auth(officer.token) })
  t.equal(xlsx.statusCode, 200)
  t.equal(xlsx.headers['content-type'], 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
  const wb = new ExcelJS.Workbook()
  await wb.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer)
  const ws = wb.worksheets[0]
  t.equal(ws.name, '企业名录')
  t.equal(ws.getCell('A1').value, '统一社会信用代码')
  const usccCells = [ws.getCell('A2').value, ws.getCell('A3').value]
  t.ok(usccCells.includes(b.uscc), 'the credit code is a string cell')
  t.equal(ws.getCell('A2').numFmt, '@', 'text format')
  t.equal(ws.getCell('D2').value, '210211')
  const json = await app.inject({ url: '/v1/enterprises?format=json', headers: { ...auth(officer.token), accept: 'text/csv' } })
  t.match(json.headers['content-type'], /application\/json/, '?format wins over Accept')
})

t.test('one firm: profile, current tier, latest year, pool memberships', async (t) => {
  const firm = await registerFirm(app, { domains: ['big_data'], contactName: '王经理' })
  const officer = await createStaff(app, 'officer')
  const before = await app.inject({ url: `/v1/enterprises/${firm.enterpriseId}`, headers: auth(firm.token) })
  t.equal(before.statusCode, 200)
  t.equal(before.json().currentTier, null)
  t.equal(before.json().latestDeclarationYear, null)
  t.same(before.json().poolMemberships, [])

  await declare(app, firm, 2025, '6000000.00')
  await declare(app, firm, 2023, '200000000.00')
  await admit(app, firm, 'startup', 'active', 'above_scale')
  const res = await app.inject({ url: `/v1/enterprises/${firm.enterpriseId}`, headers: auth(officer.token) })
  t.equal(res.statusCode, 200)
  const e = res.json()
  t.equal(e.id, firm.enterpriseId)
  t.equal(e.uscc, firm.uscc)
  t.same(e.domains, ['big_data'])
  t.equal(e.contactName, '王经理')
  t.equal(e.currentTier, 'above_scale', 'the latest year (2025) decides, not the highest tier')
  t.equal(e.latestDeclarationYear, 2025)
  t.equal(e.poolMemberships.length, 1)
  t.match(e.poolMemberships[0], { program: 'startup', status: 'active', tierAtAdmission: 'above_scale', currentTier: 'above_scale', admittedOn: '2025-06-01' })
})

t.test('PATCH: contact and profile fields only, audited', async (t) => {
  const firm = await registerFirm(app, { domains: ['ai'], contactName: '张三', address: '大连市中山区' })
  const patch = (payload: unknown, token = firm.token) =>
    app.inject({ method: 'PATCH', url: `/v1/enterprises/${firm.enterpriseId}`, headers: auth(token), payload: payload as Record<string, unknown> })

  const ok = await patch({ name: '  新名称软件有限公司 ', contactPhone: '0411-88886666', website: 'https://example.cn', districtCode: 'hi_tech_zone', domains: ['cloud', 'ai'], address: null })
  t.equal(ok.statusCode, 200, ok.body)
  const e = ok.json()
  t.equal(e.name, '新名称软件有限公司')
  t.equal(e.contactPhone, '0411-88886666')
  t.equal(e.contactName, '张三', 'untouched fields stay')
  t.equal(e.address, null, 'null clears')
  t.equal(e.districtCode, 'hi_tech_zone')
  t.same(e.domains, ['ai', 'cloud'])
  const [row] = await app.db.select().from(enterprises).where(eq(enterprises.id, firm.enterpriseId))
  t.equal(row.address, null)
  t.equal(row.name, '新名称软件有限公司')
  const domainRows = await app.db.select().from(enterpriseDomains).where(eq(enterpriseDomains.enterpriseId, firm.enterpriseId))
  t.same(domainRows.map(d => d.domainCode).sort(), ['ai', 'cloud'])

  const cases: Array<[string, unknown, number, string, string[]?]> = [
    ['the credit code', { uscc: '91210202000000042N' }, 400, 'VALIDATION_FAILED', ['body.uscc']],
    ['the founding date', { foundedOn: '2001-01-01' }, 400, 'VALIDATION_FAILED', ['body.foundedOn']],
    ['an unknown field', { tier: 'billion' }, 400, 'VALIDATION_FAILED', ['body.tier']],
    ['nothing at all', {}, 400, 'VALIDATION_FAILED'],
    ['an unknown district', { districtCode: '999999' }, 400, 'UNKNOWN_REFERENCE', ['districtCode']],
    ['an unknown domain', { domains: ['blockchain'] }, 400, 'UNKNOWN_REFERENCE', ['domains']],
    ['no domains', { domains: [] }, 400, 'VALIDATION_FAILED'],
    ['a bad phone', { contactPhone: 'call me' }, 400, 'VALIDATION_FAILED', ['body.contactPhone']],
    ['a bad website', { website: 'not a url' }, 400, 'VALIDATION_FAILED', ['body.website']],
    ['a control character', { contactName: 'a\u0000b' }, 400, 'VALIDATION_FAILED', ['body.contactName']]
  ]
  for (const [name, payload, status, code, fields] of cases) {
    const res = await patch(payload)
    t.equal(res.statusCode, status, name)
    t.equal(res.json().code, code, name)
    if (fields != null) t.same(res.json().fields.map((f: any) => f.field), fields, name)
  }
  const [unchanged] = await app.db.select().from(enterprises).where(eq(enterprises.id, firm.enterpriseId))
  t.equal(unchanged.uscc, firm.uscc)
  t.equal(unchanged.districtCode, 'hi_tech_zone')

  const audit = await app.inject({ url: `/v1/audit?objectType=enterprise&objectId=${firm.enterpriseId}&action=enterprise.update`, headers: auth(await adminToken(app)) })
  const entries = audit.json().items
  t.equal(entries.length, 1, 'refused patches leave no audit row')
  t.equal(entries[0].actorId, firm.userId)
  t.match(entries[0].before.name, /^测试软件有限公司 \d+$/)
  t.match(entries[0].before, { address: '大连市中山区', districtCode: '210202', domains: ['ai'] })
  t.match(entries[0].after, { address: null, districtCode: 'hi_tech_zone', domains: ['ai', 'cloud'], name: '新名称软件有限公司' })
})

t.test('role × endpoint matrix', async (t) => {
  const owner = await registerFirm(app)
  const other = await registerFirm(app)
  const staff = {
    reviewer: await createStaff(app, 'reviewer'),
    officer: await createStaff(app, 'officer'),
    analyst: await createStaff(app, 'analyst'),
    admin: await createStaff(app, 'admin')
  }
  await declare(app, owner, 2024, '150000000.00')
  const rules = (await app.inject({ url: '/v1/admin/tier-rules', headers: auth(staff.admin.token) })).json()
  const id = owner.enterpriseId
  const callers: Record<string, string | null> = {
    none: null, owner: owner.token, other: other.token,
    reviewer: staff.reviewer.token, officer: staff.officer.token, analyst: staff.analyst.token, admin: staff.admin.token
  }
  type Row = [string, string, unknown, Record<keyof typeof callers, number>]
  const matrix: Row[] = [
    ['GET', '/v1/enterprises', undefined, { none: 401, owner: 403, other: 403, reviewer: 403, officer: 200, analyst: 403, admin: 200 }],
    ['GET', `/v1/enterprises/${id}`, undefined, { none: 401, owner: 200, other: 404, reviewer: 404, officer: 200, analyst: 403, admin: 200 }],
    ['PATCH', `/v1/enterprises/${id}`, { contactName: '李四' }, { none: 401, owner: 200, other: 404, reviewer: 403, officer: 403, analyst: 403, admin: 403 }],
    ['PUT', `/v1/enterprises/${id}/declarations/2025`, FIGURES, { none: 401, owner: 201, other: 404, reviewer: 403, officer: 403, analyst: 403, admin: 403 }],
    ['GET', `/v1/enterprises/${id}/declarations`, undefined, { none: 401, owner: 200, other: 404, reviewer: 403, officer: 200, analyst: 403, admin: 200 }],
    ['GET', `/v1/enterprises/${id}/declarations/2024`, undefined, { none: 401, owner: 200, other: 404, reviewer: 403, officer: 200, analyst: 403, admin: 200 }],
    ['GET', '/v1/admin/tier-rules', undefined, { none: 401, owner: 403, other: 403, reviewer: 403, officer: 403, analyst: 403, admin: 200 }],
    ['PUT', '/v1/admin/tier-rules', rules, { none: 401, owner: 403, other: 403, reviewer: 403, officer: 403, analyst: 403, admin: 200 }],
    ['POST', '/v1/admin/tier-rules/recompute', { year: 2024 }, { none: 401, owner: 403, other: 403, reviewer: 403, officer: 403, analyst: 403, admin: 200 }]
  ]
  for (const [method, url, payload, expected] of matrix) {
    for (const [who, token] of Object.entries(callers)) {
      const res = await app.inject({ method: method as 'GET', url, headers: token == null ? {} : auth(token), payload: payload as Record<string, unknown> | undefined })
      t.equal(res.statusCode, expected[who], `${who} ${method} ${url}`)
    }
  }
  // Hidden and missing look the same to someone who may not see them.
  const hidden = await app.inject({ url: `/v1/enterprises/${id}`, headers: auth(other.token) })
  const missing = await app.inject({ url: `/v1/enterprises/${randomUUID()}`, headers: auth(other.token) })
  t.same(hidden.json(), missing.json())
  const missingForOfficer = await app.inject({ url: `/v1/enterprises/${randomUUID()}`, headers: auth(staff.officer.token) })
  t.equal(missingForOfficer.statusCode, 404)
  const badId = await app.inject({ url: '/v1/enterprises/not-a-uuid', headers: auth(staff.officer.token) })
  t.equal(badId.statusCode, 400)
})
