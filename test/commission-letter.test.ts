import t from 'tap'
import { spawnSync } from 'node:child_process'
import { eq } from 'drizzle-orm'
import { policySettings } from '../db/schema/index.ts'
import { chineseDate } from '../server/services/letters.ts'
import { auth, buildTestApp, createStaff, registerFirm } from './helper.ts'
import { declare, noLoadShedding, openCall } from './application-fixtures.ts'

// Decision letters: a Chinese PDF for the owner and officers once decided; 409 before.

t.setTimeout(600_000)

const hasPdftotext = spawnSync('pdftotext', ['-v']).error == null
const pdfText = (pdf: Buffer): string => spawnSync('pdftotext', ['-enc', 'UTF-8', '-', '-'], { input: pdf }).stdout.toString('utf8').replace(/\s+/g, '')

t.test('chineseDate is the date in Beijing', async (t) => {
  t.equal(chineseDate(new Date('2026-03-05T17:00:00Z')), '2026年3月6日', 'past 16:00 UTC it is the next day in Beijing')
  t.equal(chineseDate(new Date('2026-12-31T15:59:59Z')), '2026年12月31日')
})

t.test('GET /v1/applications/:id/letter', async (t) => {
  const app = await buildTestApp(t, noLoadShedding)
  const officer = await createStaff(app, 'officer')
  const admin = await createStaff(app, 'admin')
  const reviewer = await createStaff(app, 'reviewer')
  const firm = await registerFirm(app, { name: '大连己信息技术有限公司' })
  const other = await registerFirm(app)
  await declare(app, firm, 2025, { operatingRevenue: '50000000.00', rdExpense: '2500000.00' })
  const call = await openCall(app, officer.token, { reviewersPerApplication: 1, title: '2025年度创新型企业成长计划' })
  const appId = (await app.inject({ method: 'POST', url: '/v1/applications', headers: auth(firm.token), payload: { callId: call.id } })).json().id
  const letter = async (token: string) => await app.inject({ url: `/v1/applications/${appId}/letter`, headers: auth(token) })

  const draft = await letter(firm.token)
  t.equal(draft.statusCode, 409, 'before a decision')
  t.equal(draft.json().code, 'INVALID_STATE')
  t.equal((await app.inject({ method: 'POST', url: `/v1/applications/${appId}/submit`, headers: auth(firm.token) })).statusCode, 200)
  const plan = (await app.inject({ method: 'POST', url: `/v1/calls/${call.id}/assign`, headers: auth(officer.token) })).json()
  const reviewId = plan.assigned[0].reviewId
  t.equal((await app.inject({ method: 'PUT', url: `/v1/reviews/${reviewId}`, headers: { ...auth(reviewer.token), 'if-match': '1' }, payload: { scores: { ip_relevance: 8, strategic_industry: 10 } } })).statusCode, 200)
  t.equal((await app.inject({ method: 'POST', url: `/v1/reviews/${reviewId}/submit`, headers: auth(reviewer.token) })).statusCode, 200)
  const scored = await letter(officer.token)
  t.equal(scored.statusCode, 409, 'scored is not decided')
  t.equal(scored.json().code, 'INVALID_STATE')

  const decided = await app.inject({ method: 'POST', url: `/v1/applications/${appId}/decision`, headers: auth(officer.token), payload: { decision: 'reject', reason: '本批次名额有限，择优入库' } })
  t.equal(decided.statusCode, 200, decided.body)
  const decidedAt = new Date((await app.inject({ url: `/v1/applications/${appId}`, headers: auth(officer.token) })).json().decidedAt)
  await app.db.update(policySettings).set({ value: '大连市工业和信息化局' }).where(eq(policySettings.key, 'letter_issuing_body'))

  const res = await letter(firm.token)
  t.equal(res.statusCode, 200, res.body.slice(0, 200))
  t.equal(res.headers['content-type'], 'application/pdf')
  t.match(res.headers['content-disposition'], /^attachment; filename="letter-[0-9a-f-]+\.pdf"/)
  const pdf = res.rawPayload
  t.equal(pdf.subarray(0, 5).toString('latin1'), '%PDF-', 'a PDF')
  t.equal((await letter(officer.token)).statusCode, 200, 'officers too')
  if (!hasPdftotext) {
    t.comment('pdftotext is not installed: the text of the letter is not checked')
  } else {
    const text = pdfText(pdf)
    for (const s of ['申报评审结果通知书', '大连己信息技术有限公司', firm.uscc, '2025年度创新型企业成长计划', '创新型企业成长计划', '不予入库', '本批次名额有限，择优入库', '大连市工业和信息化局', chineseDate(decidedAt)]) {
      t.ok(text.includes(s.replace(/\s+/g, '')), `the letter reads ${s}`)
    }
    t.notOk(text.includes('予以入库。'), 'not the admission\'s wording')
  }

  // Nobody else.
  t.equal((await letter(other.token)).statusCode, 404)
  t.equal((await letter(reviewer.token)).statusCode, 403)
  t.equal((await letter(admin.token)).statusCode, 403)
  t.equal((await app.inject({ url: `/v1/applications/${appId}/letter` })).statusCode, 401)
  t.equal((await app.inject({ url: '/v1/applications/00000000-0000-4000-8000-000000000000/letter', headers: auth(officer.token) })).statusCode, 404)
})
