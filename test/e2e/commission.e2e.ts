// End-to-end, in a real browser: the commission's year. A reviewer's
// workbench lists names and due dates from the paged list; an officer
// reassigns an overdue review, reads the meeting list sorted by score,
// downloads the workbook, sends a batch of decisions (refused beyond the
// quota, then accepted) and reads an application's history; the firm runs
// the self-check before submitting and downloads its decision letter.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { eq } from 'drizzle-orm'
import type { Page } from 'playwright-core'
import { launchBrowser, listen, signIn as signInAt } from './browser.ts'
import type { FastifyInstance } from 'fastify'
import { applications, calls, reviews } from '../../db/schema/index.ts'
import { buildTestApp, testConfig, createStaff, registerFirm, auth, PASSWORD, type Firm } from '../helper.ts'
import { declare, openCall } from '../application-fixtures.ts'

const app: FastifyInstance = await buildTestApp(t, { overload: { ...testConfig().overload, maxEventLoopDelayMs: 0, dbHealthIntervalMs: 0 } })
const base = await listen(app)

const { newPage: openPage, problems: pageProblems } = await launchBrowser(t)

const newPage = async () => await openPage({ height: 900 })
const signIn = async (page: Page, email: string): Promise<void> => { await signInAt(page, base, email, PASSWORD) }

// The year: three reviewers, a call with a quota of one, three firms.
const officer = await createStaff(app, 'officer', { name: '李经办' })
const reviewers = [await createStaff(app, 'reviewer', { name: '赵专家' }), await createStaff(app, 'reviewer', { name: '钱专家' }), await createStaff(app, 'reviewer', { name: '孙专家' })]
const byId = new Map(reviewers.map(r => [r.id, r]))
const call = await openCall(app, officer.token, { reviewersPerApplication: 1, quota: 1, title: '2025年度成长计划', reviewDueAt: new Date(Date.now() + 3 * 86400_000).toISOString() })
const names = ['大连甲软件有限公司', '大连乙信息技术有限公司', '大连丙数据科技有限公司']
const firms: Array<Firm & { name: string, applicationId: string }> = []
for (const name of names) {
  const firm = await registerFirm(app, { name })
  await declare(app, firm, 2025, { operatingRevenue: '50000000.00', rdExpense: '2500000.00' })
  const created = await app.inject({ method: 'POST', url: '/v1/applications', headers: auth(firm.token), payload: { callId: call.id } })
  await app.inject({ method: 'POST', url: `/v1/applications/${created.json().id}/submit`, headers: auth(firm.token) })
  firms.push({ ...firm, name, applicationId: created.json().id })
}
const plan = (await app.inject({ method: 'POST', url: `/v1/calls/${call.id}/assign`, headers: auth(officer.token) })).json()
const assignmentOf = (appId: string) => plan.assigned.find((a: any) => a.applicationId === appId)
// The first two are scored (the first higher); the third's reviewer never submits.
for (const [i, scores] of [{ ip_relevance: 8, strategic_industry: 10 }, { ip_relevance: 5, strategic_industry: 6 }].entries()) {
  const a = assignmentOf(firms[i].applicationId)
  const token = byId.get(a.reviewerId)!.token
  await app.inject({ method: 'PUT', url: `/v1/reviews/${a.reviewId}`, headers: { ...auth(token), 'if-match': '1' }, payload: { scores } })
  await app.inject({ method: 'POST', url: `/v1/reviews/${a.reviewId}/submit`, headers: auth(token) })
}
const late = assignmentOf(firms[2].applicationId)

t.test('the reviewer\'s workbench: names and due dates from the list, no request per review', async (t) => {
  const { context, page } = await newPage()
  const perReview: string[] = []
  page.on('request', (r) => { if (/\/v1\/reviews\/[0-9a-f-]{36}$/.test(new URL(r.url()).pathname)) perReview.push(r.url()) })
  await signIn(page, byId.get(late.reviewerId)!.email)
  await page.goto(base + '/reviews')
  await page.waitForSelector('#review-list table')
  const text = await page.textContent('#review-list')
  t.match(text, names[2], 'the firm\'s name')
  t.match(text, '2025年度成长计划', 'the call')
  t.equal(perReview.length, 0, 'no per-review fetch')
  // The scoring form tells the reviewer what to look for, in Chinese (评审要点).
  await page.goto(`${base}/reviews/${late.reviewId}`)
  await page.waitForSelector('.score-row .hint')
  const hints = await page.$$eval('.score-row .hint', els => els.map(e => e.textContent ?? ''))
  t.ok(hints.length >= 2 && hints.every(h => /[\u4e00-\u9fff]/.test(h)), `guidance in Chinese: ${hints.join(' | ')}`)
  t.match(hints.join(' '), '知识产权是否支撑企业主导产品')
  await context.close()
})

t.test('the officer reassigns an overdue review, decides in a batch within the quota and reads the history', async (t) => {
  await app.db.update(calls).set({ reviewDueAt: new Date(Date.now() - 3600_000) }).where(eq(calls.id, call.id))
  const { context, page } = await newPage()
  await signIn(page, officer.email)
  await page.goto(`${base}/officer/calls/${call.id}`)
  await page.waitForSelector('#meeting-list table')
  // Sorted by score: the first firm ranks first.
  const firstRow = await page.textContent('#meeting-list tbody tr:first-child')
  t.match(firstRow, names[0])
  t.match(firstRow, /^1/)
  // The workbook downloads as xlsx.
  const [xlsx] = await Promise.all([page.waitForEvent('download'), page.click('#meeting-xlsx')])
  t.equal(readFileSync((await xlsx.path())!).subarray(0, 2).toString('latin1'), 'PK', 'an xlsx (zip) workbook')

  // Reassign the overdue review.
  await page.waitForSelector('#overdue-reviews')
  await page.click(`#overdue-reviews button[data-reassign="${late.reviewId}"]`)
  await page.fill(`#overdue-reviews [data-review="${late.reviewId}"] input[name=reason]`, '逾期未评')
  await page.click(`#overdue-reviews button[data-reassign-confirm="${late.reviewId}"]`)
  await page.waitForSelector('#meeting-list table')
  // The replacement is due at the same (past) date: it is listed overdue in the old one's place.
  await page.waitForFunction((id) => document.querySelector(`[data-reassign="${id}"]`) == null, late.reviewId)
  const [old] = await app.db.select().from(reviews).where(eq(reviews.id, late.reviewId))
  t.same([old.state, old.reassignReason], ['reassigned', '逾期未评'])

  // Admit both scored applications: beyond the quota of one, refused, nothing changes.
  for (const f of firms.slice(0, 2)) await page.selectOption(`select[name="decision-${f.applicationId}"]`, 'admit')
  await page.fill(`input[name="reason-${firms[1].applicationId}"]`, '产业链关键环节')
  await page.click('#batch-send')
  t.match(await page.textContent('#batch-confirm-text'), /2 份申报:同意入库 2 份,不予入库 0 份/, 'the confirmation repeats the counts')
  await page.click('#batch-confirm')
  await page.waitForSelector('#batch-status .alert.error')
  t.match(await page.textContent('#batch-status'), '超出本批次入库名额')
  const states = async () => (await Promise.all(firms.slice(0, 2).map(async f => (await app.db.select().from(applications).where(eq(applications.id,
    f.applicationId)))[0].state)))
  t.same(await states(), ['scored', 'scored'], 'nothing changed')
  // Admit the first, reject the second.
  await page.selectOption(`select[name="decision-${firms[1].applicationId}"]`, 'reject')
  await page.fill(`input[name="reason-${firms[1].applicationId}"]`, '名额有限')
  await page.fill(`input[name="reason-${firms[0].applicationId}"]`, '综合得分最高')
  await page.click('#batch-send')
  t.match(await page.textContent('#batch-confirm-text'), /同意入库 1 份,不予入库 1 份/)
  await page.click('#batch-confirm')
  await page.waitForFunction(() => document.querySelector('#batch-confirm') == null)
  await page.waitForSelector('#meeting-list table')
  t.same(await states(), ['admitted', 'rejected'], await page.textContent('#batch-status') ?? '')

  // The history of the rejected application.
  await page.goto(`${base}/officer/applications/${firms[1].applicationId}`)
  await page.waitForSelector('#application-history table')
  const history = await page.textContent('#application-history')
  t.match(history, 'application.reject')
  t.match(history, '名额有限')
  await context.close()
})

t.test('the firm checks before submitting, confirms, and downloads its letter', async (t) => {
  const { context, page } = await newPage()
  await signIn(page, firms[1].email)
  // The decided application: the letter.
  await page.goto(`${base}/portal/applications/${firms[1].applicationId}`)
  await page.waitForSelector('#download-letter')
  const [pdf] = await Promise.all([page.waitForEvent('download'), page.click('#download-letter')])
  t.equal(readFileSync((await pdf.path())!).subarray(0, 5).toString('latin1'), '%PDF-', 'the decision letter')

  // A new call with a required document: the self-check lists it; submit asks first.
  const second = await openCall(app, officer.token, { program: 'startup', requiredDocuments: [{ key: 'licence', nameZh: '营业执照', nameEn: 'Business licence' }] })
  const draft = (await app.inject({ method: 'POST', url: '/v1/applications', headers: auth(firms[1].token), payload: { callId: second.id } })).json()
  await page.goto(`${base}/portal/applications/${draft.id}`)
  await page.click('#run-self-check')
  await page.waitForSelector('#missing-documents')
  t.match(await page.textContent('#missing-documents'), '营业执照')
  await page.click('#submit-application')
  await page.waitForSelector('#submit-confirmed')
  await page.click('#submit-confirmed')
  await page.waitForSelector('#application-form .alert, #application-form [role=alert]')
  const [still] = await app.db.select().from(applications).where(eq(applications.id, draft.id))
  t.equal(still.state, 'draft', 'MISSING_DOCUMENTS: not submitted')
  // Withdraw asks first.
  await page.click('#withdraw')
  await page.click('#withdraw-confirmed')
  await page.waitForFunction(() => document.querySelector('#withdraw') == null)
  const [gone] = await app.db.select().from(applications).where(eq(applications.id, draft.id))
  t.equal(gone.state, 'withdrawn')
  await context.close()
})

t.test('no page errors', async (t) => {
  t.same(pageProblems, [])
})
