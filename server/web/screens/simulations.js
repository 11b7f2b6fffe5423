/* global confirm, getComputedStyle, ResizeObserver */
// Policy what-if: edit a proposed tier rule set (and, for officers and
// administrators, gates, a rubric, targets) beside the current one, see what
// it would do to the year's firms, pool, applications and targets, and — as
// an administrator — adopt exactly what was simulated after a confirmation.
import { h, table } from '../dom.js'
import { t, formatNumber, nameOf, getLang, formatDateTime } from '../i18n.js'
import { api, ApiError } from '../api.js'
import { store } from '../context.js'
import { card, notice, busy, toast, showErrors, clearErrors } from '../ui.js'
import { formatTargetValue } from './dashboard.js'

let charts = []
function disposeCharts () {
  for (const c of charts) c.dispose()
  charts = []
}
window.addEventListener('resize', () => { for (const c of charts) c.resize() })

const tierName = (code) => store.ref?.tier?.[code] != null ? nameOf(store.ref.tier[code]) : code
const TIERS = ['below_scale', 'above_scale', 'hundred_million', 'billion', 'ten_billion']

/** Reads a current policy part an administrator may see; others get null (the endpoints are admin-only). */
async function current (path) {
  if (store.me.role !== 'admin') return null
  try { return await api.get(path) } catch (err) { if (err instanceof ApiError) return null; throw err }
}

function sankeyOption (moves) {
  const nodes = []
  const seen = new Set()
  // One colour per tier on both sides, so a band reads as "from this tier to that one".
  const PALETTE = ['#8fa3b8', '#4c8fc9', '#2f9e7a', '#e0a030', '#c8553d']
  const node = (name, tier) => {
    if (seen.has(name)) return
    seen.add(name)
    nodes.push({ name, itemStyle: { color: PALETTE[TIERS.indexOf(tier)] ?? '#999' } })
  }
  const links = []
  for (const m of moves) {
    if (m.firms === 0) continue
    const from = `${tierName(m.from)} ${t('sim.before')}`
    const to = `${tierName(m.to)} ${t('sim.after')}`
    node(from, m.from); node(to, m.to)
    links.push({ source: from, target: to, value: m.firms })
  }
  return {
    tooltip: { trigger: 'item' },
    series: [{ type: 'sankey', data: nodes, links, emphasis: { focus: 'adjacency' }, nodeAlign: 'justify', label: { fontSize: 11 }, lineStyle: { color: 'source', opacity: 0.35 } }]
  }
}

/**
 * Draws the chart once the element has its width on the page (the view is
 * built before it is mounted: a chart drawn then is a few pixels wide), and
 * follows the element's size afterwards.
 */
function chart (el, option) {
  if (window.echarts == null) { el.replaceChildren(notice('warn', 'ECharts')); return }
  let c = null
  const observer = new ResizeObserver(() => {
    if (el.clientWidth === 0) return
    if (c == null) {
      c = window.echarts.init(el, null, { renderer: 'canvas' })
      c.setOption({ textStyle: { fontFamily: getComputedStyle(document.documentElement).fontFamily }, ...option })
      charts.push(c)
    } else c.resize()
  })
  observer.observe(el)
  charts.push({ dispose: () => observer.disconnect(), resize: () => {} })
}

/** The editable tier rules: one row per rule, the stored threshold beside the proposed one. */
function rulesEditor (rules) {
  const rows = rules.map((r, i) => ({ ...r, i }))
  const body = h('tbody')
  const addRow = (r) => {
    const cell = (name, value, props = {}) => h('td', null, h('input', { name, value: value ?? '', dataset: { rule: name }, class: 'mono', size: props.size ?? 10, ...props }))
    body.append(h('tr', { dataset: { field: `tierRules.${body.children.length}` } },
      cell('tierCode', r.tierCode, { size: 14 }),
      h('td', { class: 'num muted' }, r.current ?? '—'),
      cell('minRevenue', r.minRevenue, { size: 16 }),
      cell('fromYear', r.fromYear, { size: 5 }),
      cell('toYear', r.toYear, { size: 5 }),
      cell('domainCode', r.domainCode, { size: 16 }),
      cell('note', r.note, { size: 18 })))
  }
  for (const r of rows) addRow({ ...r, current: r.minRevenue })
  const add = h('button', { type: 'button', class: 'link', onClick: () => addRow({}) }, t('sim.addRule'))
  const tableEl = h('table', { class: 'data' },
    h('thead', null, h('tr', null, ['sim.tier', 'sim.current', 'sim.proposed', 'sim.fromYear', 'sim.toYear', 'sim.domain', 'sim.note'].map(k => h('th', { scope: 'col' }, t(k))))),
    body)
  const read = () => [...body.querySelectorAll('tr')].map(tr => {
    const v = Object.fromEntries([...tr.querySelectorAll('input')].map(i => [i.dataset.rule, i.value.trim()]))
    if (v.tierCode === '') return null
    return {
      tierCode: v.tierCode,
      minRevenue: v.minRevenue,
      fromYear: Number(v.fromYear),
      toYear: v.toYear === '' ? null : Number(v.toYear),
      domainCode: v.domainCode === '' ? null : v.domainCode,
      note: v.note === '' ? null : v.note
    }
  }).filter(r => r != null)
  return { el: h('div', { class: 'table-wrap' }, tableEl, add), read }
}

/** A JSON part (gates, rubric, targets): the current value read-only beside the proposal. */
function jsonPart (key, currentValue) {
  const enabled = h('input', { type: 'checkbox', name: `use-${key}` })
  const text = h('textarea', { name: key, rows: 10, class: 'mono', spellcheck: 'false' })
  text.value = currentValue == null ? '' : JSON.stringify(currentValue, null, 2)
  // The current value and the editor open only when the part is proposed: a long JSON document otherwise fills the screen.
  const columns = h('div', { class: 'sim-columns', hidden: true },
    currentValue != null ? h('pre', { class: 'mono muted sim-current' }, JSON.stringify(currentValue, null, 2)) : null,
    text)
  enabled.addEventListener('change', () => { columns.hidden = !enabled.checked })
  const el = h('div', { class: 'sim-part', dataset: { field: key } },
    h('label', null, enabled, ' ', t('sim.part.' + key)),
    columns,
    h('div', { class: 'field-error', role: 'alert' }))
  const read = () => {
    if (!enabled.checked) return undefined
    try { return JSON.parse(text.value) } catch { throw new ApiError(400, { code: 'VALIDATION_FAILED', message: t('sim.badJson', { part: t('sim.part.' + key) }), fields: [{ field: `body.${key}`, message: t('sim.badJson', { part: key }) }] }) }
  }
  return { el, read }
}

/** The unit of each target measure (as the targets endpoint reports it). */
const MEASURE_UNIT = {
  firms_at_least_tier: 'firms', revenue_share_at_least_tier: 'ratio', rd_to_software_revenue: 'ratio',
  industry_revenue: 'CNY', employees: 'persons', value_added_gdp_share: 'ratio'
}

function targetsTable (targets) {
  const unit = (x) => MEASURE_UNIT[x.measure] ?? 'firms'
  const exact = (x, value) => h('span', { title: value ?? '' }, formatTargetValue(value, unit(x)))
  const side = (x, s) => s == null ? '—' : s.suppressed ? h('span', { class: 'suppressed' }, t('dash.suppressed')) : exact(x, s.value)
  const met = (s) => s == null || s.met == null ? '—' : s.met ? '✓' : '✗'
  return table([
    { label: t('sim.target'), cell: x => h('span', { title: x.code }, getLang() === 'en' ? x.labelEn : x.labelZh) },
    { label: t('sim.goal'), class: 'num', cell: x => exact(x, (x.after ?? x.before)?.goal ?? null) },
    { label: t('sim.before'), class: 'num', cell: x => side(x, x.before) },
    { label: '', cell: x => met(x.before) },
    { label: t('sim.after'), class: 'num', cell: x => side(x, x.after) },
    { label: '', cell: x => met(x.after) },
    { label: t('sim.gapAfter'), class: 'num', cell: x => x.after?.suppressed === true ? '—' : exact(x, x.after?.gap ?? null) }
  ], targets)
}

function resultView (sim, rerender) {
  disposeCharts()
  const sankey = h('div', { class: 'chart tall', id: 'chart-moves', role: 'img', 'aria-label': t('sim.sankey') })
  chart(sankey, sankeyOption(sim.tiers.moves))
  const tierRows = TIERS.map(code => ({ code, before: sim.tiers.before[code] ?? 0, after: sim.tiers.after[code] ?? 0 }))
  const pool = sim.pool
  const adopt = h('button', { type: 'button', class: 'primary', id: 'adopt' }, t('sim.adopt'))
  adopt.addEventListener('click', async () => {
    if (!confirm(t('sim.adopt.confirm', { year: sim.year, parts: sim.parts.join(', ') }))) return
    try {
      await busy(adopt, () => api.post(`/v1/admin/simulations/${sim.id}/adopt`))
      toast(t('sim.adopted'))
      rerender()
    } catch (err) { toast(err.message, 'error') }
  })
  const canAdopt = store.me.role === 'admin' && sim.state === 'simulated' && !sim.stale
  return h('div', { id: 'sim-result' },
    h('div', { class: 'page-head' },
      h('h2', null, t('sim.result', { year: sim.year })),
      h('div', { class: 'actions' },
        sim.state === 'adopted' ? notice('success', t('sim.isAdopted')) : null,
        sim.stale ? notice('warn', t('sim.stale')) : null,
        canAdopt ? adopt : null)),
    sim.disclosure === 'aggregate' ? notice('info', t('sim.aggregate')) : null,
    card(t('sim.tiers', { changed: formatNumber(sim.tiers.changed), firms: formatNumber(sim.firms) }),
      sankey,
      table([
        { label: t('sim.tier'), cell: r => tierName(r.code) },
        { label: t('sim.before'), class: 'num', cell: r => formatNumber(r.before) },
        { label: t('sim.after'), class: 'num', cell: r => formatNumber(r.after) },
        { label: 'Δ', class: 'num', cell: r => (r.after - r.before > 0 ? '+' : '') + formatNumber(r.after - r.before) }
      ], tierRows),
      table([
        { label: t('sim.from'), cell: m => tierName(m.from) },
        { label: t('sim.to'), cell: m => tierName(m.to) },
        { label: t('dash.firms'), class: 'num', cell: m => formatNumber(m.firms) }
      ], sim.tiers.moves.filter(m => m.from !== m.to), { empty: t('sim.noMoves') })),
    card(t('sim.targets'), targetsTable(sim.targets)),
    card(t('sim.pool', { evaluated: formatNumber(pool.evaluated), changed: formatNumber(pool.changed) }),
      table([
        { label: '', cell: k => t('sim.outcome.' + k) },
        { label: t('sim.before'), class: 'num', cell: k => formatNumber(pool.outcomes.before[k]) },
        { label: t('sim.after'), class: 'num', cell: k => formatNumber(pool.outcomes.after[k]) }
      ], ['stays', 'warned', 'exits', 'graduates']),
      table([
        { label: t('sim.program'), cell: p => store.ref?.program?.[p] != null ? nameOf(store.ref.program[p]) : p },
        { label: t('sim.newly'), class: 'num', cell: p => formatNumber(pool.newlyQualifying[p]) },
        { label: t('sim.noLonger'), class: 'num', cell: p => formatNumber(pool.noLongerQualifying[p]) }
      ], Object.keys(pool.newlyQualifying)),
      pool.members != null && pool.members.length > 0
        ? table([
          { label: t('sim.firm'), cell: m => m.firmName },
          { label: t('sim.program'), cell: m => m.program },
          { label: t('sim.before'), cell: m => `${t('sim.outcome.' + m.before.outcome)} · ${tierName(m.before.tier)}` },
          { label: t('sim.after'), cell: m => `${t('sim.outcome.' + m.after.outcome)} · ${tierName(m.after.tier)}` }
        ], pool.members.slice(0, 200))
        : null),
    card(t('sim.applications', { examined: formatNumber(sim.applications.examined) }),
      table([
        { label: t('sim.call'), cell: c => c.title },
        { label: t('sim.eligibilityFlips'), class: 'num', cell: c => formatNumber(c.eligibilityFlips) },
        { label: t('sim.passFlips'), class: 'num', cell: c => formatNumber(c.passFlips) },
        { label: t('sim.rankChanges'), class: 'num', cell: c => formatNumber(c.rankChanges) }
      ], sim.applications.calls),
      sim.applications.calls.flatMap(c => c.items ?? []).length > 0
        ? table([
          { label: t('sim.firm'), cell: i => i.firmName },
          { label: t('sim.eligible'), cell: i => `${i.eligible.before ? '✓' : '✗'} → ${i.eligible.after ? '✓' : '✗'}` },
          { label: t('sim.total'), class: 'num', cell: i => `${i.total.before ?? '—'} → ${i.total.after ?? '—'}` },
          { label: t('sim.rank'), class: 'num', cell: i => `${i.rank.before ?? '—'} → ${i.rank.after ?? '—'}` }
        ], sim.applications.calls.flatMap(c => c.items ?? []).slice(0, 200))
        : null),
    sim.tiers.changes != null && sim.tiers.changes.length > 0
      ? card(t('sim.firms'), table([
        { label: t('sim.firm'), cell: c => c.name },
        { label: 'USCC', cell: c => h('span', { class: 'mono' }, c.uscc) },
        { label: t('sim.from'), cell: c => tierName(c.from) },
        { label: t('sim.to'), cell: c => tierName(c.to) }
      ], sim.tiers.changes.slice(0, 500)))
      : null,
    h('ul', { class: 'muted' }, sim.notes.map(n => h('li', null, n))))
}

export async function simulationsView ({ query, rerender }) {
  const role = store.me.role
  const [rules, gates, targets, list] = await Promise.all([
    current('/v1/admin/tier-rules'), current('/v1/admin/eligibility-gates'), current('/v1/admin/targets'),
    api.get('/v1/admin/simulations', { query: { limit: 20 } })
  ])
  const rubrics = role === 'admin' ? await current('/v1/admin/rubrics') : null
  const latestRubric = rubrics?.items?.at(-1)
  const year = query.year ?? String(new Date().getFullYear() - 1)
  const editor = rulesEditor(rules?.rules ?? [])
  const useRules = h('input', { type: 'checkbox', name: 'use-tierRules', checked: rules != null })
  const parts = {
    targets: jsonPart('targets', targets?.targets ?? null),
    ...(role === 'analyst'
      ? {}
      : {
          eligibilityGates: jsonPart('eligibilityGates', gates),
          rubric: jsonPart('rubric', latestRubric == null
            ? null
            : {
                program: latestRubric.program, title: latestRubric.title, indicators: latestRubric.indicators, groupMinimums: latestRubric.groupMinimums,
                passMark: latestRubric.passMark, gradeBands: latestRubric.gradeBands
              })
        })
  }
  const result = h('div', { id: 'sim-output' })
  const yearInput = h('input', { name: 'year', type: 'number', value: year, min: 2000, max: 2100, class: 'mono', size: 6 })
  const run = h('button', { type: 'submit', class: 'primary' }, t('sim.run'))
  const form = h('form', { id: 'sim-form', novalidate: true },
    h('div', { class: 'field', dataset: { field: 'year' } }, h('label', null, t('common.year')), yearInput, h('div', { class: 'field-error' })),
    h('div', { class: 'sim-part', dataset: { field: 'tierRules' } },
      h('label', null, useRules, ' ', t('sim.part.tierRules')),
      role === 'analyst' ? h('p', { class: 'hint' }, t('sim.grid')) : null,
      editor.el,
      h('div', { class: 'field-error', role: 'alert' })),
    Object.values(parts).map(p => p.el),
    h('div', { class: 'buttons' }, run))
  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    clearErrors(form)
    try {
      const body = { year: Number(yearInput.value) }
      if (useRules.checked) body.tierRules = editor.read()
      for (const [key, p] of Object.entries(parts)) {
        const v = p.read()
        if (v !== undefined) body[key] = key === 'targets' && !Array.isArray(v) ? v.targets : v
      }
      const sim = await busy(run, () => api.post('/v1/admin/simulations', body))
      store.navigate(`/simulations?id=${sim.id}`)
    } catch (err) {
      if (err instanceof ApiError) showErrors(form, err)
      else throw err
    }
  })
  if (query.id != null) {
    try {
      const sim = await api.get(`/v1/admin/simulations/${query.id}`)
      result.append(resultView(sim, rerender))
    } catch (err) { result.append(notice('error', err.message)) }
  }
  return h('div', null,
    h('div', { class: 'page-head' }, h('h1', null, t('sim.title'))),
    h('p', { class: 'muted' }, t('sim.intro')),
    // A result reads first; the proposal that made it stays below, to edit and run again.
    result,
    card(t('sim.proposal'), form),
    card(t('sim.history'), table([
      { label: t('common.year'), cell: s => h('a', { href: `/simulations?id=${s.id}` }, String(s.year)) },
      { label: t('sim.parts'), cell: s => s.parts.map(p => t('sim.part.' + p)).join(' · ') },
      { label: t('sim.changedFirms'), class: 'num', cell: s => formatNumber(s.tiersChanged) },
      { label: t('common.state'), cell: s => t('sim.state.' + s.state) },
      { label: '', cell: s => formatDateTime(s.createdAt) }
    ], list.items, { empty: t('common.none') })))
}
