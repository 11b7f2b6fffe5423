/* global location */
// The applicant portal: the firm, its annual figures and tier, open calls,
// its applications from draft to decision, returns and appeals.
import { h, table } from '../dom.js'
import { documentsCard } from './documents.js'
import { t, nameOf, formatNumber, formatDateTime, formatDate, getLang } from '../i18n.js'
import { moneyInput, parseAmount, wanCell } from '../money.js'
import { api, listAll, ApiError, newIdempotencyKey, downloadFile } from '../api.js'
import { store, reference, flash } from '../context.js'
import { apiForm, field, input, textarea, card, badge, facts, notice, busy, showErrors, toast } from '../ui.js'
import { enterpriseAwardsCard } from './funds.js'

export const MONEY_FIELDS = ['operatingRevenue', 'softwareRevenue', 'rdExpense', 'exportRevenue', 'mainBusinessRevenue', 'totalAssets', 'totalLiabilities']
const OPTIONAL_MONEY = new Set(['mainBusinessRevenue', 'totalAssets', 'totalLiabilities'])
export const COUNT_FIELDS = ['employees', 'rdStaff', 'patents', 'softwareCopyrights']

/** States the firm can still edit. */
const EDITABLE = new Set(['draft', 'returned'])
/** States the firm may withdraw from (the state machine's `withdraw` event). */
const WITHDRAWABLE = new Set(['draft', 'returned', 'submitted', 'under_review', 'scored', 'ineligible'])
/** States with a decision letter. */
const DECIDED = new Set(['admitted', 'rejected'])

export function tierBadge (code) {
  if (code == null) return h('span', { class: 'muted' }, '—')
  return h('span', { class: 'badge tier' }, nameOf(store.ref?.tier[code]) ?? code)
}

export async function portalView ({ me }) {
  const ref = await reference()
  const enterpriseId = me.enterpriseId
  const [firm, declarations, calls, applications, inbox, awards] = await Promise.all([
    api.get(`/v1/enterprises/${enterpriseId}`),
    listAll(`/v1/enterprises/${enterpriseId}/declarations`),
    listAll('/v1/calls', { status: 'open' }),
    listAll('/v1/applications'),
    api.get('/v1/me/notifications', { query: { limit: 100 } }),
    enterpriseAwardsCard(enterpriseId)
  ])
  const callById = Object.fromEntries(calls.map(c => [c.id, c]))
  const liveByCall = Object.fromEntries(applications.filter(a => a.state !== 'withdrawn').map(a => [a.callId, a]))

  const thisYear = new Date().getFullYear()
  const yearInput = input('year', { type: 'number', min: 2000, max: thisYear, value: String(thisYear - 1), class: 'year' })
  const declareForm = h('form', { class: 'inline-form', id: 'declare-year' },
    field(t('common.year'), yearInput),
    h('button', { type: 'submit', class: 'primary' }, t('portal.declare')))
  declareForm.addEventListener('submit', (e) => {
    e.preventDefault()
    if (/^\d{4}$/.test(yearInput.value)) store.navigate(`/portal/declarations/${yearInput.value}`)
  })

  const applyButton = (call) => {
    const existing = liveByCall[call.id]
    if (existing != null) return h('a', { href: `/portal/applications/${existing.id}` }, badge(existing.state))
    const key = newIdempotencyKey()
    const button = h('button', { type: 'button', class: 'primary small', dataset: { call: call.id } }, t('portal.apply'))
    button.addEventListener('click', async () => {
      try {
        const created = await busy(button, () => api.post('/v1/applications', { callId: call.id }, { idempotencyKey: key }))
        flash('success', t('app.created'))
        store.navigate(`/portal/applications/${created.id}`)
      } catch (err) {
        toast(err.message, 'error')
      }
    })
    return button
  }

  return h('div', { class: 'portal' },
    h('div', { class: 'page-head' },
      h('div', null, h('h1', null, t('portal.title')), h('p', { class: 'lead' }, firm.name))),
    h('div', { class: 'grid-2' },
      h('div', null,
        card(t('portal.calls'),
          table([
            { label: t('off.call.title'), cell: c => c.title },
            { label: t('common.program'), cell: c => nameOf(ref.program[c.program]) },
            { label: t('common.year'), cell: c => String(c.year) },
            { label: t('portal.closesAt'), cell: c => formatDateTime(c.closesAt) },
            { label: '', cell: applyButton }
          ], calls, { empty: t('portal.noCalls') })),
        card(t('portal.applications'),
          table([
            { label: t('off.call.title'), cell: a => h('a', { href: `/portal/applications/${a.id}` }, callById[a.callId]?.title ?? nameOf(ref.program[a.program])) },
            { label: t('common.program'), cell: a => nameOf(ref.program[a.program]) },
            { label: t('common.state'), cell: a => badge(a.state) },
            { label: t('common.updated'), cell: a => formatDateTime(a.updatedAt) }
          ], applications, { empty: t('portal.noApplications') })),
        card(t('portal.declarations'),
          declarations.length === 0 ? notice('info', t('portal.noDeclarations')) : null,
          table([
            { label: t('common.year'), cell: d => h('a', { href: `/portal/declarations/${d.year}` }, String(d.year)) },
            { label: t('decl.operatingRevenue.wan'), class: 'num', cell: d => wanCell(d.operatingRevenue) },
            { label: t('decl.rdExpense.wan'), class: 'num', cell: d => wanCell(d.rdExpense) },
            { label: t('decl.employees'), class: 'num', cell: d => formatNumber(d.employees) },
            { label: t('decl.tier'), cell: d => tierBadge(d.tier) }
          ], [...declarations].sort((a, b) => b.year - a.year)),
          h('div', { class: 'buttons' }, declareForm)),
        awards),
      card(t('portal.profile'), facts([
        [t('register.name'), firm.name],
        [t('register.uscc'), h('span', { class: 'code' }, firm.uscc)],
        [t('common.tier'), h('span', null, tierBadge(firm.currentTier), firm.latestDeclarationYear != null ? h('span', { class: 'muted' }, ` (${firm.latestDeclarationYear})`) : null)],
        [t('register.district'), nameOf(ref.district[firm.districtCode])],
        [t('dash.by.domain'), firm.domains.map(d => nameOf(ref.domain[d])).join(getLang() === 'zh' ? '、' : ', ')],
        [t('register.foundedOn'), formatDate(firm.foundedOn)],
        [t('off.pool'), (firm.poolMemberships ?? []).length === 0
          ? t('common.none')
          : h('div', null, firm.poolMemberships.map(m => h('div', null, nameOf(ref.program[m.program]), ' ', badge(m.status))))]
      ]), membershipCards(firm.poolMemberships ?? [], inbox.items ?? [])))
  )
}

/** Each pool membership: program, status, term, why it is in that status and what the firm can do (from the latest notice about it). */
function membershipCards (memberships, notifications) {
  if (memberships.length === 0) return null
  const zh = getLang() === 'zh'
  const latest = (id) => notifications.find(n => n.kind === 'membership_changed' && n.payload?.membershipId === id)?.payload
  return card(t('portal.membership'), [...memberships].reverse().map(m => {
    const news = latest(m.id)
    return h('div', { class: 'membership', dataset: { membership: m.id } },
      h('h3', null, nameOf(store.ref.program[m.program]) ?? m.program, ' ', badge(m.status), m.direct ? h('span', { class: 'muted' }, ` · ${t('portal.membership.direct')}`) : null),
      facts([
        [t('portal.membership.term'), `${formatDate(m.validFrom)} – ${formatDate(m.validUntil)}`],
        [t('common.tier'), tierBadge(m.currentTier)],
        m.statusReason != null ? [t('portal.membership.reason'), news?.reason === m.statusReason && zh && news.reasonZh != null ? news.reasonZh : m.statusReason] : null,
        news != null ? [t('portal.membership.next'), zh ? news.adviceZh : news.advice] : null,
        m.barredUntil != null ? ['', notice('warn', t('portal.membership.barred', { date: formatDate(m.barredUntil) }))] : null
      ]))
  }))
}

/** Typed text → the API's value: money stays a decimal string (commas dropped), counts become integers. */
function declarationBody (values) {
  const body = {}
  for (const k of MONEY_FIELDS) {
    const v = values[k]
    if (v == null) { if (!OPTIONAL_MONEY.has(k)) body[k] = ''; continue }
    // 元 or 万元 (the field's unit switch, or a unit typed after the figure) → exact yuan; unparseable text goes as typed, for the API to name.
    const parsed = parseAmount(v, values[`${k}__unit`] ?? 'yuan')
    body[k] = parsed?.yuan ?? v.replace(/[,\s]/g, '')
  }
  for (const k of COUNT_FIELDS) {
    const v = values[k]
    body[k] = v != null && /^\d+$/.test(v) ? Number(v) : (v ?? '')
  }
  return body
}

export async function declarationView ({ params, me }) {
  const year = Number(params[0])
  const path = `/v1/enterprises/${me.enterpriseId}/declarations/${year}`
  let existing = null
  try {
    existing = await api.get(path)
  } catch (err) {
    if (!(err instanceof ApiError && err.status === 404 && err.code !== 'ROUTE_NOT_FOUND')) throw err
  }
  const moneyField = (k) => {
    const money = moneyInput(k, { value: existing?.[k] ?? '' })
    const f = field(t('decl.' + k + '.plain'), money.el, { hint: OPTIONAL_MONEY.has(k) ? undefined : t('decl.money.hint') })
    const row = h('div', { class: 'money-row' })
    money.el.replaceWith(row)
    row.append(money.el, money.unitSelect)
    f.insertBefore(money.words, f.querySelector('.field-error'))
    return f
  }
  const countField = (k) => field(t('decl.' + k), input(k, { type: 'number', min: 0, step: 1, value: existing?.[k] != null ? String(existing[k]) : '' }))
  const form = apiForm({ id: 'declaration-form' }, [
    h('div', { class: 'fields' }, MONEY_FIELDS.map(moneyField), COUNT_FIELDS.map(countField)),
    h('div', { class: 'buttons' },
      h('button', { type: 'submit', class: 'primary' }, t('common.save')),
      h('a', { href: '/portal', class: 'button' }, t('common.back')))
  ], async (values) => {
    const saved = await api.put(path, declarationBody(values), { ifMatch: existing?.version })
    flash('success', t('portal.declareSaved', { year, tier: nameOf(store.ref.tier[saved.tier]) }))
    store.navigate(location.pathname, { replace: true })
  })
  return h('div', { class: 'medium' },
    h('div', { class: 'page-head' },
      h('div', null, h('h1', null, t('portal.declareYear', { year })),
        existing != null ? h('p', { class: 'lead', id: 'declared-tier' }, t('decl.tier'), ': ', tierBadge(existing.tier)) : null)),
    card(null, form))
}

const STEPS = ['draft', 'submitted', 'under_review', 'scored', 'decided']

function stepsOf (state) {
  const at = {
    draft: 0, returned: 0, submitted: 1, ineligible: 1, under_review: 2, appealed: 2, scored: 3, admitted: 4, rejected: 4,
    withdrawn: -1
  }[state] ?? 0
  return h('ol', { class: 'steps', 'aria-label': t('app.history') },
    STEPS.map((s, i) => h('li', { class: i < at ? 'done' : i === at ? 'current' : '' },
      s === 'decided' ? t('app.decision') : t('state.' + s))))
}

function failedGates (eligibility) {
  if (eligibility == null) return null
  if (eligibility.passed) return h('p', null, h('span', { class: 'badge state-admitted' }, '✓'), ' ', t('app.eligible'))
  return h('div', null, h('strong', null, t('app.ineligible')),
    h('ul', null, eligibility.failedGates.map(g => h('li', null, getLang() === 'zh' ? g.messageZh : g.message))))
}

export function scoreFacts (score) {
  if (score == null) return null
  return facts([
    [t('off.total'), score.total != null ? String(score.total) : '—'],
    [t('off.grade'), score.grade ?? '—'],
    [t('off.pass'), score.pass == null ? '—' : score.pass ? '✓' : '✗'],
    score.disagreement === true ? [t('off.disagreement'), '⚠'] : null
  ])
}

export async function applicationView ({ params, rerender }) {
  const ref = await reference()
  const id = params[0]
  const app = await api.get(`/v1/applications/${id}`)
  let call = null
  try { call = await api.get(`/v1/calls/${app.callId}`) } catch {}

  const parts = []
  if (app.state === 'returned' && app.returnReason != null) {
    parts.push(notice('warn', h('strong', null, t('app.returnReason'), ': '), h('span', { id: 'return-reason' }, app.returnReason)))
  }
  if (app.decision != null && app.decisionReason != null) {
    parts.push(notice(app.state === 'admitted' ? 'success' : 'info', h('strong', null, t('app.decision'), ': '), app.decisionReason))
  }

  if (EDITABLE.has(app.state)) {
    let version = app.version
    const statement = textarea('statement', { value: app.statement, rows: 10, maxlength: 20000 })
    const form = apiForm({ id: 'application-form' }, [
      h('div', { class: 'fields' }, field(t('app.statement'), statement, { hint: t('app.statement.hint'), wide: true })),
      h('div', { class: 'buttons' },
        h('button', { type: 'submit', name: 'save', class: '' }, t('app.saveDraft')),
        h('button', { type: 'button', id: 'submit-application', class: 'primary' }, t('app.submit')))
    ], async (values) => {
      const saved = await saveStatement(id, values.statement ?? '', version, rerender)
      if (saved != null) { version = saved.version; toast(t('common.saved')) }
    })
    const submitButton = form.querySelector('#submit-application')
    const checkPanel = h('div', { id: 'self-check', 'aria-live': 'polite' })
    const confirmPanel = h('div', { id: 'submit-confirm', 'aria-live': 'polite' })
    const runCheck = async () => {
      const result = await api.post(`/v1/applications/${id}/check`, {})
      checkPanel.replaceChildren(selfCheckPanel(result))
      return result
    }
    const doSubmit = async (button) => {
      try {
        await busy(button, async () => {
          // Save what is on screen first, then submit that version.
          if (statement.value !== app.statement || version !== app.version) {
            const saved = await saveStatement(id, statement.value, version, rerender)
            if (saved == null) return
            version = saved.version
          }
          await api.post(`/v1/applications/${id}/submit`, {}, { ifMatch: version })
        })
        rerender()
      } catch (err) {
        confirmPanel.replaceChildren()
        showErrors(form, err)
      }
    }
    // Submit asks first, with what the self-check says submit would answer.
    submitButton.addEventListener('click', async () => {
      try {
        await busy(submitButton, runCheck)
      } catch (err) { showErrors(form, err); return }
      const yes = h('button', { type: 'button', class: 'primary', id: 'submit-confirmed' }, t('common.confirm'))
      const no = h('button', { type: 'button' }, t('common.cancel'))
      no.addEventListener('click', () => confirmPanel.replaceChildren())
      yes.addEventListener('click', () => { doSubmit(yes) })
      confirmPanel.replaceChildren(notice('warn', h('p', null, t('app.submit.confirm')), h('div', { class: 'buttons' }, yes, no)))
    })
    const check = h('button', { type: 'button', id: 'run-self-check' }, t('app.check.run'))
    check.addEventListener('click', async () => {
      try { await busy(check, runCheck) } catch (err) { checkPanel.replaceChildren(notice('error', err.message)) }
    })
    parts.push(card(null, h('p', { class: 'muted' }, t('app.submitConfirm')), form, confirmPanel))
    parts.push(card(t('app.check'), h('div', { class: 'buttons' }, check), checkPanel))
  } else {
    parts.push(card(t('app.statement'), h('p', { class: 'statement' }, app.statement === '' ? t('common.none') : app.statement)))
  }

  parts.push(await documentsCard(id, { editable: EDITABLE.has(app.state), onChange: rerender }))
  if (app.eligibility != null) parts.push(card(t('app.eligibility'), failedGates(app.eligibility)))
  if (app.score != null && Object.keys(app.score).length > 0) parts.push(card(t('app.score'), scoreFacts(app.score)))

  if (app.state === 'rejected' && (app.appealCount ?? 0) === 0) {
    const key = newIdempotencyKey()
    parts.push(card(t('app.appeal'), apiForm({ id: 'appeal-form' }, [
      h('div', { class: 'fields' }, field(t('app.appeal.grounds'), textarea('grounds', { rows: 5 }), { wide: true })),
      h('div', { class: 'buttons' }, h('button', { type: 'submit', class: 'primary' }, t('app.appeal')))
    ], async (values) => {
      await api.post(`/v1/applications/${id}/appeal`, { grounds: values.grounds ?? '' }, { idempotencyKey: key })
      flash('success', t('app.appeal.done'))
      rerender()
    })))
  }

  const actions = []
  const withdrawPanel = h('div', { id: 'withdraw-confirm', 'aria-live': 'polite' })
  if (WITHDRAWABLE.has(app.state)) {
    const withdraw = h('button', { type: 'button', class: 'danger', id: 'withdraw' }, t('app.withdraw'))
    withdraw.addEventListener('click', () => {
      const yes = h('button', { type: 'button', class: 'danger', id: 'withdraw-confirmed' }, t('common.confirm'))
      const no = h('button', { type: 'button' }, t('common.cancel'))
      no.addEventListener('click', () => withdrawPanel.replaceChildren())
      yes.addEventListener('click', async () => {
        try {
          await busy(yes, () => api.post(`/v1/applications/${id}/withdraw`, {}, { ifMatch: app.version }))
          rerender()
        } catch (err) { toast(err.message, 'error') }
      })
      withdrawPanel.replaceChildren(notice('warn', h('p', null, t('app.withdraw.confirm')), h('div', { class: 'buttons' }, yes, no)))
    })
    actions.push(withdraw)
  }
  if (DECIDED.has(app.state)) {
    const letter = h('button', { type: 'button', class: 'primary', id: 'download-letter' }, t('app.letter'))
    letter.addEventListener('click', async () => {
      try { await busy(letter, () => downloadFile(`/v1/applications/${id}/letter`, `letter-${id}.pdf`)) } catch (err) { toast(err.message, 'error') }
    })
    actions.push(letter)
  }
  const timeline = await api.get(`/v1/applications/${id}/history`, { query: { limit: 100 } }).catch(() => null)

  return h('div', { class: 'medium' },
    h('div', { class: 'page-head' },
      h('div', null,
        h('h1', null, call?.title ?? nameOf(ref.program[app.program])),
        h('p', { class: 'lead' }, nameOf(ref.program[app.program]), ' · ', t('common.state'), ': ', h('span', { id: 'application-state' }, badge(app.state)))),
      h('div', { class: 'actions' }, h('a', { href: '/portal', class: 'button' }, t('common.back')), actions)),
    card(t('app.history'), stepsOf(app.state), facts([
      [t('portal.window'), call != null ? `${formatDateTime(call.opensAt)} – ${formatDateTime(call.closesAt)}` : '—'],
      app.submittedAt != null ? [t('state.submitted'), formatDateTime(app.submittedAt)] : null,
      app.decidedAt != null ? [t('app.decision'), formatDateTime(app.decidedAt)] : null,
      [t('common.updated'), formatDateTime(app.updatedAt)]
    ])),
    withdrawPanel,
    parts,
    timeline == null ? null : card(t('app.timeline'), historyTable(timeline.items)))
}

/** What the self-check (POST /v1/applications/:id/check) says submit would answer. */
function selfCheckPanel (r) {
  const zh = getLang() === 'zh'
  const problems = []
  if (r.refusal != null) problems.push(notice('error', h('strong', null, t('app.check.refusal'), ': '), h('span', { class: 'code' }, r.refusal)))
  if (r.missingDocuments.length > 0) {
    problems.push(notice('warn', h('strong', null, t('app.check.missing')),
      h('ul', { id: 'missing-documents' }, r.missingDocuments.map(d => h('li', null, zh ? d.nameZh : d.nameEn)))))
  }
  if (r.failedGates.length > 0) {
    problems.push(notice('warn', h('strong', null, t('app.check.gates')), h('ul', null, r.failedGates.map(g => h('li', null, zh ? g.messageZh : g.message)))))
  }
  return h('div', null,
    problems.length === 0 ? notice('success', t('app.check.ok')) : problems,
    r.autoScores?.total != null ? facts([[t('app.check.auto'), String(r.autoScores.total)]]) : null)
}

/** An application's history (GET /v1/applications/:id/history): when, what, who (by role, or by name where shown), the states and the reason. */
export function historyTable (items) {
  return h('div', { class: 'table-wrap history' }, table([
    { label: t('audit.at'), class: 'nowrap', cell: e => formatDateTime(e.at) },
    { label: t('audit.action'), cell: e => h('span', { class: 'code' }, e.action) },
    { label: t('audit.actor'), cell: e => [e.actorRole != null ? t('role.' + e.actorRole) : '—', e.actorName != null ? ` · ${e.actorName}` : ''] },
    { label: t('off.history.from'), cell: e => e.from != null || e.to != null ? [e.from != null ? badge(e.from) : '', ' → ', e.to != null ? badge(e.to) : ''] : '' },
    { label: t('common.reason'), cell: e => e.reason ?? '' }
  ], items, { empty: t('common.none') }))
}

/** PATCH the statement; on a stale version reload the page with a notice (returns null). */
async function saveStatement (id, statement, version, rerender) {
  try {
    return await api.patch(`/v1/applications/${id}`, { statement }, { ifMatch: version })
  } catch (err) {
    if (err instanceof ApiError && err.code === 'VERSION_MISMATCH') {
      flash('warn', t('app.versionMismatch'))
      rerender()
      return null
    }
    throw err
  }
}
