// End-to-end, in a real browser, on the demo data of `npm run db:seed`: an
// officer opens 专项资金, creates a fund of 100万元, awards 60万 and 40万 to
// two members and is refused 0.01 more, records a payment, and sees the budget
// bar; the analyst's dashboard draws the funds' outcomes. Screenshots of the
// fund and of the dashboard's fund card go to docs/screenshots/.
import t from 'tap'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { launchBrowser, listen, signIn } from './browser.ts'
import { buildTestApp, testConfig, adminToken, auth, login, PASSWORD } from '../helper.ts'
import { seedDatabase } from '../../scripts/seed/load.ts'

const SHOTS = join(import.meta.dirname, '..', '..', 'docs', 'screenshots')
const YEAR = new Date().getFullYear() - 1

const app: FastifyInstance = await buildTestApp(t, { overload: { ...testConfig().overload, maxEventLoopDelayMs: 0, dbHealthIntervalMs: 0 } })
const base = await listen(app)
await seedDatabase(app.database, { firms: 400, fromYear: YEAR - 4, toYear: YEAR, seed: 1, force: false })
const { newPage, problems } = await launchBrowser(t)
mkdirSync(SHOTS, { recursive: true })

const admin = await adminToken(app)
for (const [role, email] of [['officer', 'officer@funds-e2e.test'], ['analyst', 'analyst@funds-e2e.test']]) {
  const res = await app.inject({ method: 'POST', url: '/v1/users', headers: auth(admin), payload: { email, name: role, role, password: PASSWORD } })
  if (res.statusCode !== 201) throw new Error(`create ${role}: ${res.statusCode} ${res.body}`)
}
const officer = await login(app, 'officer@funds-e2e.test', PASSWORD)

t.test('the officer creates a fund, awards it to the last fen, is refused more, and records a payment', async (t) => {
  const { context, page } = await newPage()
  await signIn(page, base, 'officer@funds-e2e.test', PASSWORD)
  await page.click('#nav a[href="/officer/funds"]')
  await page.waitForSelector('#fund-list .budget-bar')
  t.ok(await page.locator('#fund-list .fund-item').count() >= 1, 'the seeded funds are listed with their budget bars')

  await page.fill('#fund-form input[name=name]', `${YEAR} 年创新型企业成长计划专项资金(测试)`)
  await page.selectOption('#fund-form select[name=program]', 'innovative_growth')
  await page.fill('#fund-form input[name=year]', String(YEAR))
  await page.selectOption('#fund-form select[name=budget__unit]', 'wan')
  await page.fill('#fund-form input[name=budget]', '100')
  await page.click('#create-fund')
  await page.waitForURL(/\/officer\/funds\/[0-9a-f-]{36}$/)
  const fundId = page.url().split('/').pop() as string

  const award = async (index: number, amount: string, unit: 'wan' | 'yuan') => {
    await page.waitForSelector('#award-form')
    await page.selectOption('#award-form select[name=enterpriseId]', { index })
    await page.selectOption('#award-form select[name=amount__unit]', unit)
    await page.fill('#award-form input[name=amount]', amount)
    await page.click('#award-submit')
  }
  await award(0, '60', 'wan')
  await page.waitForFunction(() => document.querySelectorAll('table.data tbody tr [class*="state-awarded"]').length === 1)
  await award(1, '40', 'wan')
  await page.waitForFunction(() => document.querySelectorAll('table.data tbody tr [class*="state-awarded"]').length === 2)
  await award(0, '0.01', 'yuan')
  await page.waitForSelector('#award-form .form-alert[data-code="BUDGET_EXCEEDED"]')
  t.pass('0.01 more is refused with BUDGET_EXCEEDED')

  await page.selectOption('#payment-form select[name=amount__unit]', 'wan')
  await page.fill('#payment-form input[name=amount]', '10')
  await page.click('#payment-submit')
  await page.waitForSelector('[class*="state-partly_paid"]')
  const fund = (await app.inject({ url: `/v1/funds/${fundId}`, headers: auth(officer) })).json()
  t.match(fund, { budget: '1000000.00', awarded: '1000000.00', paid: '100000.00', available: '0.00', awards: 2 })
  t.equal(await page.locator('.budget-bar [role=progressbar]').first().getAttribute('aria-valuenow'), '100', 'the bar is full')
  await page.screenshot({ path: join(SHOTS, 'funds.png'), fullPage: true })
  await context.close()
})

t.test('the analyst dashboard shows the funds and their outcomes as a chart', async (t) => {
  const { context, page } = await newPage()
  await signIn(page, base, 'analyst@funds-e2e.test', PASSWORD)
  await page.goto(`${base}/dashboard?year=${YEAR - 1}`)
  await page.waitForSelector('#chart-funds canvas')
  const rows = await page.locator('#funds-by-program tbody tr').count()
  t.ok(rows >= 2, 'the seeded funds by program and the total')
  t.equal(await page.locator('#funds-outcomes tbody tr').count(), 2, 'supported beside unsupported')
  const supportedFirms = Number(await page.locator('#funds-outcomes tbody tr').first().locator('td').nth(1).textContent())
  await page.locator('#chart-funds').evaluate(el => el.closest('section')?.scrollIntoView())
  await page.locator('#chart-funds').evaluate(el => el.closest('section')?.setAttribute('id', 'funds-card'))
  await page.waitForTimeout(1500) // the bars' animation
  await page.locator('#funds-card').screenshot({ path: join(SHOTS, 'funds-dashboard.png') })
  t.ok(supportedFirms > 0, `the seeded awards have outcomes (${supportedFirms} supported firms declared both years)`)
  await context.close()
  t.same(problems, [], 'no page error and no CSP refusal')
})
