// End-to-end, in a real browser: a firm registers through the form, signs in
// at once, sees on its account page that its address is not confirmed yet,
// opens the emailed confirmation link, confirms with one click, and a second
// use of the link is refused in Chinese. A form with a server-written field
// message (a founding date in the future) shows it in Chinese.
import t from 'tap'
import { desc, eq } from 'drizzle-orm'
import { outboxMessages } from '../../db/schema/index.ts'
import { launchBrowser, listen, signIn } from './browser.ts'
import { buildTestApp, testConfig, PASSWORD, uscc } from '../helper.ts'

const app = await buildTestApp(t, { overload: { ...testConfig().overload, maxEventLoopDelayMs: 0, dbHealthIntervalMs: 0 } })
const base = await listen(app)
const { newPage, problems } = await launchBrowser(t)

t.test('the confirmation link, from registration to a second use', async (t) => {
  const email = 'confirm-e2e@example.test'
  const reg = await app.inject({
    method: 'POST', url: '/v1/auth/register',
    payload: { uscc: uscc(6601), name: '确认测试软件有限公司', email, password: PASSWORD, districtCode: '210202', domains: ['ai'], foundedOn: '2016-01-01' }
  })
  t.equal(reg.statusCode, 201)
  const { page } = await newPage()
  await signIn(page, base, email, PASSWORD)
  await page.goto(base + '/account')
  t.match(await page.textContent('.alert.warn'), /邮箱尚未确认/, 'the account page says the address is not confirmed')

  const [mail] = await app.db.select().from(outboxMessages).where(eq(outboxMessages.toAddress, email)).orderBy(desc(outboxMessages.createdAt)).limit(1)
  const link = /\{\{APP_URL\}\}(\/#\/confirm\?token=[A-Za-z0-9_-]+)/.exec(mail.bodyText)
  t.ok(link != null, 'the email carries the link')
  await page.goto(base + link![1])
  await page.waitForSelector('#confirm-form')
  t.equal(new URL(page.url()).hash, '', 'the token leaves the address bar')
  await page.click('#confirm-form button[type=submit]')
  await page.waitForSelector('.alert.success')
  t.match(await page.textContent('.alert.success'), new RegExp(`邮箱 ${email} 已确认`))

  await page.goto(base + link![1])
  await page.click('#confirm-form button[type=submit]')
  await page.waitForSelector('#confirm-form .alert.error')
  t.match(await page.textContent('#confirm-form .alert.error'), /该链接无效/, 'a second use is refused, in words')
  t.same(problems, [], 'no page errors or CSP refusals')
})

t.test('a field message the service writes comes in Chinese beside the field', async (t) => {
  const { page } = await newPage()
  await page.goto(base + '/register')
  await page.fill('#register-form input[name=uscc]', uscc(6602))
  await page.fill('#register-form input[name=name]', '未来日期测试有限公司')
  await page.fill('#register-form input[name=email]', 'future-e2e@example.test')
  await page.fill('#register-form input[name=password]', PASSWORD)
  await page.fill('#register-form input[name=foundedOn]', '2999-01-01')
  await page.selectOption('#register-form select[name=districtCode]', '210202')
  await page.check('#register-form input[name=domains][value=ai]')
  await page.click('#register-form button[type=submit]')
  await page.waitForSelector('#register-form .field-error:not(:empty)')
  const errorsShown = await page.$$eval('#register-form .field-error', els => els.map(e => e.textContent ?? '').filter(s => s !== ''))
  t.ok(errorsShown.includes('不能晚于今天'), `in Chinese: ${JSON.stringify(errorsShown)}`)
  t.same(problems, [])
})
