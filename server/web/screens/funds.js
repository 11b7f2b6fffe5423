/* global Event */
// Support funds (专项资金) for officers and administrators: the funds of a
// year with a budget bar (awarded and paid against the budget), a form to
// create one; one fund with its awards and payments, forms to award support
// to an active pool member, to record a payment and to cancel an unpaid
// award; the awards as CSV or Excel. The analyst dashboard's funds and
// outcomes card (fundsCard) is here too.
import { h, table } from '../dom.js'
import { t, nameOf, formatDate, formatDateTime, getLang } from '../i18n.js'
import { api, listAll, downloadCsv, downloadFile, ApiError, newIdempotencyKey } from '../api.js'
import { store, reference, flash } from '../context.js'
import { apiForm, field, input, select, card, badge, facts, notice, meter, busy, toast } from '../ui.js'
import { moneyInput, wanCell, inWords } from '../money.js'

/** Exact decimal strings → a fraction for drawing the bar only (never for sums). */
function fraction (part, whole) {
  const w = Number(whole)
  return w > 0 ? Number(part) / w : 0
}

/** The budget bar: awarded of the budget, and paid beneath it. */
export function budgetBar (fund) {
  return h('div', { class: 'budget-bar', dataset: { fund: fund.id } },
    meter(fraction(fund.awarded, fund.budget), { label: t('funds.awarded') }),
    h('div', { class: 'sub muted' },
      t('funds.bar', { awarded: inWords(fund.awarded), budget: inWords(fund.budget), available: inWords(fund.available) })),
    meter(fraction(fund.paid, fund.budget), { label: t('funds.paid'), met: true }),
    h('div', { class: 'sub muted' }, t('funds.paidOf', { paid: inWords(fund.paid) })))
}

const today = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date())

export async function fundsView ({ query }) {
  const ref = await reference()
  const thisYear = new Date().getFullYear()
  const year = /^\d{4}$/.test(query.year ?? '') ? Number(query.year) : null
  const funds = await listAll('/v1/funds', year != null ? { year } : {})
  const key = newIdempotencyKey()
  const budget = moneyInput('budget', { unit: 'wan' })
  const form = apiForm({ id: 'fund-form' }, [
    h('div', { class: 'fields' },
      field(t('funds.name'), input('name', { value: `${thisYear} 年专项资金` }), { wide: true }),
      field(t('common.program'), select('program', ref.programs.map(p => ({ value: p.code, label: nameOf(p) })))),
      field(t('common.year'), input('year', { type: 'number', value: String(thisYear), min: 2000, max: 2100 })),
      field(t('funds.budget'), h('div', { class: 'money-field' }, budget.el, budget.unitSelect, budget.words), { name: 'budget' })),
    h('div', { class: 'buttons' }, h('button', { type: 'submit', class: 'primary', id: 'create-fund' }, t('funds.create')))
  ], async (values) => {
    const created = await api.post('/v1/funds', {
      name: values.name ?? '', program: values.program, year: /^\d+$/.test(values.year ?? '') ? Number(values.year) : values.year, budget: budget.read() ?? ''
    }, { idempotencyKey: key })
    flash('success', t('funds.created'))
    store.navigate(`/officer/funds/${created.id}`)
  })

  return h('div', { class: 'funds' },
    h('div', { class: 'page-head' }, h('div', null, h('h1', null, t('funds.title')), h('p', { class: 'lead' }, t('funds.lead')))),
    h('div', { class: 'grid-2' },
      card(t('funds.list'), funds.length === 0
        ? notice('info', t('funds.none'))
        : h('ul', { class: 'fund-list', id: 'fund-list' }, funds.map(f => h('li', { class: 'fund-item' },
          h('div', { class: 'top' }, h('a', { href: `/officer/funds/${f.id}` }, h('strong', null, f.name)), ' ',
            h('span', { class: 'muted' }, `${f.year} · ${nameOf(ref.program[f.program])} · ${t('funds.awardsCount', { n: f.awards })}`)),
          budgetBar(f))))),
      card(t('funds.create'), form)))
}

const wanUnit = () => getLang() === 'zh' ? '(万元)' : ' (10k CNY)'

function awardsTable (awards, { onPay, onCancel } = {}) {
  return h('div', { class: 'table-wrap' }, table([
    { label: t('funds.firm'), cell: a => h('div', null, a.firmName, h('div', { class: 'muted mono' }, a.uscc)) },
    { label: t('funds.amount') + wanUnit(), class: 'num', cell: a => wanCell(a.amount) },
    { label: t('funds.paid') + wanUnit(), class: 'num', cell: a => wanCell(a.paid) },
    { label: t('funds.purpose'), cell: a => a.cancelReason != null ? h('div', null, a.purpose, h('div', { class: 'muted' }, t('funds.cancelReason'), ': ', a.cancelReason)) : a.purpose },
    { label: t('common.state'), cell: a => badge(a.state) },
    {
      label: t('funds.payments'),
      cell: a => a.payments.length === 0 ? '—' : h('ul', { class: 'plain' }, a.payments.map(p => h('li', null, formatDate(p.paidOn), ' · ', wanCell(p.amount))))
    },
    onPay == null
      ? { label: t('funds.awardedAt'), cell: a => formatDateTime(a.createdAt) }
      : {
          label: t('common.actions'),
          cell: a => h('div', { class: 'buttons' },
            a.state === 'awarded' || a.state === 'partly_paid' ? h('button', { type: 'button', class: 'small', dataset: { pay: a.id }, onClick: () => onPay(a) }, t('funds.pay')) : null,
            a.state === 'awarded' ? h('button', { type: 'button', class: 'small danger', dataset: { cancel: a.id }, onClick: (e) => onCancel(a, e.currentTarget) }, t('funds.cancel')) : null)
        }
  ], awards, { empty: t('funds.noAwards') }))
}

export async function fundView ({ params, rerender }) {
  const ref = await reference()
  const [id] = params
  const [fund, awards] = await Promise.all([api.get(`/v1/funds/${id}`), listAll(`/v1/funds/${id}/awards`)])
  const members = await listAll('/v1/pool', { program: fund.program, status: 'active,warned' }).catch(() => [])
  const awardKey = newIdempotencyKey()
  const amount = moneyInput('amount', { unit: 'wan' })
  const awardForm = apiForm({ id: 'award-form' }, [
    h('div', { class: 'fields' },
      field(t('funds.firm'), select('enterpriseId', members.map(m => ({ value: m.enterpriseId, label: `${m.enterpriseName} (${m.uscc})` }))), { wide: true }),
      field(t('funds.amount'), h('div', { class: 'money-field' }, amount.el, amount.unitSelect, amount.words), { name: 'amount' }),
      field(t('funds.purpose'), input('purpose', { value: t('funds.defaultPurpose') }), { wide: true })),
    h('div', { class: 'buttons' }, h('button', { type: 'submit', class: 'primary', id: 'award-submit' }, t('funds.award')))
  ], async (values) => {
    await api.post(`/v1/funds/${id}/awards`, { enterpriseId: values.enterpriseId ?? '', amount: amount.read() ?? '', purpose: values.purpose ?? '' }, { idempotencyKey: awardKey })
    flash('success', t('funds.awardedOk'))
    await rerender()
  })

  const payable = awards.filter(a => a.state === 'awarded' || a.state === 'partly_paid')
  const payAmount = moneyInput('amount', { unit: 'wan' })
  const awardSelect = select('awardId', payable.map(a => ({ value: a.id, label: `${a.firmName} · ${t('funds.unpaid')} ${inWords(a.unpaid)}` })))
  const payForm = apiForm({ id: 'payment-form' }, [
    h('div', { class: 'fields' },
      field(t('funds.award'), awardSelect, { wide: true }),
      field(t('funds.payAmount'), h('div', { class: 'money-field' }, payAmount.el, payAmount.unitSelect, payAmount.words), { name: 'amount' }),
      field(t('funds.paidOn'), input('paidOn', { type: 'date', value: today(), max: today() }))),
    h('div', { class: 'buttons' }, h('button', { type: 'submit', class: 'primary', id: 'payment-submit' }, t('funds.pay')))
  ], async (values) => {
    await api.post(`/v1/awards/${values.awardId ?? ''}/payments`, { amount: payAmount.read() ?? '', paidOn: values.paidOn ?? '' })
    flash('success', t('funds.paidOk'))
    await rerender()
  })

  const onPay = (a) => {
    awardSelect.value = a.id
    payAmount.unitSelect.value = 'yuan'
    payAmount.el.value = a.unpaid
    payAmount.el.dispatchEvent(new Event('input'))
    payForm.scrollIntoView({ block: 'nearest' })
    payAmount.el.focus()
  }
  const onCancel = async (a, button) => {
    const reason = window.prompt(t('funds.cancelPrompt'))
    if (reason == null || reason.trim() === '') return
    try {
      await busy(button, () => api.post(`/v1/awards/${a.id}/cancel`, { reason }))
      flash('success', t('funds.cancelledOk'))
      await rerender()
    } catch (err) { toast(err instanceof ApiError ? err.message : String(err), 'error') }
  }
  const exportButton = (format) => {
    const b = h('button', { type: 'button', class: 'small', dataset: { export: format } }, format === 'csv' ? t('common.csv') : 'Excel')
    b.addEventListener('click', async () => {
      try {
        await busy(b, () => format === 'csv'
          ? downloadCsv(`/v1/funds/${id}/awards`, {}, `fund-${fund.year}-awards.csv`)
          : downloadFile(`/v1/funds/${id}/awards?format=xlsx`, `fund-${fund.year}-awards.xlsx`))
      } catch (err) { toast(err instanceof ApiError ? err.message : String(err), 'error') }
    })
    return b
  }

  return h('div', { class: 'fund' },
    h('div', { class: 'page-head' },
      h('div', null, h('p', null, h('a', { href: '/officer/funds' }, '← ', t('funds.title'))), h('h1', null, fund.name))),
    h('div', { class: 'grid-2' },
      card(t('funds.summary'),
        facts([
          [t('common.year'), String(fund.year)],
          [t('common.program'), nameOf(ref.program[fund.program])],
          [t('funds.budget'), inWords(fund.budget)],
          [t('funds.awarded'), inWords(fund.awarded)],
          [t('funds.paid'), inWords(fund.paid)],
          [t('funds.available'), inWords(fund.available)]
        ]),
        budgetBar(fund)),
      h('div', null,
        card(t('funds.award'), members.length === 0 ? notice('info', t('funds.noMembers')) : awardForm),
        card(t('funds.recordPayment'), payable.length === 0 ? notice('info', t('funds.nothingToPay')) : payForm))),
    card(t('funds.awards'), awardsTable(awards, { onPay, onCancel }), h('div', { class: 'buttons' }, exportButton('csv'), exportButton('xlsx'))))
}

/** A firm's own awards (the portal): read only. */
export async function enterpriseAwardsCard (enterpriseId) {
  const awards = await listAll(`/v1/enterprises/${enterpriseId}/awards`).catch(() => [])
  if (awards.length === 0) return null
  return card(t('funds.myAwards'), awardsTable(awards))
}

// ------------------------------------------------------------------ the dashboard's card

const COHORT_COLORS = ['#1f4e8c', '#b8c4d4']
const MEASURES = ['operatingRevenue', 'rdExpense', 'employees']
const pct = (ratio) => ratio == null ? null : Math.round(Number(ratio) * 10000) / 100

function growthText (ratio, firms) {
  if (firms === 0) return '—'
  if (ratio == null) return h('span', { class: 'suppressed', title: t('dash.suppressedNote') }, t('dash.suppressed'))
  const p = pct(ratio)
  return `${p > 0 ? '+' : ''}${p.toFixed(2)}%`
}

/** The chart: median growth of each measure, supported beside unsupported. */
export function outcomesOption (outcomes) {
  const s = outcomes.totals.supported
  const u = outcomes.totals.unsupported
  return {
    color: COHORT_COLORS,
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, valueFormatter: (v) => v == null || v === '-' ? t('dash.suppressed') : `${v}%` },
    title: { text: t('funds.medianGrowth'), left: 0, top: 0, textStyle: { fontSize: 12, fontWeight: 'normal' } },
    legend: { top: 0, right: 0, data: [t('funds.supported'), t('funds.unsupported')] },
    grid: { left: 8, right: 8, bottom: 8, top: 36, containLabel: true },
    xAxis: { type: 'category', data: MEASURES.map(m => t('funds.measure.' + m)) },
    yAxis: { type: 'value', axisLabel: { formatter: '{value}%' } },
    series: [
      { name: t('funds.supported'), type: 'bar', barMaxWidth: 36, data: MEASURES.map(m => pct(s[m].medianGrowth) ?? '-') },
      { name: t('funds.unsupported'), type: 'bar', barMaxWidth: 36, data: MEASURES.map(m => pct(u[m].medianGrowth) ?? '-') }
    ]
  }
}

/**
 * The analyst dashboard's funds and outcomes card for `year`: the funds by
 * program (budget, awarded, paid, firms), and the outcomes chart and table.
 * Returns `{ node, chart }`: the dashboard draws `chart.option` into
 * `chart.el` once the card is on the page.
 */
export async function fundsCard (dashboardYear) {
  // The dashboard's year, or the year before when only it has funds (its outcomes are then in the dashboard's year).
  const [current, before] = await Promise.all([dashboardYear, dashboardYear - 1].map(y =>
    api.get('/v1/analytics/funds', { query: { year: y, by: 'program' } }).catch(err => err)))
  const perf = !(current instanceof Error) && current.funds.count === 0 && !(before instanceof Error) && before.funds.count > 0 ? before : current
  if (perf instanceof Error) return { node: card(t('funds.performance'), notice('info', perf.message)), chart: null }
  const year = perf.year
  const ref = store.ref
  const money = (v) => v == null ? h('span', { class: 'suppressed', title: t('dash.suppressedNote') }, t('dash.suppressed')) : wanCell(v)
  const fundRows = [...perf.funds.cells, { total: true, ...perf.funds.totals }]
  const chartEl = h('div', { class: 'chart', id: 'chart-funds', role: 'img', 'aria-label': t('funds.outcomes') })
  const cohortRow = (key) => ({ key, ...perf.outcomes.totals[key] })
  const node = card(`${t('funds.performance')} · ${year}`,
    h('p', { class: 'muted' }, t('funds.performanceLead', { year, next: year + 1 })),
    perf.funds.count === 0 ? notice('info', t('funds.noneYear')) : null,
    h('div', { class: 'table-wrap', id: 'funds-by-program' }, table([
      { label: t('common.program'), cell: r => r.total ? t('dash.totals') : nameOf(ref.program[r.program]) ?? r.program },
      { label: t('funds.budget') + wanUnit(), class: 'num', cell: r => money(r.budget) },
      { label: t('funds.awarded') + wanUnit(), class: 'num', cell: r => money(r.awarded) },
      { label: t('funds.paid') + wanUnit(), class: 'num', cell: r => money(r.paid) },
      { label: t('funds.firmsSupported'), class: 'num', cell: r => String(r.firms) }
    ], fundRows, { empty: t('dash.noData') })),
    h('h3', null, t('funds.outcomes')),
    chartEl,
    h('div', { class: 'table-wrap', id: 'funds-outcomes' }, table([
      { label: t('funds.cohort'), cell: r => t('funds.' + r.key) },
      { label: t('dash.firms'), class: 'num', cell: r => String(r.firms) },
      ...MEASURES.flatMap(m => [
        { label: `${t('funds.measure.' + m)} · ${t('funds.totalGrowth')}`, class: 'num', cell: r => growthText(r[m].totalGrowth, r.firms) },
        { label: `${t('funds.measure.' + m)} · ${t('funds.medianGrowth')}`, class: 'num', cell: r => growthText(r[m].medianGrowth, r.firms) }
      ])
    ], [cohortRow('supported'), cohortRow('unsupported')])))
  return { node, chart: { el: chartEl, option: outcomesOption(perf.outcomes) } }
}
