import t from 'tap'
import { eq, sql } from 'drizzle-orm'
import ExcelJS from 'exceljs'
import { queryRows } from '../db/client.ts'
import { fundAwards, fundPayments, poolMemberships } from '../db/schema/index.ts'
import { buildTestApp, registerFirm, createStaff, auth, type Firm } from './helper.ts'
import { noLoadShedding } from './application-fixtures.ts'
import { localDay } from '../server/domain/award-state.ts'

// Support funds: budgets, awards to active members, payments, cancellation,
// the firm's own view and the exports; the budget is exact under concurrent awards.

t.setTimeout(600_000)

type App = Awaited<ReturnType<typeof buildTestApp>>
// One app for the file (each build migrates a fresh database); every test makes its own firms and funds.
let app: App
t.before(async () => { app = await buildTestApp(t, noLoadShedding) })

async function member (app: App, program = 'innovative_growth', status = 'active'): Promise<Firm> {
  const firm = await registerFirm(app)
  await app.db.insert(poolMemberships).values({
    enterpriseId: firm.enterpriseId, programCode: program, tierAtAdmission: 'hundred_million', currentTier: 'hundred_million', admittedOn: '2025-06-01', status
  })
  return firm
}

async function fund (app: App, token: string, budget = '1000000.00', program = 'innovative_growth'): Promise<string> {
  const res = await app.inject({ method: 'POST', url: '/v1/funds', headers: auth(token), payload: { year: 2026, program, name: `扶持资金 ${Math.random()}`, budget } })
  if (res.statusCode !== 201) throw new Error(`fund: ${res.statusCode} ${res.body}`)
  return res.json().id
}

const award = async (app: App, token: string, fundId: string, enterpriseId: string, amount: string) =>
  await app.inject({ method: 'POST', url: `/v1/funds/${fundId}/awards`, headers: auth(token), payload: { enterpriseId, amount, purpose: '研发投入补助' } })

t.test('a fund of 1,000,000.00 takes 600,000.00 and 400,000.00 and refuses 0.01 more', async (t) => {
  const officer = await createStaff(app, 'officer')
  const [a, b, c] = [await member(app), await member(app), await member(app)]
  const fundId = await fund(app, officer.token)

  const first = await award(app, officer.token, fundId, a.enterpriseId, '600000.00')
  t.equal(first.statusCode, 201, first.body)
  t.match(first.json(), { fundId, enterpriseId: a.enterpriseId, amount: '600000.00', paid: '0.00', unpaid: '600000.00', state: 'awarded', payments: [] })
  t.equal((await award(app, officer.token, fundId, b.enterpriseId, '400000.00')).statusCode, 201)
  const over = await award(app, officer.token, fundId, c.enterpriseId, '0.01')
  t.equal(over.statusCode, 409)
  t.equal(over.json().code, 'BUDGET_EXCEEDED')
  t.same(over.json().details, { budget: '1000000.00', committed: '1000000.00', requested: '0.01', available: '0.00' })

  const list = await app.inject({ url: '/v1/funds?year=2026', headers: auth(officer.token) })
  t.equal(list.statusCode, 200)
  t.match(list.json().items[0], { id: fundId, budget: '1000000.00', awarded: '1000000.00', paid: '0.00', available: '0.00', awards: 2 })
  const rows = await app.db.select().from(fundAwards).where(eq(fundAwards.fundId, fundId))
  t.equal(rows.length, 2, 'the refused award wrote nothing')
  const audit = await queryRows<{ n: number }>(app.db, sql`select count(*)::int as n from audit_log where action = 'award.create'`)
  t.equal(audit[0].n, 2, 'each award audited')
})

t.test('the last two awards of a budget sent at the same moment: exactly one fits', async (t) => {
  const officer = await createStaff(app, 'officer')
  const firms = [await member(app), await member(app), await member(app)]
  for (let round = 0; round < 3; round++) {
    const fundId = await fund(app, officer.token)
    t.equal((await award(app, officer.token, fundId, firms[0].enterpriseId, '600000.00')).statusCode, 201)
    const [x, y] = await Promise.all([
      award(app, officer.token, fundId, firms[1].enterpriseId, '400000.00'),
      award(app, officer.token, fundId, firms[2].enterpriseId, '400000.00')
    ])
    t.same([x.statusCode, y.statusCode].sort(), [201, 409], `round ${round}: one award passes, one is refused`)
    const [{ total }] = await queryRows<{ total: string }>(app.db, sql`select sum(amount)::text as total from fund_awards where fund_id = ${fundId}`)
    t.equal(total, '1000000.00', 'the awards add up to the budget, never more')
  }
})

t.test('600,000.00 and 400,000.00 sent at the same moment both fit; 0.01 more does not, alone or racing the last award', async (t) => {
  const officer = await createStaff(app, 'officer')
  const firms = [await member(app), await member(app), await member(app)]
  const fundId = await fund(app, officer.token)
  const [x, y] = await Promise.all([
    award(app, officer.token, fundId, firms[0].enterpriseId, '600000.00'),
    award(app, officer.token, fundId, firms[1].enterpriseId, '400000.00')
  ])
  t.same([x.statusCode, y.statusCode], [201, 201], 'both fit the budget')
  const more = await award(app, officer.token, fundId, firms[2].enterpriseId, '0.01')
  t.equal(more.json().code, 'BUDGET_EXCEEDED')

  const second = await fund(app, officer.token)
  t.equal((await award(app, officer.token, second, firms[0].enterpriseId, '600000.00')).statusCode, 201)
  const race = await Promise.all([
    award(app, officer.token, second, firms[1].enterpriseId, '400000.00'),
    award(app, officer.token, second, firms[2].enterpriseId, '0.01')
  ])
  const codes = race.map(r => r.statusCode)
  t.equal(codes.filter(c => c === 201).length, 1, 'exactly one of the two fits')
  t.ok(race.every(r => r.statusCode === 201 || r.json().code === 'BUDGET_EXCEEDED'), 'the other is BUDGET_EXCEEDED')
  const [{ total }] = await queryRows<{ total: string }>(app.db, sql`select sum(amount)::text as total from fund_awards where fund_id = ${second}`)
  t.ok(['1000000.00', '600000.01'].includes(total), `the awards never pass the budget (${total})`)
})

t.test('only an active (or warned) member of the fund\'s program gets an award', async (t) => {
  const officer = await createStaff(app, 'officer')
  const fundId = await fund(app, officer.token)
  const outsider = await registerFirm(app)
  const otherProgram = await member(app, 'startup')
  const exited = await member(app, 'innovative_growth', 'exited')
  const warned = await member(app, 'innovative_growth', 'warned')
  for (const [name, firm] of [['outside the pool', outsider], ['another program', otherProgram], ['exited', exited]] as const) {
    const res = await award(app, officer.token, fundId, firm.enterpriseId, '1000.00')
    t.equal(res.statusCode, 409, name)
    t.equal(res.json().code, 'NOT_A_MEMBER', name)
  }
  t.equal((await award(app, officer.token, fundId, warned.enterpriseId, '1000.00')).statusCode, 201, 'a warned member is still in the pool')
  const missing = await app.inject({ method: 'POST', url: '/v1/funds/00000000-0000-4000-8000-000000000000/awards', headers: auth(officer.token), payload: { enterpriseId: warned.enterpriseId, amount: '1.00', purpose: 'x' } })
  t.equal(missing.statusCode, 404)
  const zero = await award(app, officer.token, fundId, warned.enterpriseId, '0.00')
  t.equal(zero.statusCode, 400)
  const float = await award(app, officer.token, fundId, warned.enterpriseId, '1.005')
  t.equal(float.statusCode, 400, 'at most two decimals')
})

t.test('payments: never more than the award; paid in full ends it; cancel only before payment', async (t) => {
  const officer = await createStaff(app, 'officer')
  const firm = await member(app)
  const fundId = await fund(app, officer.token)
  const a = (await award(app, officer.token, fundId, firm.enterpriseId, '300000.00')).json()
  const pay = async (amount: string, paidOn = localDay(new Date())) =>
    await app.inject({ method: 'POST', url: `/v1/awards/${a.id}/payments`, headers: auth(officer.token), payload: { amount, paidOn } })

  const tooMuch = await pay('300000.01')
  t.equal(tooMuch.statusCode, 409)
  t.equal(tooMuch.json().code, 'PAYMENT_EXCEEDS_AWARD')
  t.equal((await pay('100000.00', '2099-01-01')).statusCode, 400, 'a payment date in the future is refused')
  const part = await pay('100000.00')
  t.equal(part.statusCode, 201, part.body)
  t.match(part.json(), { state: 'partly_paid', paid: '100000.00', unpaid: '200000.00' })
  t.equal(part.json().payments.length, 1)
  const cancel = await app.inject({ method: 'POST', url: `/v1/awards/${a.id}/cancel`, headers: auth(officer.token), payload: { reason: '企业迁出' } })
  t.equal(cancel.statusCode, 409, 'a partly paid award cannot be cancelled')
  t.equal(cancel.json().code, 'INVALID_STATE')
  t.equal((await pay('200000.01')).json().code, 'PAYMENT_EXCEEDS_AWARD')
  const rest = await pay('200000.00')
  t.match(rest.json(), { state: 'paid', paid: '300000.00', unpaid: '0.00' })
  t.equal((await pay('0.01')).json().code, 'INVALID_STATE', 'nothing more on a paid award')
  const payments = await app.db.select().from(fundPayments).where(eq(fundPayments.awardId, a.id))
  t.equal(payments.length, 2)

  const b = (await award(app, officer.token, fundId, firm.enterpriseId, '50000.00')).json()
  const cancelled = await app.inject({ method: 'POST', url: `/v1/awards/${b.id}/cancel`, headers: auth(officer.token), payload: { reason: '重复申报' } })
  t.equal(cancelled.statusCode, 200)
  t.match(cancelled.json(), { state: 'cancelled', cancelReason: '重复申报' })
  const f = (await app.inject({ url: `/v1/funds/${fundId}`, headers: auth(officer.token) })).json()
  t.match(f, { awarded: '300000.00', paid: '300000.00', available: '700000.00', awards: 1 }, 'a cancelled award gives its amount back')
  t.equal((await app.inject({ method: 'POST', url: `/v1/awards/${b.id}/payments`, headers: auth(officer.token), payload: { amount: '1.00', paidOn: '2026-01-01' } })).json().code, 'INVALID_STATE')
})

t.test('the firm sees its own awards; others get 404; CSV and xlsx exports', async (t) => {
  const admin = await createStaff(app, 'admin')
  const firm = await member(app)
  const other = await registerFirm(app)
  const fundId = await fund(app, admin.token)
  const a = (await award(app, admin.token, fundId, firm.enterpriseId, '12345.60')).json()

  const own = await app.inject({ url: `/v1/enterprises/${firm.enterpriseId}/awards`, headers: auth(firm.token) })
  t.equal(own.statusCode, 200)
  t.same(own.json().items.map((x: { id: string }) => x.id), [a.id])
  t.equal((await app.inject({ url: `/v1/awards/${a.id}`, headers: auth(firm.token) })).statusCode, 200)
  const hidden = await app.inject({ url: `/v1/enterprises/${firm.enterpriseId}/awards`, headers: auth(other.token) })
  const missing = await app.inject({ url: '/v1/enterprises/00000000-0000-4000-8000-000000000000/awards', headers: auth(other.token) })
  t.equal(hidden.statusCode, 404)
  t.equal(hidden.body, missing.body, 'a hidden firm looks like a missing one')
  t.equal((await app.inject({ url: `/v1/awards/${a.id}`, headers: auth(other.token) })).statusCode, 404)
  t.equal((await app.inject({ url: '/v1/funds', headers: auth(firm.token) })).statusCode, 403)

  const csv = await app.inject({ url: `/v1/funds/${fundId}/awards?format=csv`, headers: auth(admin.token) })
  t.equal(csv.statusCode, 200)
  t.match(csv.headers['content-type'], /text\/csv/)
  const lines = csv.body.replace(/^\uFEFF/, '').trim().split('\r\n')
  t.equal(lines.length, 2)
  t.match(lines[0], /^专项资金,年度,培育计划,培育计划代码,统一社会信用代码,企业名称,扶持金额\(元\)/, 'Chinese headers')
  t.match(lines[1], /12345\.60/)
  t.match(lines[1], new RegExp(`="${firm.uscc}"|${firm.uscc}`), 'the credit code')
  t.match(lines[1], /已立项/, 'the state by its label')
  const xlsx = await app.inject({ url: `/v1/enterprises/${firm.enterpriseId}/awards?format=xlsx`, headers: auth(firm.token) })
  t.equal(xlsx.statusCode, 200)
  t.match(xlsx.headers['content-type'], /spreadsheetml/)
  const book = new ExcelJS.Workbook()
  await book.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer)
  const sheet = book.worksheets[0]
  t.equal(sheet.getRow(1).getCell(5).value, '统一社会信用代码')
  t.equal(sheet.getRow(2).getCell(5).value, firm.uscc, 'the credit code is text')
  t.equal(sheet.getRow(2).getCell(7).value, 12345.6, 'the amount is a number cell in yuan')
  const hiddenFile = await app.inject({ url: `/v1/enterprises/${firm.enterpriseId}/awards?format=csv`, headers: auth(other.token) })
  t.equal(hiddenFile.statusCode, 404, 'nor as a file')
})

t.test('money is a decimal string above zero; every change is audited', async (t) => {
  const officer = await createStaff(app, 'officer')
  const asNumber = await app.inject({ method: 'POST', url: '/v1/funds', headers: auth(officer.token), payload: { year: 2026, program: 'startup', name: 'n', budget: 1000 } })
  t.equal(asNumber.statusCode, 400)
  t.match(asNumber.json().fields, [{ field: 'body.budget' }])
  const zero = await app.inject({ method: 'POST', url: '/v1/funds', headers: auth(officer.token), payload: { year: 2026, program: 'startup', name: 'n', budget: '0.00' } })
  t.equal(zero.statusCode, 400)
  const unknown = await app.inject({ method: 'POST', url: '/v1/funds', headers: auth(officer.token), payload: { year: 2026, program: 'nope', name: 'n', budget: '1.00' } })
  t.equal(unknown.statusCode, 400)
  t.equal(unknown.json().code, 'UNKNOWN_REFERENCE')
  const fundId = await fund(app, officer.token, '100.00', 'startup')
  const firm = await member(app, 'startup')
  const numberAward = await app.inject({ method: 'POST', url: `/v1/funds/${fundId}/awards`, headers: auth(officer.token), payload: { enterpriseId: firm.enterpriseId, amount: 10, purpose: 'x' } })
  t.equal(numberAward.statusCode, 400)
  t.match(numberAward.json().fields, [{ field: 'body.amount' }])
  const a = (await award(app, officer.token, fundId, firm.enterpriseId, '10.00')).json()
  const numberPay = await app.inject({ method: 'POST', url: `/v1/awards/${a.id}/payments`, headers: auth(officer.token), payload: { amount: 1, paidOn: '2026-01-01' } })
  t.equal(numberPay.statusCode, 400)
  const today = localDay(new Date())
  t.equal((await app.inject({ method: 'POST', url: `/v1/awards/${a.id}/payments`, headers: auth(officer.token), payload: { amount: '4.00', paidOn: today } })).statusCode, 201)
  const b = (await award(app, officer.token, fundId, firm.enterpriseId, '5.00')).json()
  const blank = await app.inject({ method: 'POST', url: `/v1/awards/${b.id}/cancel`, headers: auth(officer.token), payload: { reason: '   ' } })
  t.equal(blank.statusCode, 400, 'a cancellation needs a reason')
  t.equal((await app.inject({ method: 'POST', url: `/v1/awards/${b.id}/cancel`, headers: auth(officer.token), payload: { reason: '撤销' } })).statusCode, 200)
  const rows = await queryRows<{ action: string, object_id: string }>(app.db,
    sql`select action, object_id from audit_log where object_id in (${fundId}, ${a.id}, ${b.id}) order by id`)
  t.same(rows.map(r => r.action), ['fund.create', 'award.create', 'award.pay', 'award.create', 'award.cancel'])
})

t.test('an award retried with the same Idempotency-Key is made once', async (t) => {
  const officer = await createStaff(app, 'officer')
  const firm = await member(app)
  const fundId = await fund(app, officer.token, '100.00')
  const send = async (key: string, amount = '60.00') => await app.inject({
    method: 'POST', url: `/v1/funds/${fundId}/awards`, headers: { ...auth(officer.token), 'idempotency-key': key },
    payload: { enterpriseId: firm.enterpriseId, amount, purpose: '研发投入补助' }
  })
  const first = await send('award-1')
  const again = await send('award-1')
  t.equal(first.statusCode, 201)
  t.equal(again.statusCode, 201)
  t.equal(again.headers['idempotent-replayed'], 'true')
  t.equal(again.json().id, first.json().id, 'the same award')
  t.equal((await send('award-1', '1.00')).statusCode, 422, 'the key with another body')
  const rows = await app.db.select().from(fundAwards).where(eq(fundAwards.fundId, fundId))
  t.equal(rows.length, 1)
  t.equal((await send('award-2')).json().code, 'BUDGET_EXCEEDED', 'a new key is a new award, checked against the budget')
})

t.test('a program has one fund of a name per year; the list filters by year and program and pages', async (t) => {
  const officer = await createStaff(app, 'officer')
  const body = { year: 2031, program: 'leading_platform', name: '2031 年领军企业专项资金', budget: '5000000.00' }
  t.equal((await app.inject({ method: 'POST', url: '/v1/funds', headers: auth(officer.token), payload: body })).statusCode, 201)
  const twice = await app.inject({ method: 'POST', url: '/v1/funds', headers: auth(officer.token), payload: body })
  t.equal(twice.statusCode, 409)
  t.equal(twice.json().code, 'CONFLICT')
  t.equal((await app.inject({ method: 'POST', url: '/v1/funds', headers: auth(officer.token), payload: { ...body, name: '第二批' } })).statusCode, 201)
  t.equal((await app.inject({ method: 'POST', url: '/v1/funds', headers: auth(officer.token), payload: { ...body, program: 'startup' } })).statusCode, 201)
  const first = (await app.inject({ url: '/v1/funds?year=2031&program=leading_platform&limit=1', headers: auth(officer.token) })).json()
  t.equal(first.items.length, 1)
  t.ok(first.nextCursor)
  const second = (await app.inject({ url: `/v1/funds?year=2031&program=leading_platform&limit=1&cursor=${encodeURIComponent(first.nextCursor)}`, headers: auth(officer.token) })).json()
  t.equal(second.items.length, 1)
  t.equal(second.nextCursor, null)
  t.not(second.items[0].id, first.items[0].id)
  t.equal((await app.inject({ url: '/v1/funds?year=2031', headers: auth(officer.token) })).json().items.length, 3)
})

t.test('two payments sent at once that together pass the award: exactly one is recorded', async (t) => {
  const officer = await createStaff(app, 'officer')
  const firm = await member(app)
  const fundId = await fund(app, officer.token)
  const a = (await award(app, officer.token, fundId, firm.enterpriseId, '100.00')).json()
  const pay = async () => await app.inject({
    method: 'POST', url: `/v1/awards/${a.id}/payments`, headers: auth(officer.token), payload: { amount: '60.00', paidOn: localDay(new Date()) }
  })
  const results = await Promise.all([pay(), pay()])
  t.same(results.map(r => r.statusCode).sort(), [201, 409])
  t.ok(results.some(r => r.statusCode === 409 && r.json().code === 'PAYMENT_EXCEEDS_AWARD'))
  const [{ paid, total }] = await queryRows<{ paid: string, total: string }>(app.db, sql`
    select a.paid::text as paid, (select sum(amount)::text from fund_payments p where p.award_id = a.id) as total from fund_awards a where a.id = ${a.id}`)
  t.same([paid, total], ['60.00', '60.00'], 'the award\'s paid sum is its one payment')
})
