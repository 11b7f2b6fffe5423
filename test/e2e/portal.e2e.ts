// End-to-end, in a real browser: Debian's Chromium driven by playwright-core
// against the app listening on a random port with a fresh database. A firm
// registers, declares, applies and submits; two reviewers score; the officer
// assigns and decides; the analyst reads the dashboard. Screenshots of the
// four screens go to docs/screenshots/.
import t from 'tap'
import { createHash } from 'node:crypto'
import { mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { launchBrowser, listen, signIn as signInAt } from './browser.ts'
import type { FastifyInstance } from 'fastify'
import { buildTestApp, testConfig, adminToken, auth, login, uscc, PASSWORD, ADMIN } from '../helper.ts'
import { seedDatabase } from '../../scripts/seed/load.ts'
import { DEMO_ACCOUNTS } from '../../scripts/seed/options.ts'

const SHOTS = join(import.meta.dirname, '..', '..', 'docs', 'screenshots')
const YEAR = new Date().getFullYear() - 1

// Load shedding off: PGlite runs in this process, so a busy CI machine can stall
// the event loop past the threshold, and this test is about the screens.
const app: FastifyInstance = await buildTestApp(t, { overload: { ...testConfig().overload, maxEventLoopDelayMs: 0, dbHealthIntervalMs: 0 } })
const base = await listen(app)

// The demo data of `npm run db:seed`: firms with years of declarations, a
// pool, and the demo staff (six reviewers among them), as a new user finds it.
await seedDatabase(app.database, { firms: 800, fromYear: YEAR - 7, toYear: YEAR, seed: 1, force: false })

const { newPage, problems: pageProblems } = await launchBrowser(t)
mkdirSync(SHOTS, { recursive: true })

const signIn = async (page: Page, email: string, password = PASSWORD): Promise<void> => { await signInAt(page, base, email, password) }

const api = async (method: 'GET' | 'POST' | 'PUT', url: string, token: string, payload?: unknown): Promise<any> => {
  const res = await app.inject({ method, url, headers: auth(token), ...(payload !== undefined ? { payload: payload as object } : {}) })
  return { status: res.statusCode, body: res.body === '' ? null : res.json() }
}

// Staff, created through the API by the administrator from ADMIN_EMAIL.
const admin = await adminToken(app)
async function staff (role: string, name: string, email: string): Promise<{ id: string, email: string, token: string }> {
  const res = await api('POST', '/v1/users', admin, { email, name, role, password: PASSWORD })
  if (res.status !== 201) throw new Error(`create ${role}: ${res.status} ${JSON.stringify(res.body)}`)
  return { id: res.body.id, email, token: await login(app, email, PASSWORD) }
}
const officer = await staff('officer', '王经办', 'officer@e2e.test')
/** Reviewers are the seeded demo ones; who gets the application is the assignment's choice. */
let reviewers: Array<{ id: string, email: string, token: string, password?: string }> = []
const analyst = await staff('analyst', '陈分析', 'analyst@e2e.test')

const FIRM = { uscc: uscc(777001), name: '大连星海智能软件有限公司', email: 'owner@xinghai-e2e.test' }
let callId = ''
let applicationId = ''
let enterpriseId = ''
let firmToken = ''

t.test('the officer opens a call from the console', async (t) => {
  const { context, page } = await newPage()
  await signIn(page, officer.email)
  t.match(page.url(), /\/officer$/, 'an officer lands on the console')
  await page.fill('#call-form input[name=title]', `${YEAR} 年度创新型企业成长计划申报`)
  await page.selectOption('#call-form select[name=program]', 'innovative_growth')
  await page.fill('#call-form input[name=year]', String(YEAR))
  await page.fill('#call-form input[name=reviewersPerApplication]', '2')
  await page.click('#call-form button[type=submit]')
  await page.waitForURL(/\/officer\/calls\/[0-9a-f-]{36}$/)
  callId = page.url().split('/').pop()!
  const call = await api('GET', `/v1/calls/${callId}`, officer.token)
  t.equal(call.status, 200)
  t.equal(call.body.program, 'innovative_growth')
  t.equal(call.body.status, 'open')
  t.equal(call.body.reviewersPerApplication, 2)
  t.equal(await page.textContent('h1'), call.body.title)
  await context.close()
})

t.test('a firm registers with its credit code, declares and sees its tier', async (t) => {
  const { context, page } = await newPage()
  await page.goto(base + '/')
  await page.waitForURL(/\/login/)
  await page.click('a[href="/register"] >> nth=-1')
  await page.waitForSelector('#register-form')

  // Instant check-character feedback while typing.
  await page.fill('#register-form input[name=uscc]', FIRM.uscc.slice(0, 10))
  t.match(await page.textContent('#uscc-feedback'), /还需 8 位/)
  const wrongCheck = FIRM.uscc.slice(0, 17) + (FIRM.uscc[17] === '0' ? '1' : '0')
  await page.fill('#register-form input[name=uscc]', wrongCheck)
  t.match(await page.textContent('#uscc-feedback'), new RegExp(`校验位\\(第 18 位\\)应为 ${FIRM.uscc[17]}|校验位(第 18 位)应为 ${FIRM.uscc[17]}`))
  await page.fill('#register-form input[name=uscc]', FIRM.uscc.toLowerCase())
  t.match(await page.textContent('#uscc-feedback'), /校验通过/)
  t.equal(await page.inputValue('#register-form select[name=districtCode]'), '210202', 'the district follows from characters 3-8')

  await page.fill('#register-form input[name=name]', FIRM.name)
  await page.fill('#register-form input[name=email]', FIRM.email)
  await page.fill('#register-form input[name=password]', 'short')
  await page.fill('#register-form input[name=foundedOn]', '2016-04-18')
  await page.check('#register-form input[value=ai]')
  await page.check('#register-form input[value=big_data]')
  await page.click('#register-form button[type=submit]')
  // The API's validation message appears beside the password field; nothing is created.
  await page.waitForSelector('[data-field=password] .field-error:not(:empty)')
  t.equal(await page.getAttribute('#register-form input[name=password]', 'aria-invalid'), 'true')
  t.equal((await app.inject({ method: 'POST', url: '/v1/auth/login', payload: { email: FIRM.email, password: 'short' } })).statusCode, 401)

  await page.fill('#register-form input[name=password]', PASSWORD)
  await page.click('#register-form button[type=submit]')
  await page.waitForURL(/\/login$/)
  t.match(await page.textContent('.alert.success'), /注册成功/)
  await page.fill('#login-form input[name=email]', FIRM.email)
  await page.fill('#login-form input[name=password]', PASSWORD)
  await page.click('#login-form button[type=submit]')
  await page.waitForURL(/\/portal$/)
  t.equal(await page.textContent('.page-head .lead'), FIRM.name)
  firmToken = await login(app, FIRM.email, PASSWORD)
  enterpriseId = (await api('GET', '/v1/me', firmToken)).body.enterpriseId

  await page.fill('#declare-year input[name=year]', String(YEAR))
  await page.click('#declare-year button[type=submit]')
  await page.waitForSelector('#declaration-form')
  const figures: Record<string, string> = {
    operatingRevenue: '150,000,000.50', softwareRevenue: '120000000', rdExpense: '12.345', exportRevenue: '0',
    employees: '320', rdStaff: '120', patents: '12', softwareCopyrights: '30'
  }
  for (const [k, v] of Object.entries(figures)) await page.fill(`#declaration-form input[name=${k}]`, v)
  await page.click('#declaration-form button[type=submit]')
  await page.waitForSelector('[data-field=rdExpense] .field-error:not(:empty)')
  t.equal((await api('GET', `/v1/enterprises/${enterpriseId}/declarations/${YEAR}`, firmToken)).status, 404, 'a refused declaration stores nothing')

  await page.fill('#declaration-form input[name=rdExpense]', '15000000')
  await page.click('#declaration-form button[type=submit]')
  await page.waitForSelector('#declared-tier')
  t.match(await page.textContent('.alert.success'), /亿级/)
  const declared = await api('GET', `/v1/enterprises/${enterpriseId}/declarations/${YEAR}`, firmToken)
  t.equal(declared.status, 200)
  t.equal(declared.body.operatingRevenue, '150000000.50', 'money kept exact, commas dropped')
  t.equal(declared.body.tier, 'hundred_million')
  await context.close()
})

t.test('the firm applies to the open call and submits', async (t) => {
  const { context, page } = await newPage()
  await signIn(page, FIRM.email)
  await page.click(`button[data-call="${callId}"]`)
  await page.waitForURL(/\/portal\/applications\/[0-9a-f-]{36}$/)
  applicationId = page.url().split('/').pop()!
  t.equal((await api('GET', `/v1/applications/${applicationId}`, firmToken)).body.state, 'draft')

  await page.fill('#application-form textarea[name=statement]', '公司专注工业大数据平台与人工智能质检,核心产品服务 300 余家制造企业,研发投入占营业收入 10%。')
  await page.click('#application-form button[name=save]')
  await page.waitForSelector('.toast')
  const saved = await api('GET', `/v1/applications/${applicationId}`, firmToken)
  t.match(saved.body.statement, /工业大数据/)
  t.equal(saved.body.version, 2, 'the draft was saved once, with If-Match')

  // A supporting document, uploaded as multipart from the file picker.
  const pdf = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n')
  await page.setInputFiles('#document-file', { name: '营业执照.pdf', mimeType: 'application/pdf', buffer: pdf })
  await page.click('#document-form button[type=submit]')
  await page.waitForSelector('text=营业执照.pdf')
  const documents = await api('GET', `/v1/applications/${applicationId}/documents`, firmToken)
  t.equal(documents.body.length, 1)
  t.equal(documents.body[0].sha256, createHash('sha256').update(pdf).digest('hex'), 'the bytes arrived unchanged')

  await page.click('#submit-application')
  // Submit asks first, after the self-check.
  await page.click('#submit-confirmed')
  await page.waitForSelector('#application-state .state-submitted')
  const submitted = await api('GET', `/v1/applications/${applicationId}`, firmToken)
  t.equal(submitted.body.state, 'submitted')
  t.equal(submitted.body.eligibility.passed, true)

  await page.goto(base + '/portal')
  await page.waitForSelector(`a[href="/portal/applications/${applicationId}"]`)
  await page.screenshot({ path: join(SHOTS, 'portal.png'), fullPage: true })
  await context.close()
})

t.test('the officer returns it for revision; the firm reads the reason and submits again', async (t) => {
  const officerPage = await newPage()
  await signIn(officerPage.page, officer.email)
  await officerPage.page.goto(`${base}/officer/applications/${applicationId}`)
  await officerPage.page.fill('#return-form textarea[name=reason]', '请补充核心产品的市场占有率数据。')
  await officerPage.page.click('#return-form button[type=submit]')
  await officerPage.page.waitForSelector('#application-state .state-returned')
  t.equal((await api('GET', `/v1/applications/${applicationId}`, officer.token)).body.state, 'returned')
  await officerPage.context.close()

  const { context, page } = await newPage()
  await signIn(page, FIRM.email)
  await page.goto(`${base}/portal/applications/${applicationId}`)
  t.equal(await page.textContent('#return-reason'), '请补充核心产品的市场占有率数据。')
  await page.fill('#application-form textarea[name=statement]', '公司专注工业大数据平台与人工智能质检,核心产品服务 300 余家制造企业,细分市场占有率约 12%,研发投入占营业收入 10%。')
  await page.click('#submit-application')
  await page.click('#submit-confirmed')
  await page.waitForSelector('#application-state .state-submitted')
  const again = await api('GET', `/v1/applications/${applicationId}`, firmToken)
  t.equal(again.body.state, 'submitted')
  t.match(again.body.statement, /市场占有率约 12%/, 'the revision was saved before submitting')
  await context.close()
})

t.test('the officer assigns reviewers automatically and follows the progress', async (t) => {
  const { context, page } = await newPage()
  await signIn(page, officer.email)
  await page.goto(`${base}/officer/calls/${callId}`)
  t.match(await page.textContent('#call-progress'), /0 \/ 0/)
  await page.click('#auto-assign')
  await page.waitForSelector('.alert.success')
  t.match(await page.textContent('#call-progress'), /0 \/ 2/)
  const progress = await api('GET', `/v1/calls/${callId}/progress`, officer.token)
  t.equal(progress.body.applications[0].assigned, 2)
  const chosen = progress.body.reviewers.filter((r: { assigned: number }) => r.assigned > 0)
  t.equal(chosen.length, 2, 'two different reviewers')
  for (const r of chosen as Array<{ reviewerId: string, name: string }>) {
    const account = DEMO_ACCOUNTS.find(a => a.name === r.name && a.role === 'reviewer')
    if (account == null) throw new Error(`not a demo reviewer: ${r.name}`)
    reviewers.push({ id: r.reviewerId, email: account.email, token: await login(app, account.email, account.password) })
  }
  reviewers = reviewers.map(r => ({ ...r, password: DEMO_ACCOUNTS.find(a => a.email === r.email)!.password }))
  await context.close()
})

t.test('each reviewer scores within the ranges, saves a draft and submits', async (t) => {
  for (const [n, reviewer] of reviewers.entries()) {
    const { context, page } = await newPage()
    await signIn(page, reviewer.email, reviewer.password)
    t.match(page.url(), /\/reviews$/)
    const mine = (await api('GET', '/v1/reviews?limit=500', reviewer.token)).body.items as Array<{ state: string }>
    const expected = `完成 ${mine.filter(r => r.state === 'submitted').length} / ${mine.filter(r => r.state !== 'recused').length}`
    t.equal(await page.textContent('#review-progress'), expected, 'progress counts the reviewer\'s assignments')
    await page.click(`text=${FIRM.name}`)
    await page.waitForSelector('#review-form')
    const reviewId = page.url().split('/').pop()!
    const inputs = await page.$$('#review-form input[name^="scores."]')
    t.ok(inputs.length > 0, 'the rubric has judged indicators')

    // Out of range: refused in the browser, nothing reaches the API.
    const first = inputs[0]
    const max = Number(await first.getAttribute('max'))
    await first.fill(String(max + 1))
    await page.click('#save-review')
    await page.waitForSelector('#review-form .field-error:not(:empty)')
    const untouched = await api('GET', `/v1/reviews/${reviewId}`, reviewer.token)
    t.equal(untouched.body.state, 'assigned')
    t.same(untouched.body.scores, {})

    for (const el of inputs) await el.fill(String(Number(await el.getAttribute('max')) - n))
    await page.fill('#review-form textarea[name=comment]', '创新能力突出,成长性好。')
    await page.click('#save-review')
    await page.waitForSelector('.toast')
    const draft = await api('GET', `/v1/reviews/${reviewId}`, reviewer.token)
    t.equal(draft.body.state, 'draft')
    t.equal(Object.keys(draft.body.scores).length, inputs.length)
    if (n === 0) await page.screenshot({ path: join(SHOTS, 'reviewer.png'), fullPage: true })

    await page.click('#submit-review')
    await page.waitForSelector('#review-state .state-submitted')
    t.equal((await api('GET', `/v1/reviews/${reviewId}`, reviewer.token)).body.state, 'submitted')
    await context.close()
  }
  t.equal((await api('GET', `/v1/applications/${applicationId}`, officer.token)).body.state, 'scored', 'all reviews in: scored')
})

t.test('the officer decides; the firm sees the admission', async (t) => {
  const { context, page } = await newPage()
  await signIn(page, officer.email)
  await page.goto(`${base}/officer/calls/${callId}`)
  t.match(await page.textContent('#call-progress'), /2 \/ 2/)
  await page.screenshot({ path: join(SHOTS, 'officer.png'), fullPage: true })
  await page.click(`a[href="/officer/applications/${applicationId}"]`)
  await page.waitForSelector('#decision-form')
  await page.selectOption('#decision-form select[name=decision]', 'admit')
  await page.fill('#decision-form textarea[name=reason]', '评审通过,同意纳入培育库。')
  await page.click('#decision-form button[type=submit]')
  await page.waitForSelector('#application-state .state-admitted')
  const decided = await api('GET', `/v1/applications/${applicationId}`, officer.token)
  t.equal(decided.body.state, 'admitted')
  t.equal(decided.body.decision, 'admit')
  await context.close()

  // The audit trail of the application: the audit endpoint is the administrator's.
  const adminPage = await newPage()
  await signIn(adminPage.page, ADMIN.email, ADMIN.password)
  await adminPage.page.goto(`${base}/officer/applications/${applicationId}`)
  await adminPage.page.waitForSelector('[data-action="application.submit"]')
  const trail = await api('GET', `/v1/audit?objectId=${applicationId}`, admin)
  t.equal(await adminPage.page.locator('main .audit-trail tbody tr').count(), trail.body.items.length, 'one row per audit entry')
  t.ok(trail.body.items.length >= 4, 'create, update, submit, decide …')
  await adminPage.context.close()

  const firm = await newPage()
  await signIn(firm.page, FIRM.email)
  await firm.page.goto(`${base}/portal/applications/${applicationId}`)
  await firm.page.waitForSelector('#application-state .state-admitted')
  t.match(await firm.page.textContent('main'), /同意纳入培育库/)
  await firm.context.close()
})

t.test('the analyst reads the dashboard: charts, targets, suppression, CSV, English', async (t) => {
  // One firm alone in a district: a cell too small to show.
  const lone = await app.inject({
    method: 'POST', url: '/v1/auth/register',
    payload: { uscc: uscc(779001), name: '长兴岛数字港口软件有限公司', email: 'lone@e2e.test', password: PASSWORD, districtCode: 'changxing_island', domains: ['iot'], foundedOn: '2014-09-01' }
  })
  t.equal(lone.statusCode, 201)
  const loneToken = await login(app, 'lone@e2e.test', PASSWORD)
  const loneDeclared = await api('PUT', `/v1/enterprises/${lone.json().enterprise.id}/declarations/${YEAR}`, loneToken, {
    operatingRevenue: '86000000.00', softwareRevenue: '60000000.00', rdExpense: '7000000.00', exportRevenue: '0.00', employees: 95, rdStaff: 40, patents: 4, softwareCopyrights: 11
  })
  t.equal(loneDeclared.status, 201)
  const distribution = await api('GET', `/v1/analytics/distribution?year=${YEAR}&by=district`, analyst.token)
  const island = distribution.body.cells.find((c: { district: string }) => c.district === 'changxing_island')
  t.ok(island.firms < distribution.body.minFirms ? island.suppressed : true, 'a district below the threshold is suppressed')
  t.equal(distribution.status, 200)

  const { context, page } = await newPage()
  await signIn(page, analyst.email)
  await page.goto(`${base}/dashboard?year=${YEAR}`)
  await page.waitForSelector('#chart-tier canvas')
  await page.waitForSelector('#chart-trend canvas')
  t.equal((await page.textContent('#total-firms .value'))?.replace(/\D/g, ''), String(distribution.body.totals.firms))
  // Revenue is drawn in 亿元 (10^8 yuan): the exact decimal string from the API, scaled.
  const [whole, frac = ''] = String(distribution.body.totals.operatingRevenue).split('.')
  const fen = BigInt(whole) * 100n + BigInt((frac + '00').slice(0, 2))
  t.equal(Number((await page.textContent('#total-revenue .value'))?.replace(/,/g, '')), Math.round(Number(fen) / 1e8) / 100)
  // Each breakdown's table marks exactly the cells the API suppressed, in every money and headcount column.
  let suppressedCells = 0
  for (const dim of ['tier', 'program', 'domain', 'district']) {
    const cells = (await api('GET', `/v1/analytics/distribution?year=${YEAR}&by=${dim}`, analyst.token)).body.cells as Array<{ suppressed: boolean }>
    const suppressed = cells.filter(c => c.suppressed).length
    suppressedCells += suppressed
    await page.click(`#chart-${dim} ~ details summary`)
    // A suppressed cell is withheld in every figure column: operating revenue, R&D, export revenue, employees.
    t.equal(await page.locator(`#chart-${dim} ~ details tbody tr:has(.suppressed)`).count(), suppressed, `${dim}: ${suppressed} suppressed cells shown as such`)
    t.equal(await page.locator(`#chart-${dim} ~ details .suppressed`).count(), suppressed * 4, `${dim}: each in all four figure columns`)
    await page.click(`#chart-${dim} ~ details summary`)
  }
  t.ok(suppressedCells > 0, 'the lone firm on Changxing Island is not shown on its own')
  t.ok(await page.locator('#targets .target').count() > 0, 'plan targets as progress bars')
  await page.screenshot({ path: join(SHOTS, 'dashboard.png'), fullPage: true })

  const [download] = await Promise.all([page.waitForEvent('download'), page.click(`button[data-csv="distribution-${YEAR}-tier.csv"]`)])
  const csv = readFileSync((await download.path())!, 'utf8')
  t.ok(csv.startsWith('\uFEFF'), 'the CSV keeps its UTF-8 BOM')
  t.ok(csv.split('\n').length > 2, 'a header and rows')

  await page.click('#lang-toggle')
  await page.waitForSelector('text=Analyst dashboard')
  t.equal(await page.getAttribute('html', 'lang'), 'en')
  await context.close()
})

t.test('the screens ran under the CSP without errors', async (t) => {
  t.same(pageProblems, [])
})
