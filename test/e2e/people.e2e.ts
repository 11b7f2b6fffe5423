// End-to-end, in a real browser, with a real SMTP server on loopback: a
// citizen objects on the public notice page with JavaScript switched off and
// gets a receipt by email; the firm reads the objection in its inbox (unread
// count in the header, marked read); its owner invites a colleague, who sets a
// password from the emailed link, signs in and declares for the firm; the
// owner forgets the password and resets it from the emailed link, once.
// Screenshots at 1280 and 390 px go to docs/screenshots/.
import t from 'tap'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { launchBrowser, listen, signIn as signInAt } from './browser.ts'
import type { FastifyInstance } from 'fastify'
import { buildTestApp, testConfig, login, auth, adminToken, PASSWORD } from '../helper.ts'
import { admittedFirm } from '../people-fixtures.ts'
import { startSmtp, type ReceivedMail } from '../smtp.ts'
import { sendDueMail } from '../../server/services/outbox.ts'

const SHOTS = join(import.meta.dirname, '..', '..', 'docs', 'screenshots')
const APP_URL = 'https://peiyu.example.cn'
const NEW_PASSWORD = 'Fresh-Lighthouse-42-Tide'

const smtp = await startSmtp()
t.teardown(smtp.close)
const app: FastifyInstance = await buildTestApp(t, {
  overload: { ...testConfig().overload, maxEventLoopDelayMs: 0, dbHealthIntervalMs: 0 },
  smtpUrl: smtp.url, mailFrom: '培育库 <no-reply@peiyu.test>', appUrl: APP_URL
})
const base = await listen(app)
/** What the chores job does every tick: send what the outbox holds. */
const sendMail = async () => await sendDueMail(app.db, app.mailer, { from: '培育库 <no-reply@peiyu.test>', appUrl: APP_URL })
/** The emailed link, pointed at this test's server. */
const linkIn = (mail: ReceivedMail): string => {
  const m = new RegExp(`${APP_URL.replace(/\./g, '\\.')}(/#/reset\\?[^\\s]+)`).exec(mail.text)
  if (m == null) throw new Error('no link in: ' + mail.text)
  return base + m[1]
}

const { firm, noticeId } = await admittedFirm(app, { name: '大连滨海数据科技有限公司' })
await sendMail()

const { newPage: openPage, problems: pageProblems } = await launchBrowser(t)
mkdirSync(SHOTS, { recursive: true })

const newPage = async (opts: { width?: number, javaScript?: boolean } = {}) =>
  await openPage({ width: opts.width ?? 1280, javaScript: opts.javaScript, downloads: false })
const signIn = async (page: Page, email: string, password: string): Promise<void> => { await signInAt(page, base, email, password) }
/** No sideways scrolling: the page is no wider than the window (else the widest culprits, to say what to fix). */
const overflow = async (page: Page): Promise<string[]> => await page.evaluate(() => {
  if (document.documentElement.scrollWidth <= window.innerWidth) return []
  return [...document.querySelectorAll('body *')]
    .filter(el => el.getBoundingClientRect().right > window.innerWidth + 1 && el.closest('.table-wrap') == null)
    .slice(0, 8).map(el => `${el.tagName.toLowerCase()}${el.id !== '' ? '#' + el.id : ''}.${[...el.classList].join('.')} right=${Math.round(el.getBoundingClientRect().right)}`)
})
const fits = async (t: { same: (a: unknown, b: unknown, m: string) => unknown }, page: Page, what: string): Promise<void> => { t.same(await overflow(page), [], `${what} fits in 390 px`) }

t.test('a citizen objects on the public notice page without JavaScript and is emailed a receipt', async (t) => {
  const { context, page } = await newPage({ javaScript: false })
  await page.goto(`${base}/notices`)
  t.match(await page.textContent('h1'), '重点企业培育库入库公示')
  t.match(await page.textContent(`tr[data-notice="${noticeId}"]`), firm.uscc)
  t.match(await page.textContent('#issuer'), '大连市工业和信息化局')
  await page.screenshot({ path: join(SHOTS, 'notices.png'), fullPage: true })
  await page.click(`tr[data-notice="${noticeId}"] a`)
  const form = `#object-${noticeId}`
  await page.click(`${form} button[type=submit]`)
  // The browser's own check (required) stops an empty form; the server marks what is wrong too.
  t.equal(await page.locator(`${form} textarea:invalid`).count(), 1)
  await page.fill(`${form} textarea[name=reason]`, '该企业申报的研发人员数量与社保缴纳人数明显不符')
  await page.fill(`${form} input[name=contact]`, '市民王先生')
  await page.fill(`${form} input[name=email]`, 'wang@example.test')
  await page.click(`${form} button[type=submit]`)
  await page.waitForSelector('#receipt-reference')
  const reference = (await page.textContent('#receipt-reference'))?.trim() ?? ''
  t.match(reference, /^YY-[2-9A-HJ-NP-Z]{10}$/)
  await context.close()

  await sendMail()
  const receipt = smtp.to('wang@example.test')
  t.equal(receipt.length, 1, 'one receipt')
  t.match(receipt[0].text, reference)
  t.equal(smtp.to(firm.email).filter(m => m.text.includes(reference)).length, 1, 'the firm is emailed once')
  t.equal((await sendMail()).sent, 0, 'nothing is sent twice')
})

t.test('the firm reads the objection in its inbox and marks it read', async (t) => {
  const { context, page } = await newPage()
  await signIn(page, firm.email, PASSWORD)
  await page.waitForSelector('#unread-count')
  const unread = Number(await page.textContent('#unread-count'))
  t.ok(unread >= 1, `the header counts ${unread} unread`)
  await page.click('#inbox-link')
  await page.waitForSelector('#inbox-list li')
  const item = page.locator('#inbox-list li.unread', { hasText: '公示收到异议' }).first()
  t.match(await item.textContent(), /回执编号 YY-/)
  await page.screenshot({ path: join(SHOTS, 'inbox.png'), fullPage: true })
  await item.locator('button[data-read]').click()
  await page.waitForFunction((n) => {
    const c = document.getElementById('unread-count')
    return (c == null ? 0 : Number(c.textContent)) === n - 1
  }, unread)
  const left = await app.inject({ url: '/v1/me/notifications?unread=true&limit=100', headers: auth(firm.token) })
  t.equal(left.json().items.length, unread - 1, 'marked read on the server')
  await context.close()
})

t.test('the owner invites a colleague, who sets a password from the email and declares for the firm', async (t) => {
  const { context, page } = await newPage()
  await signIn(page, firm.email, PASSWORD)
  await page.click('#account-link')
  await page.waitForSelector('#invite-form')
  await page.fill('#invite-form input[name=name]', '刘会计')
  await page.fill('#invite-form input[name=email]', 'liu@binhai-data.test')
  await page.click('#invite-form button[type=submit]')
  await page.waitForSelector('#colleagues tr:has-text("liu@binhai-data.test")')
  t.match(await page.textContent('#colleagues'), '已邀请,待设置密码')
  await context.close()

  await sendMail()
  const [invitation] = smtp.to('liu@binhai-data.test')
  t.ok(invitation != null, 'the invitation is emailed')
  const colleague = await newPage()
  await colleague.page.goto(linkIn(invitation))
  await colleague.page.waitForSelector('#reset-form')
  t.notMatch(colleague.page.url(), /token=/, 'the token leaves the address bar at once')
  t.match(await colleague.page.textContent('h1'), '设置密码,启用账户')
  await colleague.page.fill('#reset-form input[name=newPassword]', NEW_PASSWORD)
  await colleague.page.fill('#reset-form input[name=repeat]', NEW_PASSWORD)
  await colleague.page.click('#reset-form button[type=submit]')
  await colleague.page.waitForURL(/\/login$/)
  await signIn(colleague.page, 'liu@binhai-data.test', NEW_PASSWORD)
  await colleague.page.waitForURL(/\/portal$/)
  await colleague.page.fill('#declare-year input[name=year]', '2024')
  await colleague.page.click('#declare-year button[type=submit]')
  await colleague.page.waitForSelector('#declaration-form')
  const figures: Record<string, string> = {
    softwareRevenue: '80,000,000', rdExpense: '700万', exportRevenue: '0',
    employees: '210', rdStaff: '90', patents: '6', softwareCopyrights: '18'
  }
  for (const [k, v] of Object.entries(figures)) await colleague.page.fill(`#declaration-form input[name=${k}]`, v)
  // A clerk types 万元 with the unit switch, and reads the amount back in words.
  await colleague.page.selectOption('#declaration-form select[name=operatingRevenue__unit]', 'wan')
  await colleague.page.fill('#declaration-form input[name=operatingRevenue]', '9,800')
  t.equal((await colleague.page.textContent('[data-field=operatingRevenue] .money-words'))?.trim(), '= 9800万元')
  t.equal((await colleague.page.textContent('[data-field=rdExpense] .money-words'))?.trim(), '= 700万元', 'a unit typed after the figure counts')
  await colleague.page.fill('#declaration-form input[name=exportRevenue]', '1.2345678万')
  t.match(await colleague.page.textContent('[data-field=exportRevenue] .money-words'), '金额格式不正确', 'past the fen is refused at once')
  await colleague.page.fill('#declaration-form input[name=exportRevenue]', '0')
  await colleague.page.click('#declaration-form button[type=submit]')
  await colleague.page.waitForSelector('#declared-tier')
  const declared = await app.inject({ url: `/v1/enterprises/${firm.enterpriseId}/declarations/2024`, headers: auth(firm.token) })
  t.equal(declared.statusCode, 200, 'the colleague declared for the firm')
  t.equal(declared.json().operatingRevenue, '98000000.00', '9,800 万元 saved as 98,000,000.00 元, exactly')
  t.equal(declared.json().rdExpense, '7000000.00')
  t.equal(declared.json().softwareRevenue, '80000000.00')
  await colleague.context.close()
})

t.test('the owner forgets the password and resets it from the emailed link, which works once', async (t) => {
  const { context, page } = await newPage()
  await page.goto(`${base}/login`)
  await page.click('#forgot-link')
  await page.waitForSelector('#forgot-form')
  await page.fill('#forgot-form input[name=email]', firm.email)
  await page.click('#forgot-form button[type=submit]')
  await page.waitForSelector('#forgot-form ~ div .alert.success')
  await sendMail()
  const mail = smtp.to(firm.email).at(-1)!
  t.match(mail.subject, /密码/)
  const link = linkIn(mail)
  await page.goto(link)
  await page.waitForSelector('#reset-form')
  await page.fill('#reset-form input[name=newPassword]', NEW_PASSWORD)
  await page.fill('#reset-form input[name=repeat]', NEW_PASSWORD + 'x')
  await page.click('#reset-form button[type=submit]')
  await page.waitForSelector('[data-field=repeat] .field-error:not(:empty)')
  await page.fill('#reset-form input[name=repeat]', NEW_PASSWORD)
  await page.click('#reset-form button[type=submit]')
  await page.waitForURL(/\/login$/)
  await signIn(page, firm.email, NEW_PASSWORD)
  t.equal((await app.inject({ method: 'POST', url: '/v1/auth/login', payload: { email: firm.email, password: PASSWORD } })).statusCode, 401, 'the old password no longer works')

  const again = await newPage()
  await again.page.goto(link)
  await again.page.waitForSelector('#reset-form')
  await again.page.fill('#reset-form input[name=newPassword]', 'Another-Harbour-77-Gull')
  await again.page.fill('#reset-form input[name=repeat]', 'Another-Harbour-77-Gull')
  await again.page.click('#reset-form button[type=submit]')
  await again.page.waitForSelector('#reset-form .alert.error')
  t.ok(await login(app, firm.email, NEW_PASSWORD), 'a used link changes nothing')
  await again.context.close()
  await context.close()
})

t.test('at 390 px the pages do not scroll sideways', async (t) => {
  const { context, page } = await newPage({ width: 390 })
  await page.goto(`${base}/notices`)
  await fits(t, page, '/notices')
  await page.screenshot({ path: join(SHOTS, 'notices-390.png'), fullPage: true })
  await signIn(page, firm.email, NEW_PASSWORD)
  await page.waitForURL(/\/portal$/)
  await page.waitForSelector('.page-head')
  await fits(t, page, '/portal')
  await page.screenshot({ path: join(SHOTS, 'portal-390.png'), fullPage: true })
  await page.goto(`${base}/inbox`)
  await page.waitForSelector('#inbox-list')
  await fits(t, page, '/inbox')
  await page.goto(`${base}/account`)
  await page.waitForSelector('#password-form')
  await fits(t, page, '/account')
  await context.close()

  // The analyst's dashboard on a phone: charts drawn to the width of the screen.
  const admin = await adminToken(app)
  const created = await app.inject({ method: 'POST', url: '/v1/users', headers: auth(admin), payload: { email: 'analyst@people-e2e.test', name: '赵分析', role: 'analyst', password: PASSWORD } })
  t.equal(created.statusCode, 201)
  const phone = await newPage({ width: 390 })
  await signIn(phone.page, 'analyst@people-e2e.test', PASSWORD)
  await phone.page.goto(`${base}/dashboard?year=2025`)
  await phone.page.waitForSelector('#chart-tier canvas')
  await fits(t, phone.page, '/dashboard')
  t.equal((await phone.page.textContent('#inbox-link'))?.trim(), '消息', 'no unread count when nothing is unread (and never the word null)')
  const chartWidth = await phone.page.evaluate(() => document.querySelector('#chart-tier canvas')?.getBoundingClientRect().width ?? 0)
  t.ok(chartWidth > 250 && chartWidth <= 390, `the chart is as wide as the screen allows (${Math.round(chartWidth)} px)`)
  await phone.page.screenshot({ path: join(SHOTS, 'dashboard-390.png'), fullPage: true })
  await phone.context.close()
})

t.test('the screens ran under the CSP without errors', async (t) => {
  t.same(pageProblems, [])
})
