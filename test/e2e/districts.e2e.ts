// End-to-end, in a real browser: a district officer's console (its district's
// firms, the pre-screen queue, recommending with an opinion) and the analyst
// dashboard's district targets with the district picker. Screenshots go to
// docs/screenshots/.
import t from 'tap'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { launchBrowser, listen, signIn } from './browser.ts'
import { buildTestApp, testConfig, adminToken, createStaff, registerFirm, PASSWORD, auth } from '../helper.ts'
import { declare, openCall } from '../application-fixtures.ts'

const app: FastifyInstance = await buildTestApp(t, { overload: { ...testConfig().overload, maxEventLoopDelayMs: 0, dbHealthIntervalMs: 0 } })
const base = await listen(app)
const { newPage, problems } = await launchBrowser(t)
const SHOTS = join(import.meta.dirname, '..', '..', 'docs', 'screenshots')
mkdirSync(SHOTS, { recursive: true })

const admin = await adminToken(app)
const officer = await createStaff(app, 'officer')
const analyst = await createStaff(app, 'analyst')
const district = await createStaff(app, 'district_officer', { districtCode: '210211' })
const call = await openCall(app, officer.token, { districtReview: true, reviewersPerApplication: 1, title: '区县推荐批次' })
const firm = await registerFirm(app, { districtCode: '210211', name: '甘井子测试软件有限公司' })
const elsewhere = await registerFirm(app, { districtCode: '210203', name: '西岗测试软件有限公司' })
await declare(app, firm, 2024, { operatingRevenue: '120000000.00', rdExpense: '5000000.00' })
await declare(app, firm, 2025, { operatingRevenue: '150000000.00', rdExpense: '6000000.00' })
await declare(app, elsewhere, 2025, { operatingRevenue: '90000000.00', rdExpense: '4000000.00' })
const created = await app.inject({ method: 'POST', url: '/v1/applications', headers: auth(firm.token), payload: { callId: call.id, statement: '申报' } })
const applicationId = created.json().id as string
await app.inject({ method: 'POST', url: `/v1/applications/${applicationId}/submit`, headers: auth(firm.token) })

t.test('the district officer sees its firms and recommends from the queue', async (t) => {
  const { context, page } = await newPage()
  await signIn(page, base, district.email, PASSWORD)
  await page.waitForURL(/\/district$/)
  await page.waitForSelector('#district-queue')
  const firms = await page.textContent('#district-firms') ?? ''
  t.match(firms, '甘井子测试软件有限公司', 'its district\'s firm is listed')
  t.notMatch(firms, '西岗测试软件有限公司', 'another district\'s is not')
  await page.screenshot({ path: join(SHOTS, 'district.png'), fullPage: true })
  const item = page.locator(`#district-queue li[data-application="${applicationId}"]`)
  await item.locator('button[data-recommend=true]').click()
  t.match(await item.textContent() ?? '', '请填写区县意见', 'the opinion is required')
  await item.locator('textarea[name=opinion]').fill('材料齐全,同意推荐')
  await item.locator('button[data-recommend=true]').click()
  await page.waitForSelector('#district-queue', { state: 'detached' })
  const after = await app.inject({ url: `/v1/applications/${applicationId}`, headers: auth(officer.token) })
  t.match(after.json(), { state: 'district_reviewed', districtOpinion: '材料齐全,同意推荐' })
  t.match(await page.textContent('main') ?? '', '区县已推荐', 'the pre-screened list shows it')
  await context.close()
})

t.test('the analyst picks a district and reads its own targets', async (t) => {
  const put = await app.inject({
    method: 'PUT', url: '/v1/admin/targets', headers: auth(admin),
    payload: {
      targets: [
        { key: 'gjz_revenue', district: '210211', measure: 'industry_revenue', comparator: 'gte', goal: '100000000', dueYear: 2028, labelZh: '甘井子区产业规模', labelEn: 'Ganjingzi revenue' },
        { key: 'xg_firms', district: '210203', measure: 'firms_at_least_tier', tierCode: 'above_scale', comparator: 'gte', goal: '10', dueYear: 2028, labelZh: '西岗区规上企业', labelEn: 'Xigang firms' }
      ]
    }
  })
  t.equal(put.statusCode, 200, put.body)
  const { context, page } = await newPage()
  await signIn(page, base, analyst.email, PASSWORD)
  await page.goto(`${base}/dashboard?year=2025&district=210211`)
  await page.waitForSelector('#district-targets')
  const text = await page.textContent('#district-targets') ?? ''
  t.match(text, '甘井子区产业规模')
  t.match(text, '为保密已隐去', 'one firm\'s figures are withheld from the analyst')
  await page.selectOption('#dashboard-district', '210203')
  await page.waitForURL(/district=210203/)
  await page.waitForFunction(() => document.querySelector('#district-targets')?.textContent?.includes('西岗区规上企业') === true)
  t.match(await page.textContent('#district-targets') ?? '', '西岗区规上企业', 'the picker shows the other district\'s targets')
  await page.locator('#district-targets').screenshot({ path: join(SHOTS, 'district-targets.png') })
  await context.close()
  t.same(problems, [], 'no page errors, no CSP refusals')
})
