// The officer console: calls (open one), per-call progress and automatic
// assignment, one application (return, decide, its audit trail), and the
// yearly re-evaluation of the pool.
import { h, table } from '../dom.js'
import { t, nameOf, formatDateTime } from '../i18n.js'
import { api, listAll, downloadCsv, ApiError, newIdempotencyKey } from '../api.js'
import { store, reference, flash } from '../context.js'
import { apiForm, field, input, select, textarea, card, badge, facts, notice, meter, busy, toast } from '../ui.js'
import { tierBadge, scoreFacts } from './portal.js'
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
      h('div', null, card(t('off.newCall'), callForm), await poolCard())))
}

function reevaluateCard () {
  const report = h('div', { id: 'reevaluation-report', 'aria-live': 'polite' })
  const form = apiForm({ id: 'reevaluate-form', class: '' }, [
    h('p', { class: 'muted' }, t('off.reevaluate.lead')),
    h('div', { class: 'inline-form' },
      field(t('common.year'), input('year', { type: 'number', value: String(new Date().getFullYear() - 1), min: 2000, max: 2100 })),
      h('button', { type: 'submit', class: 'primary' }, t('off.reevaluate')))
  ], async (values) => {
    const r = await api.post('/v1/pool/reevaluate', { year: /^\d+$/.test(values.year ?? '') ? Number(values.year) : values.year })
    report.replaceChildren(notice('success', h('strong', null, t('off.reevaluated')), reportSummary(r)))
  })
  return card(t('off.reevaluate'), form, report)
}

/** The re-evaluation report: counts, and who moved (firm, program, from → to). */
function reportSummary (r) {
  const tierName = (code) => nameOf(store.ref.tier[code])
  const changes = (key, describe) => r[key].length === 0
    ? null
    : h('li', null, t('off.re.' + key), ': ', r[key].map(c => `${c.enterpriseName} (${nameOf(store.ref.program[c.program])}${describe != null ? ', ' + describe(c) : ''})`).join('; '))
  return h('div', null,
    facts([
      [t('off.re.evaluated'), String(r.evaluated)],
      [t('off.re.promoted'), String(r.promoted.length)],
      [t('off.re.demoted'), String(r.demoted.length)],
      [t('off.re.warned'), String(r.warned.length)],
      [t('off.re.reinstated'), String(r.reinstated.length)],
      [t('off.re.exited'), String(r.exited.length)],
      [t('off.re.unchanged'), String(r.unchanged)]
    ]),
    h('ul', null,
      changes('promoted', c => `${tierName(c.from)} → ${tierName(c.to)}`),
      changes('demoted', c => `${tierName(c.from)} → ${tierName(c.to)}`),
      changes('warned'),
      changes('exited')))
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
      { label: t('dash.firms'), class: 'num', cell: a => String(a.members) }
    ], pool.aggregates)),
    h('div', { class: 'buttons' }, csv))
}

export async function callView ({ params, rerender }) {
  const ref = await reference()
  const id = params[0]
  const [call, applications, progress] = await Promise.all([
    api.get(`/v1/calls/${id}`),
    listAll('/v1/applications', { callId: id }),
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
      assignResult.replaceChildren(notice('error', err.message, ' ', h('span', { class: 'code' }, err.code ?? '')))
    }
  })

  return h('div', null,
    h('div', { class: 'page-head' },
      h('div', null, h('h1', null, call.title),
        h('p', { class: 'lead' }, nameOf(ref.program[call.program]), ' · ', String(call.year), ' · ', badge(call.status), ' · ',
          formatDateTime(call.opensAt), ' – ', formatDateTime(call.closesAt))),
      h('div', { class: 'actions' }, h('a', { class: 'button', href: '/officer' }, t('common.back')), assign)),
    assignResult,
    h('div', { class: 'grid-2' },
      card(t('off.applications'), h('div', { class: 'table-wrap' }, table([
        { label: t('common.firm'), cell: a => h('a', { href: `/officer/applications/${a.id}` }, byApp[a.id]?.firm ?? a.enterpriseId.slice(0, 8)) },
        { label: t('common.state'), cell: a => badge(a.state) },
        { label: t('off.reviewsProgress'), cell: a => progressCell(byApp[a.id]) },
        { label: t('off.total'), class: 'num', cell: a => a.score?.total ?? '—' },
        { label: t('state.submitted'), cell: a => formatDateTime(a.submittedAt) }
      ], applications))),
      h('div', null,
        card(t('off.reviewsProgress'),
          h('p', { id: 'call-progress' }, t('off.reviewsDone', { done: totals.done, total: totals.assigned })),
          meter(totals.assigned === 0 ? 0 : totals.done / totals.assigned, { met: totals.assigned > 0 && totals.done === totals.assigned }),
          h('h3', null, t('off.reviewers')),
          table([
            { label: t('off.reviewers'), cell: r => r.name },
            { label: t('off.reviewsProgress'), cell: r => progressCell({ assigned: r.assigned, submitted: r.submitted }) }
          ], progress.reviewers)),
        card(t('common.state'), facts(Object.entries(progress.applicationsByState).map(([state, n]) => [badge(state), String(n)]))))))
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

  let audit
  if (me.role === 'admin') {
    audit = card(t('off.audit'), await auditTrail(id))
  } else {
    // The audit endpoint is admin-only; use an officer-visible history when the API has one.
    try {
      const history = await api.get(`/v1/applications/${id}/history`)
      const { auditTable } = await import('./admin.js')
      audit = card(t('off.audit'), auditTable(Array.isArray(history) ? history : history.items))
    } catch (err) {
      if (!(err instanceof ApiError)) throw err
      audit = card(t('off.audit'), notice('info', t('off.audit.adminOnly')))
    }
  }

  const reviews = Array.isArray(app.reviews) ? app.reviews : null
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
          : card(t('off.reviewers'), table([
            { label: t('off.reviewers'), cell: r => r.reviewerName ?? r.reviewerId.slice(0, 8) },
            { label: t('common.state'), cell: r => badge(r.state) },
            { label: t('off.total'), class: 'num', cell: r => r.total != null ? String(r.total) : '—' }
          ], reviews)),
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
