import t from 'tap'
import ExcelJS from 'exceljs'
import { adminToken, auth, buildTestApp, createStaff, registerFirm, type Firm } from './helper.ts'
import { declare, noLoadShedding, openCall } from './application-fixtures.ts'

// The meeting workbook: officers list a call's applications with firm, credit
// code, district, tier, total, grade, disagreement and rank, sorted by
// score, and export them as CSV or xlsx.

t.setTimeout(600_000)

t.test('the meeting list, sorted by score, ranked, exported', async (t) => {
  const app = await buildTestApp(t, noLoadShedding)
  const admin = await adminToken(app)
  const officer = await createStaff(app, 'officer')
  const reviewers = [await createStaff(app, 'reviewer'), await createStaff(app, 'reviewer')]
  const byId = new Map(reviewers.map(r => [r.id, r]))
  const call = await openCall(app, officer.token, { reviewersPerApplication: 1 })
  const names = ['甲一科技有限公司', '乙二软件有限公司', '丙三信息有限公司', '丁四数据有限公司']
  const firms: Array<Firm & { name: string, applicationId: string }> = []
  for (const name of names) {
    const firm = await registerFirm(app, { name })
    await declare(app, firm, 2025, { operatingRevenue: '50000000.00', rdExpense: '2500000.00' })
    const created = await app.inject({ method: 'POST', url: '/v1/applications', headers: auth(firm.token), payload: { callId: call.id } })
    t.equal((await app.inject({ method: 'POST', url: `/v1/applications/${created.json().id}/submit`, headers: auth(firm.token) })).statusCode, 200)
    firms.push({ ...firm, name, applicationId: created.json().id as string })
  }
  const plan = await app.inject({ method: 'POST', url: `/v1/calls/${call.id}/assign`, headers: auth(officer.token) })
  t.equal(plan.statusCode, 200, plan.body)
  // Judged scores: the first firm highest, the second and third equal, the fourth not yet scored.
  const judged = [{ ip_relevance: 8, strategic_industry: 10 }, { ip_relevance: 6, strategic_industry: 8 }, { ip_relevance: 6, strategic_industry: 8 }]
  for (const [i, scores] of judged.entries()) {
    const a = plan.json().assigned.find((x: any) => x.applicationId === firms[i].applicationId)
    const rv = byId.get(a.reviewerId)!
    t.equal((await app.inject({ method: 'PUT', url: `/v1/reviews/${a.reviewId}`, headers: { ...auth(rv.token), 'if-match': '1' }, payload: { scores } })).statusCode, 200)
    t.equal((await app.inject({ method: 'POST', url: `/v1/reviews/${a.reviewId}/submit`, headers: auth(rv.token) })).statusCode, 200)
  }

  const list = await app.inject({ url: `/v1/applications?callId=${call.id}&sort=-score`, headers: auth(officer.token) })
  t.equal(list.statusCode, 200, list.body)
  const items = list.json().items
  t.same(items.map((i: any) => i.firmName).slice(0, 1), [names[0]], 'highest total first')
  t.same(items.map((i: any) => i.firmName)[3], names[3], 'unscored last')
  t.same(items.map((i: any) => i.rank), [1, 2, 2, null], 'competition ranking; unscored unranked')
  const top = items[0]
  t.equal(top.uscc, firms[0].uscc)
  t.ok(typeof top.district === 'string' && top.district.length > 0)
  t.ok(typeof top.tier === 'string' && top.tier.length > 0)
  t.match(top.total, /^\d+\.\d\d$/)
  t.ok(Number(top.total) > Number(items[1].total))
  t.equal(items[1].total, items[2].total)
  t.ok(typeof top.grade === 'string')
  t.equal(top.disagreement, false)
  t.equal(items[3].total, null)
  t.equal(items[3].state, 'under_review')
  t.equal(top.operatingRevenue, '50000000.00')

  // Ascending, and paged by score: the pages join up to the whole list.
  const asc = (await app.inject({ url: `/v1/applications?callId=${call.id}&sort=score`, headers: auth(officer.token) })).json().items
  t.same(asc.map((i: any) => i.firmName)[2], names[0], 'lowest first, highest last among the scored')
  const p1 = (await app.inject({ url: `/v1/applications?callId=${call.id}&sort=-score&limit=2`, headers: auth(officer.token) })).json()
  t.equal(p1.items.length, 2)
  const p2 = (await app.inject({ url: `/v1/applications?callId=${call.id}&sort=-score&limit=2&cursor=${encodeURIComponent(p1.nextCursor)}`, headers: auth(officer.token) })).json()
  t.same([...p1.items, ...p2.items].map((i: any) => i.id), items.map((i: any) => i.id), 'score pages join up')
  t.equal(p2.nextCursor, null)
  const mixed = await app.inject({ url: `/v1/applications?callId=${call.id}&sort=-score&cursor=${encodeURIComponent(Buffer.from(JSON.stringify({ n: 0, s: '1; drop', id: firms[0].applicationId })).toString('base64url'))}`, headers: auth(officer.token) })
  t.equal(mixed.statusCode, 400, 'a forged cursor is 400')
  const stateOnly = (await app.inject({ url: `/v1/applications?callId=${call.id}&state=scored&sort=-score`, headers: auth(admin) })).json().items
  t.same(stateOnly.map((i: any) => i.rank), [1, 2, 2], 'admins too; rank stays the call\'s')

  // The firms' own list is as it was: no meeting fields, no score order, no export.
  const own = await app.inject({ url: '/v1/applications', headers: auth(firms[0].token) })
  t.equal(own.statusCode, 200)
  t.equal(own.json().items.length, 1)
  t.notOk('firmName' in own.json().items[0])
  t.equal((await app.inject({ url: '/v1/applications?sort=-score', headers: auth(firms[0].token) })).statusCode, 403)
  t.equal((await app.inject({ url: '/v1/applications?format=csv', headers: auth(firms[0].token) })).statusCode, 403)
  t.equal((await app.inject({ url: '/v1/applications?format=xlsx', headers: auth(reviewers[0].token) })).statusCode, 403)

  // CSV: Chinese headers, credit codes as text, labels beside codes.
  const csv = await app.inject({ url: `/v1/applications?callId=${call.id}&sort=-score&format=csv`, headers: auth(officer.token) })
  t.equal(csv.statusCode, 200)
  t.match(csv.headers['content-type'], /^text\/csv/)
  const lines = csv.body.replace(/^\uFEFF/, '').split('\r\n')
  t.match(lines[0], /^排名,企业名称,统一社会信用代码,所在区,所在区代码,规模等级,规模等级代码,项目,项目代码,状态,状态代码,总分/)
  t.match(lines[1], new RegExp(`^1,${names[0]},="${firms[0].uscc}",`))
  t.match(lines[1], /评审完成,scored,/)
  const byAccept = await app.inject({ url: `/v1/applications?callId=${call.id}`, headers: { ...auth(officer.token), accept: 'text/csv' } })
  t.match(byAccept.headers['content-type'], /^text\/csv/, 'Accept: text/csv')
  const english = await app.inject({ url: `/v1/applications?callId=${call.id}&format=csv`, headers: { ...auth(officer.token), 'accept-language': 'en' } })
  t.match(english.body.replace(/^\uFEFF/, ''), /^Rank,Firm,Credit code,/)

  // xlsx: one sheet per state; credit codes are text, totals and money numbers with two decimals.
  const xlsx = await app.inject({ url: `/v1/applications?callId=${call.id}&sort=-score&format=xlsx`, headers: auth(officer.token) })
  t.equal(xlsx.statusCode, 200)
  t.equal(xlsx.headers['content-type'], 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
  const wb = new ExcelJS.Workbook()
  await wb.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer)
  t.same(wb.worksheets.map(w => w.name), ['评审中', '评审完成'], 'one sheet per state, in the state machine\'s order')
  const scored = wb.getWorksheet('评审完成')!
  t.equal(scored.rowCount, 4, 'header and the three scored')
  const header = (scored.getRow(1).values as unknown[]).slice(1)
  t.equal(header[0], '排名')
  t.equal(header[2], '统一社会信用代码')
  const col = (name: string) => header.indexOf(name) + 1
  const first = scored.getRow(2)
  t.equal(first.getCell(col('企业名称')).value, names[0])
  t.equal(first.getCell(col('统一社会信用代码')).value, firms[0].uscc, 'the credit code as text')
  t.equal(first.getCell(col('统一社会信用代码')).numFmt, '@')
  t.equal(first.getCell(col('总分')).value, Number(top.total), 'the total as a number')
  t.equal(first.getCell(col('营业收入（元）')).value, 50000000)
  t.equal(first.getCell(col('营业收入（元）')).numFmt, '#,##0.00')
  t.equal(first.getCell(col('排名')).value, 1)
  const filtered = await app.inject({ url: `/v1/applications?callId=${call.id}&state=under_review`, headers: { ...auth(officer.token), accept: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' } })
  const wb2 = new ExcelJS.Workbook()
  await wb2.xlsx.load(filtered.rawPayload as unknown as ArrayBuffer)
  t.same(wb2.worksheets.map(w => w.name), ['评审中'], 'the state filter: one sheet')
  t.equal(wb2.worksheets[0].rowCount, 2)
})
