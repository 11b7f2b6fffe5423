// The officer console: calls (open one), per-call progress and automatic
// assignment, the meeting list (by score, CSV/Excel, batch decisions),
// overdue reviews to reassign, one application (return, decide, reassign a
// review, its history), and the
// yearly re-evaluation of the pool (preview, then apply), direct admission
// and revocation.
import { h, table } from '../dom.js'
import { t, nameOf, formatDateTime, getLang } from '../i18n.js'
import { api, listAll, downloadCsv, downloadFile, ApiError, newIdempotencyKey } from '../api.js'
import { store, reference, flash } from '../context.js'
import { apiForm, field, input, select, textarea, card, badge, facts, notice, meter, busy, toast } from '../ui.js'
import { tierBadge, scoreFacts, historyTable } from './portal.js'
import { auditTrail } from './admin.js'
import { documentsCard } from './documents.js'

/** datetime-local ("2026-12-01T09:00", local time) → RFC 3339 in UTC. */
function isoFromLocal (value) {
  if (value == null || value === '') return ''
  const d = new Date(value)
  return Number.isNaN(d.getTime()) ? value : d.toISOString()
}
function localInputValue (date) {
  const pad = (n) => String(n).padStart(2, '0')
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`
}

/** One application's row of GET /v1/calls/:id/progress → a small meter of reviews done / assigned. */
function progressCell (p) {
  if (p == null) return '—'
  const assigned = p.assigned - (p.recused ?? 0)
  return h('div', { class: 'progress-cell' }, h('div', { class: 'muted' }, `${p.submitted} / ${assigned}`),
    meter(assigned <= 0 ? 0 : p.submitted / assigned, { met: assigned > 0 && p.submitted === assigned }))
}

export async function officerView () {
  const ref = await reference()
  const calls = await listAll('/v1/calls')
  const key = newIdempotencyKey()
  const now = new Date()
  const thisYear = now.getFullYear()
  const callForm = apiForm({ id: 'call-form' }, [
    h('div', { class: 'fields' },
      field(t('off.call.title'), input('title'), { wide: true }),
      field(t('common.program'), select('program', ref.programs.map(p => ({ value: p.code, label: nameOf(p) })))),
      field(t('common.year'), input('year', { type: 'number', value: String(thisYear - 1), min: 2000, max: 2100 })),
      field(t('off.call.opensAt'), input('opensAt', { type: 'datetime-local', value: localInputValue(now) })),
      field(t('off.call.closesAt'), input('closesAt', { type: 'datetime-local', value: localInputValue(new Date(now.getTime() + 30 * 86400_000)) })),
      field(t('off.call.reviewers'), input('reviewersPerApplication', { type: 'number', min: 1, max: 15, value: '3' }))),
    h('div', { class: 'buttons' }, h('button', { type: 'submit', class: 'primary' }, t('off.newCall')))
  ], async (values) => {
    const created = await api.post('/v1/calls', {
      program: values.program,
      year: /^\d+$/.test(values.year ?? '') ? Number(values.year) : values.year,
      title: values.title ?? '',
      opensAt: isoFromLocal(values.opensAt),
      closesAt: isoFromLocal(values.closesAt),
      reviewersPerApplication: /^\d+$/.test(values.reviewersPerApplication ?? '') ? Number(values.reviewersPerApplication) : values.reviewersPerApplication
    }, { idempotencyKey: key })
    flash('success', t('off.call.created'))
    store.navigate(`/officer/calls/${created.id}`)
  })

  return h('div', null,
    h('div', { class: 'page-head' }, h('h1', null, t('off.title'))),
    h('div', { class: 'grid-2' },
      h('div', null,
        card(t('off.calls'), h('div', { class: 'table-wrap' }, table([
          { label: t('off.call.title'), cell: c => h('a', { href: `/officer/calls/${c.id}` }, c.title) },
          { label: t('common.program'), cell: c => nameOf(ref.program[c.program]) },
          { label: t('common.year'), cell: c => String(c.year) },
          { label: t('common.state'), cell: c => badge(c.status) },
          { label: t('portal.closesAt'), cell: c => formatDateTime(c.closesAt) }
        ], calls, { empty: t('common.none') }))),
        reevaluateCard()),
      h('div', null, card(t('off.newCall'), callForm), await poolCard(), directAdmissionCard(ref), await membersCard(), revokeCard())))
}

const CHANGE_KINDS = ['renewed', 'warned', 'exited', 'graduated', 'expired', 'promoted', 'demoted']
const asYear = (v) => /^\d+$/.test(v ?? '') ? Number(v) : v

/** Re-evaluation in two steps: a preview (a table, filterable by kind, counts on top), then apply after a confirmation repeating the counts. */
function reevaluateCard () {
  const report = h('div', { id: 'reevaluation-report', 'aria-live': 'polite' })
  const form = apiForm({ id: 'reevaluate-form', class: '' }, [
    h('p', { class: 'muted' }, t('off.reevaluate.lead')),
    h('div', { class: 'inline-form' },
      field(t('common.year'), input('year', { type: 'number', value: String(new Date().getFullYear() - 1), min: 2000, max: 2100 })),
      h('button', { type: 'submit', class: 'primary' }, t('off.re.preview')))
  ], async (values) => {
    const r = await api.post('/v1/pool/reevaluations', { year: asYear(values.year) })
    report.replaceChildren(previewPanel(r))
  })
  return card(t('off.reevaluate'), form, report)
}

function previewPanel (r) {
  const tierName = (code) => nameOf(store.ref.tier[code]) ?? code
  const programName = (code) => nameOf(store.ref.program[code]) ?? code
  const zh = getLang() === 'zh'
  const describe = (c) => c.kind === 'promoted' || c.kind === 'demoted'
    ? `${tierName(c.from)} → ${tierName(c.to)}`
    : c.kind === 'graduated' ? `${programName(c.from)} → ${programName(c.to)}` : (c.validUntil != null && c.kind === 'renewed' ? `→ ${c.validUntil}` : '')
  const rows = h('div', { class: 'table-wrap' })
  const show = (kind) => rows.replaceChildren(table([
    { label: t('common.firm'), cell: c => c.enterpriseName },
    { label: t('common.program'), cell: c => programName(c.program) },
    { label: t('off.re.kind'), cell: c => badge(c.kind) },
    { label: t('off.re.change'), cell: describe },
    { label: t('common.reason'), cell: c => zh ? c.reasonZh : c.reason }
  ], kind === '' ? r.changes : r.changes.filter(c => c.kind === kind), { empty: t('common.none') }))
  const filter = select('kind', [{ value: '', label: t('off.re.allKinds') }, ...CHANGE_KINDS.map(k => ({ value: k, label: `${t('state.' + k)} (${r.counts[k]})` }))])
  filter.addEventListener('change', () => show(filter.value))
  show('')

  const csv = h('button', { type: 'button', class: 'small' }, t('common.csv'))
  csv.addEventListener('click', async () => {
    try { await busy(csv, () => downloadCsv(`/v1/pool/reevaluations/${r.id}`, {}, `reevaluation-${r.year}.csv`)) } catch (err) { toast(err.message, 'error') }
  })
  const actions = h('div', { class: 'buttons' }, csv)
  const status = h('div', { 'aria-live': 'polite' })
  if (r.state === 'previewed') {
    const apply = h('button', { type: 'button', class: 'primary', id: 'reevaluation-apply' }, t('off.re.apply'))
    apply.addEventListener('click', () => {
      const yes = h('button', { type: 'button', class: 'danger', id: 'reevaluation-confirm' }, t('common.confirm'))
      const no = h('button', { type: 'button' }, t('common.cancel'))
      no.addEventListener('click', () => status.replaceChildren())
      yes.addEventListener('click', async () => {
        try {
          const applied = await busy(yes, () => api.post(`/v1/pool/reevaluations/${r.id}/apply`))
          status.replaceChildren(notice('success', t('off.re.applied')))
          apply.remove()
          toast(t('off.re.applied'))
          r.state = applied.state
        } catch (err) {
          status.replaceChildren(notice('error', err instanceof ApiError && err.code === 'STALE_PREVIEW' ? t('off.re.stale') : err.message))
        }
      })
      status.replaceChildren(notice('warn', h('p', null, t('off.re.confirm', { year: r.year, ...r.counts })), h('div', { class: 'buttons' }, yes, no)))
    })
    actions.append(apply)
  }
  return h('div', null,
    r.state === 'previewed' ? notice('info', t('off.re.previewNote')) : notice('success', t('off.re.applied')),
    facts([
      [t('common.year'), String(r.year)],
      [t('off.re.evaluated'), String(r.evaluated)],
      ...CHANGE_KINDS.map(k => [t('state.' + k), String(r.counts[k])]),
      [t('off.re.unchanged'), String(r.unchanged)]
    ]),
    field(t('off.re.kind'), filter),
    rows, actions, status)
}

/** Direct admission (直通) and revocation, each with a reason. */
function directAdmissionCard (ref) {
  const result = h('div', { 'aria-live': 'polite' })
  const chosen = h('div', { id: 'direct-chosen', 'aria-live': 'polite' })
  const key = newIdempotencyKey()
  const form = apiForm({ id: 'direct-admission-form' }, [
    h('p', { class: 'muted' }, t('off.direct.lead')),
    firmPicker((firm) => {
      const idInput = form.querySelector('input[name=enterpriseId]')
      idInput.value = firm.id
      chosen.replaceChildren(notice('info', `${firm.name} · ${firm.uscc}`, firm.currentTier != null ? [' · ', tierBadge(firm.currentTier)] : null))
    }),
    chosen,
    h('div', { class: 'fields' },
      field(t('off.direct.enterprise'), input('enterpriseId', { class: 'mono' }), { wide: true }),
      field(t('common.program'), select('program', ref.programs.map(p => ({ value: p.code, label: nameOf(p) })), { value: 'leading_platform' })),
      field(t('off.direct.basis'), input('basis', { value: 'ten_billion_tier' })),
      field(t('common.reason'), textarea('reason', { rows: 3 }), { wide: true })),
    h('div', { class: 'buttons' }, h('button', { type: 'submit', class: 'primary' }, t('off.direct')))
  ], async (values) => {
    const r = await api.post('/v1/pool/admissions', { enterpriseId: values.enterpriseId ?? '', program: values.program, basis: values.basis ?? '', reason: values.reason ?? '' }, { idempotencyKey: key })
    result.replaceChildren(notice('success', t('off.direct.done', { until: formatDateTime(r.noticeEndsAt) })))
  })
  return card(t('off.direct'), form, result)
}

function revokeCard () {
  const result = h('div', { 'aria-live': 'polite' })
  const form = apiForm({ id: 'revoke-form' }, [
    h('p', { class: 'muted' }, t('off.revoke.lead')),
    h('div', { id: 'revoke-target', 'aria-live': 'polite' }),
    h('div', { class: 'fields' },
      field(t('off.revoke.membership'), input('membershipId'), { wide: true }),
      field(t('off.revoke.barYears'), input('barYears', { type: 'number', min: 0, max: 10, placeholder: '3' })),
      field(t('common.reason'), textarea('reason', { rows: 3 }), { wide: true })),
    h('div', { class: 'buttons' }, h('button', { type: 'submit', class: 'danger' }, t('off.revoke')))
  ], async (values) => {
    const body = { reason: values.reason ?? '' }
    if (values.barYears != null && values.barYears !== '') body.barYears = asYear(values.barYears)
    await api.post(`/v1/pool/memberships/${encodeURIComponent(values.membershipId ?? '')}/revoke`, body)
    result.replaceChildren(notice('success', t('off.revoke.done')))
  })
  return h('div', { id: 'revoke-card' }, card(t('off.revoke'), form, result))
}

/**
 * Finds a firm in the register by part of its name or the start of its
 * credit code (GET /v1/enterprises?q=) and hands the chosen one to `onPick`.
 */
function firmPicker (onPick) {
  const search = h('input', { type: 'search', id: 'firm-search', placeholder: t('off.pick.placeholder'), 'aria-label': t('off.pick'), autocomplete: 'off' })
  const results = h('ul', { class: 'picker-results', id: 'firm-results', role: 'listbox', 'aria-label': t('off.pick') })
  let seq = 0
  let timer = null
  const run = async () => {
    const q = search.value.trim()
    const mine = ++seq
    if (q.length < 2) { results.replaceChildren(); return }
    try {
      const page = await api.get('/v1/enterprises', { query: { q, limit: 10 } })
      if (mine !== seq) return
      results.replaceChildren(...(page.items.length === 0
        ? [h('li', { class: 'muted' }, t('common.none'))]
        : page.items.map(firm => {
          const pick = h('button', { type: 'button', class: 'link', role: 'option', dataset: { enterprise: firm.id } },
            firm.name, ' ', h('span', { class: 'mono muted' }, firm.uscc), firm.currentTier != null ? [' ', tierBadge(firm.currentTier)] : null)
          pick.addEventListener('click', () => { results.replaceChildren(); search.value = firm.name; onPick(firm) })
          return h('li', null, pick)
        })))
    } catch (err) { if (mine === seq) results.replaceChildren(h('li', null, notice('error', err.message))) }
  }
  search.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(run, 250) })
  search.addEventListener('keydown', (e) => { if (e.key === 'Enter') { e.preventDefault(); clearTimeout(timer); run() } })
  return h('div', { class: 'field wide picker' }, h('label', { for: 'firm-search' }, t('off.pick')), search, results)
}

const LIVE = 'active,warned'

/** The pool's members, a page at a time, each with the way to revoke it. */
async function membersCard () {
  const body = h('div', { id: 'pool-members', class: 'table-wrap' })
  const more = h('button', { type: 'button', class: 'small' }, t('off.members.more'))
  const status = select('status', [
    { value: LIVE, label: t('off.members.live') },
    ...['notice', 'active', 'warned', 'expired', 'exited', 'revoked', 'graduated'].map(s => ({ value: s, label: t('state.' + s) }))
  ])
  let items = []
  let cursor = null
  const revoke = (m) => {
    const form = document.getElementById('revoke-form')
    if (form == null) return
    form.querySelector('input[name=membershipId]').value = m.id
    const target = document.getElementById('revoke-target')
    if (target != null) target.replaceChildren(notice('warn', `${m.enterpriseName} · ${nameOf(store.ref.program[m.program]) ?? m.program}`))
    form.scrollIntoView({ block: 'center' })
    form.querySelector('textarea[name=reason]')?.focus()
  }
  const render = () => body.replaceChildren(table([
    { label: t('common.firm'), cell: m => h('span', { title: m.uscc }, m.enterpriseName) },
    { label: t('common.program'), cell: m => nameOf(store.ref.program[m.program]) ?? m.program },
    { label: t('common.tier'), cell: m => tierBadge(m.currentTier) },
    { label: t('common.state'), cell: m => badge(m.status) },
    { label: t('off.members.until'), cell: m => m.validUntil },
    { label: t('off.direct'), cell: m => m.direct ? '✓' : '' },
    {
      label: '',
      cell: m => ['active', 'warned', 'notice'].includes(m.status)
        ? h('button', { type: 'button', class: 'small danger', dataset: { revoke: m.id }, onClick: () => revoke(m) }, t('off.revoke.short'))
        : ''
    }
  ], items, { empty: t('common.none') }))
  const load = async (reset) => {
    if (reset) { items = []; cursor = null }
    const page = await api.get('/v1/pool', { query: { view: 'members', status: status.value, limit: 20, ...(cursor != null ? { cursor } : {}) } })
    items = [...items, ...page.items]
    cursor = page.nextCursor
    more.hidden = cursor == null
    render()
  }
  status.addEventListener('change', () => { load(true).catch(err => toast(err.message, 'error')) })
  more.addEventListener('click', async () => { try { await busy(more, () => load(false)) } catch (err) { toast(err.message, 'error') } })
  await load(true)
  return card(t('off.members'), field(t('common.state'), status), body, h('div', { class: 'buttons' }, more))
}

async function poolCard () {
  const pool = await api.get('/v1/pool', { query: { view: 'aggregates' } })
  const csv = h('button', { type: 'button', class: 'small' }, t('common.csv'))
  csv.addEventListener('click', async () => {
    try { await busy(csv, () => downloadCsv('/v1/pool', { view: 'members' }, 'pool-members.csv')) } catch (err) { toast(err.message, 'error') }
  })
  return card(t('off.pool') + ` (${pool.members})`,
    h('div', { class: 'table-wrap' }, table([
      { label: t('common.program'), cell: a => nameOf(store.ref.program[a.program]) },
      { label: t('common.tier'), cell: a => tierBadge(a.tier) },
      { label: t('common.state'), cell: a => badge(a.status) },
      { label: t('off.direct'), cell: a => a.direct ? '✓' : '' },
      { label: t('dash.firms'), class: 'num', cell: a => String(a.members) }
    ], pool.aggregates)),
    h('div', { class: 'buttons' }, csv))
}

const SORTS = [['-score', 'off.sort.scoreDesc'], ['score', 'off.sort.scoreAsc'], ['-createdAt', 'off.sort.newest']]
/** Applications a batch may decide. */
const DECIDABLE = new Set(['scored', 'appealed'])

export async function callView ({ params, rerender }) {
  const ref = await reference()
  const id = params[0]
  const [call, progress] = await Promise.all([
    api.get(`/v1/calls/${id}`),
    api.get(`/v1/calls/${id}/progress`)
  ])
  const byApp = Object.fromEntries(progress.applications.map(p => [p.applicationId, p]))
  const totals = progress.applications.reduce((acc, p) => {
    acc.done += p.submitted
    acc.assigned += p.assigned - (p.recused ?? 0)
    return acc
  }, { done: 0, assigned: 0 })

  const assign = h('button', { type: 'button', class: 'primary', id: 'auto-assign' }, t('off.autoAssign'))
  const assignResult = h('div', { id: 'assign-result', 'aria-live': 'polite' })
  assign.addEventListener('click', async () => {
    try {
      const r = await busy(assign, () => api.post(`/v1/calls/${id}/assign`, {}))
      const n = new Set(r.assigned.map(a => a.applicationId)).size
      flash(r.short.length > 0 ? 'warn' : 'success', t('off.autoAssigned', { n }) + (r.short.length > 0 ? ' ' + t('off.short', { n: r.short.length }) : ''))
      rerender()
    } catch (err) {
      assignResult.replaceChildren(notice('error', h('span', { dataset: { code: err.code ?? '' } }, err.message)))
    }
  })

  const overdue = progress.reviewers.flatMap(r => (r.overdueReviews ?? []).map(o => ({ ...o, name: r.name })))
  return h('div', null,
    h('div', { class: 'page-head' },
      h('div', null, h('h1', null, call.title),
        h('p', { class: 'lead' }, nameOf(ref.program[call.program]), ' · ', String(call.year), ' · ', badge(call.status), ' · ',
          formatDateTime(call.opensAt), ' – ', formatDateTime(call.closesAt),
          call.reviewDueAt != null ? [' · ', t('off.dueAt'), ' ', formatDateTime(call.reviewDueAt)] : null)),
      h('div', { class: 'actions' }, h('a', { class: 'button', href: '/officer' }, t('common.back')), assign)),
    assignResult,
    await meetingCard(call, byApp, rerender),
    h('div', { class: 'grid-2' },
      h('div', null,
        card(t('off.reviewsProgress'),
          h('p', { id: 'call-progress' }, t('off.reviewsDone', { done: totals.done, total: totals.assigned })),
          meter(totals.assigned === 0 ? 0 : totals.done / totals.assigned, { met: totals.assigned > 0 && totals.done === totals.assigned }),
          h('h3', null, t('off.reviewers')),
          table([
            { label: t('off.reviewers'), cell: r => r.name },
            { label: t('off.reviewsProgress'), cell: r => progressCell({ assigned: r.assigned, submitted: r.submitted }) },
            { label: t('off.overdue'), class: 'num', cell: r => r.overdue > 0 ? h('strong', { class: 'overdue' }, String(r.overdue)) : '0' }
          ], progress.reviewers)),
        overdue.length === 0
          ? null
          : card(`${t('off.overdue')} (${overdue.length})`, h('div', { class: 'table-wrap', id: 'overdue-reviews' }, table([
            { label: t('common.firm'), cell: o => h('a', { href: `/officer/applications/${o.applicationId}` }, o.firm) },
            { label: t('off.reviewers'), cell: o => o.name },
            { label: '', cell: o => reassignControl(o.reviewId, rerender) }
          ], overdue)))),
      card(t('common.state'), facts(Object.entries(progress.applicationsByState).map(([state, n]) => [badge(state), String(n)])))))
}

/**
 * The meeting list: the call's applications sorted by score with rank,
 * firm, credit code, tier, total, grade and disagreement (GET
 * /v1/applications?callId=&sort=), CSV and Excel downloads of the same, and
 * batch decisions sent at once after a confirmation repeating the counts.
 */
async function meetingCard (call, byApp, rerender) {
  const body = h('div', { class: 'table-wrap', id: 'meeting-list' })
  const sort = select('sort', SORTS.map(([value, key]) => ({ value, label: t(key) })), { id: 'meeting-sort' })
  const status = h('div', { id: 'batch-status', 'aria-live': 'polite' })
  let rows = []
  const choices = new Map()
  const load = async () => {
    rows = await listAll('/v1/applications', { callId: call.id, sort: sort.value })
    render()
  }
  const choiceCell = (a) => {
    if (!DECIDABLE.has(a.state)) return a.decision != null ? badge(a.state) : ''
    const pick = select(`decision-${a.id}`, [
      { value: '', label: t('off.batch.none') }, { value: 'admit', label: t('off.admit') }, { value: 'reject', label: t('off.reject') }
    ], { dataset: { application: a.id }, 'aria-label': `${t('off.decide')} ${a.firmName}` })
    const reason = h('input', { type: 'text', name: `reason-${a.id}`, placeholder: t('off.decision.reason'), 'aria-label': t('off.decision.reason'), class: 'small' })
    const chosen = choices.get(a.id)
    if (chosen != null) { pick.value = chosen.decision; reason.value = chosen.reason }
    const keep = () => {
      if (pick.value === '') choices.delete(a.id)
      else choices.set(a.id, { decision: pick.value, reason: reason.value.trim() })
    }
    pick.addEventListener('change', keep)
    reason.addEventListener('input', keep)
    return h('div', { class: 'batch-choice' }, pick, reason)
  }
  const render = () => body.replaceChildren(table([
    { label: t('off.rank'), class: 'num', cell: a => a.rank != null ? String(a.rank) : '—' },
    { label: t('common.firm'), cell: a => h('a', { href: `/officer/applications/${a.id}` }, a.firmName ?? a.enterpriseId.slice(0, 8)) },
    { label: t('register.uscc'), cell: a => h('span', { class: 'code' }, a.uscc ?? '') },
    { label: t('common.tier'), cell: a => tierBadge(a.tier) },
    { label: t('common.state'), cell: a => badge(a.state) },
    { label: t('off.reviewsProgress'), cell: a => progressCell(byApp[a.id]) },
    { label: t('off.total'), class: 'num', cell: a => a.total ?? '—' },
    { label: t('off.grade'), cell: a => a.grade ?? '—' },
    { label: t('off.disagreement'), cell: a => a.disagreement === true ? '⚠' : '' },
    { label: t('off.decide'), cell: choiceCell }
  ], rows, { empty: t('common.none') }))
  sort.addEventListener('change', () => { load().catch(err => toast(err.message, 'error')) })

  const filename = `applications-${call.year}-${call.id.slice(0, 8)}`
  const csv = h('button', { type: 'button', class: 'small', id: 'meeting-csv' }, t('common.csv'))
  csv.addEventListener('click', async () => {
    try { await busy(csv, () => downloadCsv('/v1/applications', { callId: call.id, sort: sort.value }, `${filename}.csv`)) } catch (err) { toast(err.message, 'error') }
  })
  const xlsx = h('button', { type: 'button', class: 'small', id: 'meeting-xlsx' }, t('off.xlsx'))
  xlsx.addEventListener('click', async () => {
    const q = new URLSearchParams({ callId: call.id, sort: sort.value, format: 'xlsx' })
    try { await busy(xlsx, () => downloadFile(`/v1/applications?${q}`, `${filename}.xlsx`)) } catch (err) { toast(err.message, 'error') }
  })

  const send = h('button', { type: 'button', class: 'primary', id: 'batch-send' }, t('off.batch.send'))
  send.addEventListener('click', () => {
    const decisions = [...choices.entries()].map(([applicationId, c]) => ({ applicationId, decision: c.decision, ...(c.reason !== '' ? { reason: c.reason } : {}) }))
    if (decisions.length === 0) { status.replaceChildren(notice('warn', t('off.batch.empty'))); return }
    const admit = decisions.filter(d => d.decision === 'admit').length
    const admitted = rows.filter(a => a.state === 'admitted').length
    const quota = call.quota != null ? t('off.batch.quota', { quota: call.quota, admitted }) : ''
    const yes = h('button', { type: 'button', class: 'danger', id: 'batch-confirm' }, t('common.confirm'))
    const no = h('button', { type: 'button' }, t('common.cancel'))
    no.addEventListener('click', () => status.replaceChildren())
    yes.addEventListener('click', async () => {
      try {
        const r = await busy(yes, () => api.post(`/v1/calls/${call.id}/decisions`, { decisions }))
        flash('success', t('off.batch.done', { admitted: r.admitted, rejected: r.rejected }))
        rerender()
      } catch (err) {
        status.replaceChildren(notice('error', err instanceof ApiError && err.code === 'QUOTA_EXCEEDED' ? t('off.batch.quotaExceeded') : err.message,
          err.fields?.length > 0 ? h('ul', null, err.fields.map(f => h('li', null, f.message))) : null))
      }
    })
    status.replaceChildren(notice('warn', h('p', { id: 'batch-confirm-text' }, t('off.batch.confirm', { total: decisions.length, admit, reject: decisions.length - admit, quota })),
      h('div', { class: 'buttons' }, yes, no)))
  })
  await load()
  return card(t('off.meeting'),
    h('p', { class: 'muted' }, t('off.meeting.lead')),
    h('div', { class: 'inline-form' }, field(t('off.sort'), sort), h('div', { class: 'buttons' }, csv, xlsx)),
    body,
    h('h3', null, t('off.batch')),
    h('p', { class: 'muted' }, t('off.batch.lead')),
    h('div', { class: 'buttons' }, send),
    status)
}

/** A reassign button that asks for the reason, then replaces the reviewer (POST /v1/reviews/:id/reassign). */
function reassignControl (reviewId, rerender) {
  const box = h('div', { class: 'reassign', dataset: { review: reviewId } })
  const open = h('button', { type: 'button', class: 'small', dataset: { reassign: reviewId } }, t('off.reassign'))
  open.addEventListener('click', () => {
    const reason = h('input', { type: 'text', name: 'reason', placeholder: t('off.reassign.reason'), 'aria-label': t('off.reassign.reason') })
    const yes = h('button', { type: 'button', class: 'small danger', dataset: { reassignConfirm: reviewId } }, t('off.reassign.confirm'))
    const no = h('button', { type: 'button', class: 'small' }, t('common.cancel'))
    const msg = h('div', { 'aria-live': 'polite' })
    no.addEventListener('click', () => box.replaceChildren(open))
    yes.addEventListener('click', async () => {
      try {
        await busy(yes, () => api.post(`/v1/reviews/${reviewId}/reassign`, { reason: reason.value.trim() }))
        flash('success', t('off.reassign.done'))
        rerender()
      } catch (err) { msg.replaceChildren(notice('error', err.message)) }
    })
    box.replaceChildren(reason, yes, no, msg)
    reason.focus()
  })
  box.append(open)
  return box
}

export async function officerApplicationView ({ params, me, rerender }) {
  const ref = await reference()
  const id = params[0]
  const app = await api.get(`/v1/applications/${id}`)
  let firm = null
  try { firm = await api.get(`/v1/enterprises/${app.enterpriseId}`) } catch {}
  const snapshot = app.snapshot ?? {}
  const declaration = snapshot.declaration ?? null

  const parts = []
  if (me.role === 'officer' && ['submitted', 'under_review', 'appealed'].includes(app.state)) {
    parts.push(card(t('off.return'), apiForm({ id: 'return-form' }, [
      h('div', { class: 'fields' }, field(t('off.return.reason'), textarea('reason', { rows: 3 }), { wide: true })),
      h('div', { class: 'buttons' }, h('button', { type: 'submit' }, t('off.return')))
    ], async (values) => {
      await api.post(`/v1/applications/${id}/return`, { reason: values.reason ?? '' })
      flash('success', t('off.returned'))
      rerender()
    })))
  }
  if (me.role === 'officer' && ['scored', 'under_review', 'appealed'].includes(app.state)) {
    parts.push(card(t('off.decide'), apiForm({ id: 'decision-form' }, [
      h('div', { class: 'fields' },
        field(t('off.decide'), select('decision', [{ value: 'admit', label: t('off.admit') }, { value: 'reject', label: t('off.reject') }])),
        field(t('off.decision.reason'), textarea('reason', { rows: 3 }), { wide: true, hint: t('off.decision.hint') })),
      h('div', { class: 'buttons' }, h('button', { type: 'submit', class: 'primary' }, t('off.decide')))
    ], async (values) => {
      await api.post(`/v1/applications/${id}/decision`, { decision: values.decision, ...(values.reason != null ? { reason: values.reason } : {}) })
      flash('success', t('off.decided'))
      rerender()
    })))
  }

  const audit = me.role === 'admin' ? card(t('off.audit'), await auditTrail(id)) : null
  const history = await historyCard(id)

  // The current round's reviews, from the call's progress: an officer may reassign an open one.
  let reviews = null
  if (me.role === 'officer') {
    const progress = await api.get(`/v1/calls/${app.callId}/progress`).catch(() => null)
    reviews = progress?.applications.find(p => p.applicationId === id)?.reviews ?? null
  }
  return h('div', null,
    h('div', { class: 'page-head' },
      h('div', null, h('h1', null, firm?.name ?? snapshot.enterprise?.name ?? app.enterpriseId),
        h('p', { class: 'lead' }, nameOf(ref.program[app.program]), ' · ', h('span', { id: 'application-state' }, badge(app.state)))),
      h('div', { class: 'actions' }, h('a', { class: 'button', href: me.role === 'officer' ? `/officer/calls/${app.callId}` : '/audit' }, t('common.back')))),
    h('div', { class: 'grid-2' },
      h('div', null,
        app.returnReason != null ? notice('warn', h('strong', null, t('app.returnReason'), ': '), app.returnReason) : null,
        app.decisionReason != null ? notice('info', h('strong', null, t('app.decision'), ': '), app.decisionReason) : null,
        app.appealGrounds != null ? notice('warn', h('strong', null, t('app.appeal.grounds'), ': '), app.appealGrounds) : null,
        parts,
        card(t('app.statement'), h('p', { class: 'statement' }, app.statement || t('common.none'))),
        await documentsCard(id, { editable: false }).catch(() => null),
        reviews == null
          ? null
          : card(t('off.reviews'), h('div', { class: 'table-wrap', id: 'round-reviews' }, table([
            { label: t('off.reviewers'), cell: r => r.name || r.reviewerId.slice(0, 8) },
            { label: t('common.state'), cell: r => [badge(r.state), r.overdue ? [' ', h('span', { class: 'badge state-returned' }, t('off.overdue'))] : null] },
            { label: '', cell: r => ['assigned', 'draft'].includes(r.state) && app.state === 'under_review' ? reassignControl(r.reviewId, rerender) : '' }
          ], reviews, { empty: t('common.none') }))),
        history,
        audit),
      h('div', null,
        card(t('app.score'), app.score != null ? scoreFacts(app.score) : h('p', { class: 'muted' }, t('common.none'))),
        card(t('portal.profile'), facts([
          [t('register.uscc'), h('span', { class: 'code' }, firm?.uscc ?? snapshot.enterprise?.uscc ?? '—')],
          [t('common.tier'), tierBadge(declaration?.tier ?? firm?.currentTier)],
          [t('common.year'), app.declarationYear != null ? String(app.declarationYear) : '—'],
          [t('app.eligibility'), app.eligibility == null ? '—' : app.eligibility.passed ? t('app.eligible') : t('app.ineligible')],
          [t('state.submitted'), formatDateTime(app.submittedAt)]
        ])))))
}

/** The application's history (GET /v1/applications/:id/history), a page at a time. */
async function historyCard (id) {
  const body = h('div', { id: 'application-history' })
  const more = h('button', { type: 'button', class: 'small' }, t('off.history.more'))
  let items = []
  let cursor = null
  const load = async () => {
    const page = await api.get(`/v1/applications/${id}/history`, { query: { limit: 50, ...(cursor != null ? { cursor } : {}) } })
    items = [...items, ...page.items]
    cursor = page.nextCursor
    more.hidden = cursor == null
    body.replaceChildren(historyTable(items))
  }
  more.addEventListener('click', async () => { try { await busy(more, load) } catch (err) { toast(err.message, 'error') } })
  try {
    await load()
  } catch (err) {
    if (!(err instanceof ApiError)) throw err
    return card(t('off.history'), notice('error', err.message))
  }
  return card(t('off.history'), body, h('div', { class: 'buttons' }, more))
}
