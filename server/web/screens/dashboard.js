/* global getComputedStyle */
// The analyst dashboard: distributions by tier, program, domain and district,
// the plan's targets with the gap, trends over the years. Aggregates only;
// cells the API suppresses for confidentiality are shown as suppressed.
import { h, table } from '../dom.js'
import { t, nameOf, getLang, formatMoney, formatNumber } from '../i18n.js'
import { api, downloadCsv, ApiError } from '../api.js'
import { store, reference } from '../context.js'
import { card, notice, meter, busy, toast } from '../ui.js'
import { fundsCard } from './funds.js'

const DIMENSIONS = ['tier', 'program', 'domain', 'district']
let charts = []

/** "123456789012.50" yuan → 1234.57 (亿元, hundred millions) for drawing only; the tables keep the exact strings. */
export function toHundredMillions (yuan) {
  if (yuan == null) return null
  const [whole, frac = ''] = String(yuan).split('.')
  const fen = BigInt(whole) * 100n + BigInt((frac + '00').slice(0, 2)) * (whole.startsWith('-') ? -1n : 1n)
  return Number(fen / 1000000n) / 10000 // 亿 = 1e10 fen; exact down to 0.0001亿 (10,000 yuan) before the float
}

function labelOf (dim, code) {
  if (code == null) return dim === 'program' ? (getLang() === 'zh' ? '未入库' : 'Not in the pool') : '—'
  const ref = store.ref
  const row = { tier: ref.tier, program: ref.program, domain: ref.domain, district: ref.district }[dim]?.[code]
  return row != null ? nameOf(row) : code
}

function orderCells (dim, cells) {
  if (dim === 'tier') {
    const rank = Object.fromEntries(store.ref.tiers.map(t => [t.code, t.rank]))
    return [...cells].sort((a, b) => (rank[b.tier] ?? -1) - (rank[a.tier] ?? -1))
  }
  return [...cells].sort((a, b) => b.firms - a.firms)
}

function disposeCharts () {
  for (const c of charts) c.dispose()
  charts = []
}

function chartAt (el, option) {
  if (window.echarts == null) {
    el.replaceChildren(notice('warn', 'ECharts'))
    return
  }
  const chart = window.echarts.init(el, null, { renderer: 'canvas' })
  chart.setOption({ textStyle: { fontFamily: getComputedStyle(document.documentElement).fontFamily }, ...option })
  charts.push(chart)
}

window.addEventListener('resize', () => { for (const c of charts) c.resize() })

const PALETTE = ['#1f4e8c', '#d08a1e', '#2e7d4f', '#7a5fb0', '#c0504d', '#4a9bd1', '#8c6d1f', '#5b6776']

function distributionOption (dim, cells) {
  const suppressedMark = getLang() === 'zh' ? '(隐)' : ' (supp.)'
  return {
    color: PALETTE,
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    legend: { top: 0, data: [t('dash.firms'), t('dash.revenue')] },
    grid: { left: 8, right: 8, bottom: 8, top: 36, containLabel: true },
    xAxis: {
      type: 'category',
      data: cells.map(c => labelOf(dim, c[dim]) + (c.suppressed ? suppressedMark : '')),
      axisLabel: { interval: 0, rotate: cells.length > 5 ? 30 : 0, fontSize: 11 }
    },
    yAxis: [
      { type: 'value', name: t('dash.firms'), minInterval: 1 },
      { type: 'value', name: t('dash.revenue.axis'), splitLine: { show: false } }
    ],
    series: [
      { name: t('dash.firms'), type: 'bar', barMaxWidth: 28, data: cells.map(c => c.firms) },
      { name: t('dash.revenue'), type: 'bar', barMaxWidth: 28, yAxisIndex: 1, data: cells.map(c => c.suppressed ? '-' : toHundredMillions(c.operatingRevenue)) }
    ]
  }
}

function figureCell (c, key, fmt) {
  if (c.suppressed || c[key] == null) return h('span', { class: 'suppressed', title: t('dash.suppressedNote') }, t('dash.suppressed'))
  return fmt(c[key])
}

function distributionTable (dim, cells) {
  return h('div', { class: 'table-wrap' }, table([
    { label: t('dash.by.' + dim), cell: c => labelOf(dim, c[dim]) },
    { label: t('dash.firms'), class: 'num', cell: c => formatNumber(c.firms) },
    { label: t('decl.operatingRevenue'), class: 'num', cell: c => figureCell(c, 'operatingRevenue', formatMoney) },
    { label: t('decl.rdExpense'), class: 'num', cell: c => figureCell(c, 'rdExpense', formatMoney) },
    { label: t('decl.exportRevenue'), class: 'num', cell: c => figureCell(c, 'exportRevenue', formatMoney) },
    { label: t('dash.employees'), class: 'num', cell: c => figureCell(c, 'employees', formatNumber) }
  ], cells, { empty: t('dash.noData') }))
}

/** How far a value is toward its goal (0..1), for the progress bar. */
export function targetProgress (target) {
  if (target.value == null) return 0
  const value = Number(target.value)
  const goal = Number(target.goal)
  if (target.comparator === 'lte' || target.comparator === 'lt') return value <= 0 ? 1 : Math.min(1, goal / value)
  if (goal <= 0) return 1
  return Math.min(1, value / goal)
}

/** A target's value for reading: ratios as percentages, money in 亿元, counts grouped. */
export function formatTargetValue (value, unit) {
  if (value == null) return '—'
  if (unit === 'ratio') return (Number(value) * 100).toFixed(1) + '%'
  if (unit === 'CNY') return (toHundredMillions(value.includes('.') ? value : value + '.00') ?? 0).toLocaleString(undefined, { maximumFractionDigits: 2 }) + (getLang() === 'zh' ? ' 亿元' : ' × 100M CNY')
  return formatNumber(value)
}

function targetRow (target) {
  const label = getLang() === 'zh' ? target.labelZh : target.labelEn
  const status = !target.measurable
    ? h('span', { class: 'muted' }, getLang() === 'zh' ? '无法从申报数据计算' : 'Not measurable from declarations')
    : target.suppressed === true
      ? h('span', { class: 'suppressed', title: t('dash.suppressedNote') }, t('dash.targetSuppressed'))
      : h('span', { class: target.met ? 'badge state-admitted' : 'badge state-returned' }, target.met ? t('dash.met') : t('dash.notMet'))
  const sign = { gte: '≥', gt: '>', lte: '≤', lt: '<' }[target.comparator] ?? ''
  return h('div', { class: 'target', dataset: { target: target.key } },
    h('div', { class: 'top' }, h('strong', null, label), status),
    meter(targetProgress(target), { label, met: target.met === true }),
    h('div', { class: 'sub' },
      h('span', null, t('dash.value'), ' ', formatTargetValue(target.value, target.unit), ' · ', t('dash.goal'), ' ', sign, ' ', formatTargetValue(target.goal, target.unit), ' (', t('dash.due', { year: target.dueYear }), ')'),
      target.measurable && target.gap != null && target.met !== true
        ? h('span', null, t('dash.gap'), ' ', formatTargetValue(target.gap.replace(/^-/, ''), target.unit))
        : null))
}

function trendOption (trend) {
  const tiers = [...store.ref.tiers].sort((a, b) => a.rank - b.rank)
  const years = trend.years.map(y => String(y.year))
  return {
    color: ['#b8c4d4', '#7f9cc4', '#4a74ad', '#1f4e8c', '#d08a1e'],
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
    grid: { left: 8, right: 8, bottom: 8, top: 56, containLabel: true },
    xAxis: { type: 'category', data: years },
    yAxis: [
      { type: 'value', name: t('dash.firms'), minInterval: 1 },
      { type: 'value', name: t('dash.revenue.axis'), splitLine: { show: false } }
    ],
    series: [
      ...tiers.map(tier => ({
        name: nameOf(tier), type: 'bar', stack: 'firms', barMaxWidth: 40,
        data: trend.years.map(y => y.cells.find(c => c.tier === tier.code)?.firms ?? 0)
      })),
      {
        name: t('dash.revenue'), type: 'line', yAxisIndex: 1, smooth: true, color: '#c0504d',
        data: trend.years.map(y => y.totals.suppressed ? '-' : toHundredMillions(y.totals.operatingRevenue))
      }
    ]
  }
}

/** The share of the plan's focus domains (by primary domain) year by year, from the trend. */
function focusShares (trend) {
  const rows = trend.years.filter(y => y.primaryDomains != null).map(y => ({ year: y.year, ...y.primaryDomains.focus }))
  return h('details', { id: 'focus-shares' }, h('summary', null, t('dash.focusShare')),
    h('div', { class: 'table-wrap' }, table([
      { label: t('dash.year'), cell: r => String(r.year) },
      { label: t('dash.firms'), class: 'num', cell: r => formatNumber(r.firms) },
      { label: t('dash.focusShare'), class: 'num', cell: r => r.share == null ? t('dash.suppressed') : formatTargetValue(r.share, 'ratio') }
    ], rows, { empty: t('dash.noData') })))
}

/** The district targets: a picker of districts and the chosen one's own goals and values (层层分解). */
function districtTargets (year, district, report) {
  const picker = h('select', { id: 'dashboard-district', name: 'district', 'aria-label': t('dash.district') },
    store.ref.districts.map(d => h('option', { value: d.code, selected: d.code === district }, nameOf(d))))
  picker.addEventListener('change', () => store.navigate(`/dashboard?year=${year}&district=${encodeURIComponent(picker.value)}`))
  return card(t('dash.districtTargets'),
    h('div', { class: 'actions' }, h('label', { for: 'dashboard-district' }, t('dash.district')), picker),
    report instanceof Error
      ? notice('info', report.message)
      : report.targets.length === 0
        ? notice('info', t('dash.districtNone'))
        : h('div', { id: 'district-targets' }, report.targets.map(targetRow)))
}

export async function dashboardView ({ query }) {
  await reference()
  disposeCharts()
  const thisYear = new Date().getFullYear()
  const year = /^\d{4}$/.test(query.year ?? '') ? Number(query.year) : thisYear - 1
  const from = year - 5
  const district = store.ref.district[query.district] != null ? query.district : store.ref.districts[0]?.code

  const [distributions, targets, trend, funds, byDistrict] = await Promise.all([
    Promise.all(DIMENSIONS.map(by => api.get('/v1/analytics/distribution', { query: { year, by } }))),
    api.get('/v1/analytics/targets', { query: { year } }).catch(err => err),
    api.get('/v1/analytics/trend', { query: { from, to: year, by: 'tier' } }).catch(err => err),
    fundsCard(year),
    district == null ? Promise.resolve(new Error('—')) : api.get('/v1/analytics/targets', { query: { year, district } }).catch(err => err)
  ])
  const totals = distributions[0].totals

  const yearSelect = h('select', { id: 'dashboard-year', name: 'year', 'aria-label': t('dash.year') },
    Array.from({ length: 12 }, (_, i) => thisYear - i).map(y => h('option', { value: String(y), selected: y === year }, String(y))))
  yearSelect.addEventListener('change', () => store.navigate(`/dashboard?year=${yearSelect.value}`))

  const csvButton = (label, path, q, filename) => {
    const b = h('button', { type: 'button', class: 'small', dataset: { csv: filename } }, label)
    b.addEventListener('click', async () => {
      try { await busy(b, () => downloadCsv(path, q, filename)) } catch (err) { toast(err instanceof ApiError ? err.message : String(err), 'error') }
    })
    return b
  }

  const stat = (label, value, id) => h('div', { class: 'stat', id }, h('div', { class: 'label' }, label), h('div', { class: 'value' }, value))
  const money = (key) => totals.suppressed || totals[key] == null ? t('dash.suppressed') : (toHundredMillions(totals[key]) ?? 0).toLocaleString(undefined, { maximumFractionDigits: 2 })

  const chartEls = {}
  const distributionCards = DIMENSIONS.map((dim, i) => {
    const cells = orderCells(dim, distributions[i].cells)
    const el = h('div', { class: 'chart', id: `chart-${dim}`, role: 'img', 'aria-label': `${t('dash.distribution')}: ${t('dash.by.' + dim)}` })
    chartEls[dim] = { el, cells }
    return card(`${t('dash.distribution')} · ${t('dash.by.' + dim)}`,
      el,
      h('details', null, h('summary', null, t('dash.table')), distributionTable(dim, cells)),
      h('div', { class: 'buttons' }, csvButton(t('common.csv'), '/v1/analytics/distribution', { year, by: dim }, `distribution-${year}-${dim}.csv`)))
  })
  const suppressedCount = distributions.reduce((n, d) => n + (d.suppressedCells ?? 0), 0)

  const trendEl = h('div', { class: 'chart tall', id: 'chart-trend', role: 'img', 'aria-label': t('dash.trend') })
  setTimeout(() => {
    for (const dim of DIMENSIONS) chartAt(chartEls[dim].el, distributionOption(dim, chartEls[dim].cells))
    if (!(trend instanceof Error)) chartAt(trendEl, trendOption(trend))
    if (funds.chart != null) chartAt(funds.chart.el, funds.chart.option)
  }, 0)

  return h('div', { class: 'dashboard' },
    h('div', { class: 'page-head' },
      h('div', null, h('h1', null, t('dash.title')), h('p', { class: 'lead' }, t('dash.suppressedNote'))),
      h('div', { class: 'actions' }, h('label', { for: 'dashboard-year' }, t('dash.year')), yearSelect)),
    h('div', { class: 'stat-row' },
      stat(t('dash.firms'), formatNumber(totals.firms), 'total-firms'),
      stat(t('dash.revenue'), money('operatingRevenue'), 'total-revenue'),
      stat(t('dash.softwareRevenue') + (getLang() === 'zh' ? '(亿元)' : ' (100M CNY)'), money('softwareRevenue')),
      stat(t('dash.employees'), totals.suppressed || totals.employees == null ? t('dash.suppressed') : formatNumber(totals.employees))),
    suppressedCount > 0 ? notice('info', t('dash.suppressedCells', { n: distributions[0].minFirms, p: distributions[0].dominancePercent ?? 10 })) : null,
    h('div', { class: 'grid-2' },
      card(t('dash.trend'), trend instanceof Error ? notice('info', trend.message) : trendEl,
        trend instanceof Error ? null : focusShares(trend),
        h('div', { class: 'buttons' }, csvButton(t('common.csv'), '/v1/analytics/trend', { from, to: year, by: 'tier' }, `trend-${from}-${year}.csv`))),
      card(t('dash.targets'), targets instanceof Error
        ? notice('info', targets.message)
        : h('div', { id: 'targets' }, targets.targets.map(targetRow)))),
    district == null ? null : districtTargets(year, district, byDistrict),
    funds.node,
    h('div', { class: 'grid-even' }, distributionCards))
}
