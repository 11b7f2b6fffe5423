import t from 'tap'
import { eq } from 'drizzle-orm'
import { noticeObjections, policySettings, publicNotices } from '../db/schema/index.ts'
import { buildTestApp } from './helper.ts'
import { admittedFirm } from './people-fixtures.ts'

// The public notice page: HTML without JavaScript, an objection form per notice, a receipt page.
const app = await buildTestApp(t)
const { firm, noticeId } = await admittedFirm(app)
const [notice] = await app.db.select().from(publicNotices).where(eq(publicNotices.id, noticeId))

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString()
// Each post from its own client address unless told (the page allows a few objections per client).
let client = 0
const post = async (id: string, fields: Record<string, string>, lang = 'zh', remoteAddress = `198.51.100.${++client}`) =>
  await app.inject({
    method: 'POST', url: `/notices/${id}/objections?lang=${lang}`, payload: form(fields), remoteAddress,
    headers: { 'content-type': 'application/x-www-form-urlencoded' }
  })

t.test('GET /notices lists the admissions under notice, the issuing body and a form each, in Chinese by default', async (t) => {
  const res = await app.inject({ url: '/notices' })
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-type'], /^text\/html/)
  t.equal(res.headers['cache-control'], 'no-store')
  t.match(res.body, '<html lang="zh-CN">')
  t.match(res.body, '重点企业培育库入库公示')
  t.match(res.body, '大连市工业和信息化局', 'the issuing body (policy notice_issuing_body)')
  t.match(res.body, '软件和信息服务业处 · 0411-83630000 · peiyu@example.gov.cn', 'and its contact (policy notice_contact)')
  t.match(res.body, firm.uscc, 'the firm\'s credit code')
  t.match(res.body, `data-notice="${noticeId}"`)
  t.match(res.body, `action="/notices/${noticeId}/objections?lang=zh"`, 'an objection form that posts without JavaScript')
  t.notMatch(res.body, /<script/i, 'no script needed')
  t.notMatch(res.body, /operatingRevenue|营业收入/, 'never a figure')
  const en = await app.inject({ url: '/notices', headers: { 'accept-language': 'en-GB,en;q=0.9' } })
  t.match(en.body, 'Cultivation pool admissions under public notice')
  t.match(en.body, 'Dalian Municipal Bureau of Industry and Information Technology')
  t.match((await app.inject({ url: '/notices?lang=en' })).body, '<html lang="en">')
})

t.test('the issuer comes from policy data', async (t) => {
  const set = async (key: string, value: unknown) => await app.db.update(policySettings).set({ value }).where(eq(policySettings.key, key))
  const [body] = await app.db.select().from(policySettings).where(eq(policySettings.key, 'notice_issuing_body'))
  const [contact] = await app.db.select().from(policySettings).where(eq(policySettings.key, 'notice_contact'))
  await set('notice_issuing_body', { zh: '大连市软件产业管理办公室' })
  await set('notice_contact', { zh: '公示受理窗口', phone: '0411-0000 0000', address: '大连市西岗区' })
  const res = await app.inject({ url: '/notices' })
  t.match(res.body, '大连市软件产业管理办公室')
  t.match(res.body, '公示受理窗口 · 0411-0000 0000 · 大连市西岗区')
  t.match((await app.inject({ url: '/notices?lang=en' })).body, 'Dalian Municipal Bureau of Industry and Information Technology', 'a field it does not set keeps its default')
  await set('notice_issuing_body', body.value)
  await set('notice_contact', contact.value)
})

t.test('an objection from the form: a receipt page with its reference, stored once, escaped', async (t) => {
  const res = await post(noticeId, { reason: '该企业<script>alert(1)</script>研发费用与实际不符', contact: '张先生 13800000000', email: '' })
  t.equal(res.statusCode, 201)
  t.match(res.body, '异议已收到')
  const reference = /id="receipt-reference">([^<]+)</.exec(res.body)?.[1]
  t.match(reference, /^YY-[2-9A-HJ-NP-Z]{10}$/)
  const rows = await app.db.select().from(noticeObjections).where(eq(noticeObjections.noticeId, noticeId))
  t.equal(rows.length, 1)
  t.equal(rows[0].reference, reference)
  t.equal(rows[0].reason, '该企业<script>alert(1)</script>研发费用与实际不符', 'stored as typed')
  t.equal(rows[0].email, null)
  const list = await app.inject({ url: '/notices' })
  t.notMatch(list.body, '<script>alert(1)</script>', 'what people type is never markup')
  const withMail = await post(noticeId, { reason: '异议', contact: '李女士', email: 'li@example.cn' }, 'en')
  t.equal(withMail.statusCode, 201)
  t.match(withMail.body, 'The receipt was also sent to your email.')
})

t.test('a form with problems comes back with every problem marked and what was typed kept', async (t) => {
  const res = await post(noticeId, { reason: '   ', contact: '', email: 'not-an-email' })
  t.equal(res.statusCode, 400)
  t.match(res.body, '请修改以下内容后重新提交')
  t.match(res.body, '异议事由:必填')
  t.match(res.body, '联系方式(姓名、电话或邮箱):必填')
  t.match(res.body, '邮箱格式不正确')
  t.equal((res.body.match(/aria-invalid="true"/g) ?? []).length, 3, 'three fields marked at once')
  t.match(res.body, 'value="not-an-email"')
  const long = await post(noticeId, { reason: 'x'.repeat(4001), contact: '王' })
  t.equal(long.statusCode, 400)
  t.match(long.body, '内容过长')
})

t.test('a notice that is missing or over: a page saying so, nothing stored', async (t) => {
  const before = (await app.db.select().from(noticeObjections)).length
  const missing = await post('00000000-0000-4000-8000-000000000000', { reason: '异议', contact: '王' })
  t.equal(missing.statusCode, 404)
  t.match(missing.body, '该公示不存在或已结束')
  const junk = await post('not-a-uuid', { reason: '异议', contact: '王' })
  t.equal(junk.statusCode, 404)
  await app.db.update(publicNotices).set({ endsAt: new Date(Date.now() - 1000), startsAt: new Date(notice.startsAt.getTime() - 30 * 86_400_000) })
    .where(eq(publicNotices.id, noticeId))
  const over = await post(noticeId, { reason: '异议', contact: '王' })
  t.equal(over.statusCode, 404)
  t.equal((await app.db.select().from(noticeObjections)).length, before)
  const list = await app.inject({ url: '/notices' })
  t.match(list.body, '目前没有正在公示的企业')
  t.match(list.body, '公示期满', 'the ended notice is listed among the recent ones')
  t.match(list.body, firm.uscc)
})

t.test('the form post is rate limited per client, with a page', async (t) => {
  const statuses: number[] = []
  for (let i = 0; i < 5; i++) statuses.push((await post(noticeId, { reason: '异议', contact: '王' }, 'zh', '203.0.113.9')).statusCode)
  const limited = await post(noticeId, { reason: '异议', contact: '王' }, 'zh', '203.0.113.9')
  t.equal(limited.statusCode, 429, `after ${statuses.join(',')}`)
  t.match(limited.headers['content-type'], /^text\/html/)
  t.match(limited.body, '提交过于频繁')
})
