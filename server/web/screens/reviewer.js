// The reviewer workbench: my assignments (names and due dates from the paged list) with progress, one application's
// frozen figures and auto-scores, the scoring form of the rubric (ranges
// enforced here and by the API), drafts saved with If-Match, submit, recuse.
import { h, table } from '../dom.js'
import { t, nameOf, getLang, formatMoney, formatNumber, formatDateTime } from '../i18n.js'
import { api, listAll, ApiError, newIdempotencyKey } from '../api.js'
import { store, reference, flash } from '../context.js'
import { apiForm, field, input, textarea, card, badge, facts, notice, meter, busy, showErrors, clearErrors, formValues, toast } from '../ui.js'
import { MONEY_FIELDS, COUNT_FIELDS, tierBadge } from './portal.js'
import { documentsCard } from './documents.js'

const DONE = new Set(['submitted'])
const OPEN = new Set(['assigned', 'draft'])
const OUT = new Set(['recused'])

/** The firm's name for a review: the list item's firmName, or the detail's enterprise. */
function firmName (r) {
  return r.firmName ?? r.application?.enterprise?.name ?? r.applicationId.slice(0, 8)
}

const PAGE = 50

/** The due date, marked when an open review is past it. */
function dueCell (r) {
  if (r.dueAt == null) return '—'
  const late = OPEN.has(r.state) && new Date(r.dueAt).getTime() <= Date.now()
  return h('span', { class: late ? 'overdue' : '' }, formatDateTime(r.dueAt), late ? [' ', h('span', { class: 'badge state-returned' }, t('rev.overdue'))] : null)
}

export async function reviewsView () {
  const ref = await reference()
  // The list carries the firm, program, call and due date: one request per page of 500, never one per review.
  const [rows, conflicts] = await Promise.all([
    listAll('/v1/reviews'),
    listAll('/v1/me/conflicts')
  ])
  // Shown PAGE rows at a time, work still to do first.
  let shown = PAGE
  const body = h('div', { class: 'table-wrap', id: 'review-list' })
  const summary = h('p', { id: 'review-progress' })
  const bar = h('div')
  const more = h('button', { type: 'button', class: 'small', id: 'reviews-more' }, t('rev.more'))
  const render = () => {
    // Work still to do first, soonest due first; then the finished ones, newest first.
    const ordered = [...rows].sort((a, b) =>
      (Number(OPEN.has(b.state)) - Number(OPEN.has(a.state))) ||
      (OPEN.has(a.state) ? String(a.dueAt ?? '9999').localeCompare(String(b.dueAt ?? '9999')) : 0) ||
      String(b.assignedAt).localeCompare(String(a.assignedAt)))
    const counted = rows.filter(r => !OUT.has(r.state))
    const done = counted.filter(r => DONE.has(r.state)).length
    summary.textContent = t('rev.progress', { done, total: counted.length })
    bar.replaceChildren(meter(counted.length === 0 ? 0 : done / counted.length, { label: t('rev.assignments'), met: counted.length > 0 && done === counted.length }))
    body.replaceChildren(table([
      { label: t('common.firm'), cell: r => h('a', { href: `/reviews/${r.id}` }, firmName(r)) },
      { label: t('common.program'), cell: r => nameOf(ref.program[r.program]) ?? r.program ?? '—' },
      { label: t('rev.call'), cell: r => r.callTitle ?? '—' },
      { label: t('rev.dueAt'), cell: dueCell },
      { label: t('common.state'), cell: r => badge(r.state) },
      { label: t('common.updated'), cell: r => formatDateTime(r.submittedAt ?? r.assignedAt) }
    ], ordered.slice(0, shown), { empty: t('rev.none') }))
    more.hidden = ordered.length <= shown
  }
  more.addEventListener('click', () => { shown += PAGE; render() })
  render()
  const key = newIdempotencyKey()
  return h('div', null,
    h('div', { class: 'page-head' }, h('div', null, h('h1', null, t('rev.title')), h('p', { class: 'lead' }, t('rev.assignments')))),
    h('div', { class: 'grid-2' },
      card(t('rev.assignments'), summary, bar, body, h('div', { class: 'buttons' }, more)),
      card(t('rev.conflicts'),
        table([
          { label: t('rev.conflict.uscc'), cell: c => h('span', { class: 'code' }, c.uscc) },
          { label: t('common.reason'), cell: c => c.reason }
        ], conflicts, { empty: t('common.none') }),
        h('h3', null, t('rev.conflict.add')),
        apiForm({ id: 'conflict-form' }, [
          h('div', { class: 'fields' },
            field(t('rev.conflict.uscc'), input('uscc', { class: 'mono', maxlength: 18 }), { wide: true }),
            field(t('common.reason'), input('reason'), { wide: true })),
          h('div', { class: 'buttons' }, h('button', { type: 'submit' }, t('rev.conflict.add')))
        ], async (values) => {
          await api.post('/v1/me/conflicts', { uscc: (values.uscc ?? '').toUpperCase(), reason: values.reason ?? '' }, { idempotencyKey: key })
          store.navigate('/reviews', { replace: true })
        })))
  )
}

/** { indicators: [{ key, points, value, reason }], total } → key → that indicator's result. */
function autoScoreMap (auto) {
  return Object.fromEntries((auto?.indicators ?? []).map(a => [a.key, a]))
}

function figuresTable (declaration) {
  if (declaration == null) return notice('info', t('common.none'))
  return facts([
    declaration.year != null ? [t('common.year'), String(declaration.year)] : null,
    ...MONEY_FIELDS.map(k => [t('decl.' + k), formatMoney(declaration[k])]),
    ...COUNT_FIELDS.map(k => [t('decl.' + k), formatNumber(declaration[k])]),
    declaration.tier != null ? [t('decl.tier'), tierBadge(declaration.tier)] : null
  ])
}

/** A judged score typed by the reviewer → a number in 0..max with at most two decimals, or an error text. */
export function checkScore (raw, max) {
  if (raw === '') return { error: t('common.required') }
  if (!/^\d+(\.\d{1,2})?$/.test(raw)) return { error: t('rev.range', { max }) }
  const n = Number(raw)
  if (n < 0 || n > max) return { error: t('rev.range', { max }) }
  return { value: n }
}

export async function reviewView ({ params, rerender }) {
  await reference()
  const id = params[0]
  const review = await api.get(`/v1/reviews/${id}`)
  const application = review.application
  const rubric = await api.get(`/v1/rubrics/${application.rubricId}`)
  const declaration = application.declaration
  const autoScores = autoScoreMap(application.autoScores)
  const indicators = rubric?.indicators ?? []
  const judged = indicators.filter(i => i.kind === 'judged')
  const auto = indicators.filter(i => i.kind === 'auto')
  const name = (i) => getLang() === 'zh' ? i.nameZh : i.nameEn
  // 评审要点 in the reader's language, the other one when a rubric has only one
  const guidance = (i) => getLang() === 'zh' ? (i.guidanceZh ?? i.guidance) : (i.guidance ?? i.guidanceZh)
  const editable = !DONE.has(review.state) && !OUT.has(review.state)
  let version = review.version

  const scoreInputs = {}
  const scoreRows = judged.map(i => {
    const el = input(`scores.${i.key}`, { type: 'number', min: 0, max: i.max, step: 'any', inputmode: 'decimal', value: review.scores?.[i.key] != null ? String(review.scores[i.key]) : '', disabled: !editable })
    scoreInputs[i.key] = el
    return h('div', { class: 'score-row' }, field(`${name(i)} (${t('rev.range', { max: i.max })})`, el, { hint: guidance(i), name: `scores.${i.key}`, wide: true }))
  })
  const total = h('strong', { id: 'judged-total' }, '0')
  const updateTotal = () => {
    const sum = judged.reduce((s, i) => s + (Number(scoreInputs[i.key].value) || 0), 0)
    total.textContent = String(Math.round(sum * 100) / 100)
  }
  for (const el of Object.values(scoreInputs)) el.addEventListener('input', updateTotal)
  updateTotal()

  /** Checks the ranges in the browser first, so a typo never leaves the page. */
  const collect = (form, { complete }) => {
    clearErrors(form)
    const scores = {}
    const fields = []
    for (const i of judged) {
      const raw = scoreInputs[i.key].value.trim()
      if (raw === '' && !complete) continue
      const r = checkScore(raw, i.max)
      if (r.error != null) fields.push({ field: `body.scores.${i.key}`, message: r.error })
      else scores[i.key] = r.value
    }
    if (fields.length > 0) {
      showErrors(form, { message: t('common.fixFields'), code: 'VALIDATION_FAILED', fields })
      return null
    }
    return { scores, comment: formValues(form, { keepEmpty: true }).comment ?? '' }
  }

  const save = async (body) => {
    try {
      const saved = await api.put(`/v1/reviews/${id}`, body, { ifMatch: version })
      version = saved.version
      return saved
    } catch (err) {
      if (err instanceof ApiError && err.code === 'VERSION_MISMATCH') {
        flash('warn', t('app.versionMismatch'))
        rerender()
        return null
      }
      throw err
    }
  }

  const form = apiForm({ id: 'review-form' }, [
    scoreRows.length === 0 ? notice('info', t('common.none')) : h('div', { class: 'fields' }, scoreRows),
    h('p', null, t('rev.sum'), ': ', total),
    h('div', { class: 'fields' }, field(t('rev.comment'), textarea('comment', { value: review.comment ?? '', rows: 5, disabled: !editable }), { wide: true })),
    editable
      ? h('div', { class: 'buttons' },
        h('button', { type: 'submit', id: 'save-review' }, t('rev.saveDraft')),
        h('button', { type: 'button', class: 'primary', id: 'submit-review' }, t('rev.submit')))
      : null
  ], async (_values, f) => {
    const body = collect(f, { complete: false })
    if (body == null) return
    if (await save(body) != null) toast(t('common.saved'))
  })
  form.querySelector('#submit-review')?.addEventListener('click', async (event) => {
    const button = event.currentTarget
    const body = collect(form, { complete: true })
    if (body == null) return
    try {
      await busy(button, async () => {
        if (await save(body) == null) return
        await api.post(`/v1/reviews/${id}/submit`, {}, { ifMatch: version })
        flash('success', t('rev.submitted'))
      })
      rerender()
    } catch (err) { showErrors(form, err) }
  })

  const recuse = editable
    ? card(t('rev.recuse'), apiForm({ id: 'recuse-form' }, [
      h('div', { class: 'fields' }, field(t('rev.recuse.reason'), textarea('reason', { rows: 3 }), { wide: true })),
      h('div', { class: 'buttons' }, h('button', { type: 'submit', class: 'danger' }, t('rev.recuse')))
    ], async (values) => {
      await api.post(`/v1/reviews/${id}/recuse`, { reason: values.reason ?? '' })
      flash('info', t('rev.recused'))
      store.navigate('/reviews')
    }))
    : null

  return h('div', null,
    h('div', { class: 'page-head' },
      h('div', null, h('h1', null, firmName(review)),
        h('p', { class: 'lead' }, nameOf(store.ref.program[application.program]), ' · ', h('span', { id: 'review-state' }, badge(review.state)))),
      h('div', { class: 'actions' }, h('a', { class: 'button', href: '/reviews' }, t('common.back')))),
    h('div', { class: 'grid-2' },
      h('div', null,
        card(t('rev.judged'), form),
        card(t('rev.statement'), h('p', { class: 'statement' }, application.statement || t('common.none'))),
        await documentsCard(application.id, { editable: false }).catch(() => null),
        recuse),
      h('div', null,
        card(t('rev.auto'), h('div', { class: 'table-wrap' }, table([
          { label: t('rev.indicator'), cell: i => name(i) },
          { label: t('rev.points'), class: 'num', cell: i => autoScores[i.key]?.points ?? '—' },
          { label: t('rev.max'), class: 'num', cell: i => String(i.max) }
        ], auto))),
        card(t('rev.figures'), figuresTable(declaration))))
  )
}
