// The officer console: calls (open one), per-call progress and automatic
// assignment, one application (return, decide, its audit trail), and the
// yearly re-evaluation of the pool.
import { h, table } from '../dom.js'
import { t, nameOf, formatDateTime } from '../i18n.js'
import { api, listAll, ApiError, newIdempotencyKey } from '../api.js'
import { store, reference, flash } from '../context.js'
import { apiForm, field, input, select, textarea, card, badge, facts, notice, meter, busy } from '../ui.js'
import { tierBadge, scoreFacts } from './portal.js'
import { auditTrail } from './admin.js'

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

/** Reviews done / assigned for an application, from what the API gives. */
function reviewProgress (a) {
  const p = a.reviewProgress ?? a.reviews
  if (p == null) return null
  if (Array.isArray(p)) {
    const live = p.filter(r => r.state !== 'recused')
    return { done: live.filter(r => r.state === 'submitted').length, assigned: live.length }
  }
  return { done: p.submitted ?? p.done ?? 0, assigned: p.assigned ?? p.total ?? 0 }
}

function progressCell (a) {
  const p = reviewProgress(a)
  if (p == null) return '—'
  return h('div', null, h('div', { class: 'muted' }, `${p.done} / ${p.assigned}`), meter(p.assigned === 0 ? 0 : p.done / p.assigned, { met: p.assigned > 0 && p.done === p.assigned }))
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
        ], calls))),
        reevaluateCard()),
      card(t('off.newCall'), callForm)))
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

/** The re-evaluation report: counts where the API gives them, else the changes listed. */
function reportSummary (r) {
  if (r == null || typeof r !== 'object') return null
  const rows = []
  for (const [k, v] of Object.entries(r)) {
    if (typeof v === 'number' || typeof v === 'string') rows.push([k, String(v)])
    else if (Array.isArray(v)) rows.push([k, String(v.length)])
    else if (v != null && typeof v === 'object') {
      for (const [k2, v2] of Object.entries(v)) if (typeof v2 === 'number') rows.push([`${k}.${k2}`, String(v2)])
    }
  }
  return facts(rows)
}

export async function callView ({ params, rerender }) {
  const ref = await reference()
  const id = params[0]
  const [call, applications] = await Promise.all([
    api.get(`/v1/calls/${id}`),
    listAll('/v1/applications', { callId: id })
  ])
  let progress = null
  try { progress = await api.get(`/v1/calls/${id}/progress`) } catch {}
  const byApp = Object.fromEntries((progress?.applications ?? []).map(p => [p.applicationId ?? p.id, p]))
  const rows = applications.map(a => ({ ...a, reviewProgress: a.reviewProgress ?? byApp[a.id]?.reviews ?? byApp[a.id] }))
  const totals = rows.reduce((acc, a) => {
    const p = reviewProgress(a)
    if (p != null) { acc.done += p.done; acc.assigned += p.assigned }
    return acc
  }, { done: 0, assigned: 0 })

  const assign = h('button', { type: 'button', class: 'primary', id: 'auto-assign' }, t('off.autoAssign'))
  const assignResult = h('div', { id: 'assign-result', 'aria-live': 'polite' })
  assign.addEventListener('click', async () => {
    try {
      const r = await busy(assign, () => api.post(`/v1/calls/${id}/assign`, {}))
      const n = r?.assigned?.length ?? r?.applications ?? r?.assignedApplications ?? r?.count ?? ''
      flash('success', t('off.autoAssigned', { n }))
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
    card(t('off.reviewsProgress'),
      h('p', { id: 'call-progress' }, t('off.reviewsDone', { done: totals.done, total: totals.assigned })),
      meter(totals.assigned === 0 ? 0 : totals.done / totals.assigned, { met: totals.assigned > 0 && totals.done === totals.assigned })),
    card(t('off.applications'), h('div', { class: 'table-wrap' }, table([
      { label: t('common.firm'), cell: a => h('a', { href: `/officer/applications/${a.id}` }, a.enterpriseName ?? a.snapshot?.enterprise?.name ?? a.enterpriseId.slice(0, 8)) },
      { label: t('common.state'), cell: a => badge(a.state) },
      { label: t('off.reviewsProgress'), cell: progressCell },
      { label: t('off.total'), class: 'num', cell: a => a.score?.total != null ? String(a.score.total) : '—' },
      { label: t('state.submitted'), cell: a => formatDateTime(a.submittedAt) }
    ], rows))))
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
        field(t('off.decision.reason'), textarea('reason', { rows: 3 }), { wide: true })),
      h('div', { class: 'buttons' }, h('button', { type: 'submit', class: 'primary' }, t('off.decide')))
    ], async (values) => {
      await api.post(`/v1/applications/${id}/decision`, { decision: values.decision, reason: values.reason ?? '' })
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
