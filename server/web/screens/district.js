// The district officer's console (区县工作台): its district's firms, and the
// pre-screen queue of applications to calls that ask the district to
// recommend (推荐) or not before the city assigns reviewers.
import { h, table } from '../dom.js'
import { t, nameOf, formatDateTime, formatNumber } from '../i18n.js'
import { api, ApiError } from '../api.js'
import { store, reference } from '../context.js'
import { card, notice, badge, busy, toast, textarea } from '../ui.js'

function districtName (code) {
  const row = store.ref?.district?.[code]
  return row != null ? nameOf(row) : code
}

/** One application waiting for the district: the firm, the call, an opinion and the two answers. */
function queueItem (item, onDone) {
  const opinion = textarea('opinion', {
    rows: 2, id: `opinion-${item.id}`, 'aria-label': t('district.opinion'), placeholder: t('district.opinionPlaceholder'), maxlength: 2000
  })
  const error = h('p', { class: 'field-error', role: 'alert' })
  const answer = (recommend) => {
    const b = h('button', { type: 'button', class: recommend ? 'primary small' : 'danger small', dataset: { recommend: String(recommend) } },
      recommend ? t('district.recommend') : t('district.notRecommend'))
    b.addEventListener('click', async () => {
      error.textContent = ''
      if (opinion.value.trim() === '') {
        error.textContent = t('district.opinionRequired')
        opinion.focus()
        return
      }
      try {
        const after = await busy(b, () => api.post(`/v1/applications/${item.id}/district-review`, { recommend, opinion: opinion.value.trim() }))
        toast(after.state === 'district_reviewed' ? t('district.recommended') : t('district.rejected'))
        onDone()
      } catch (err) {
        error.textContent = err instanceof ApiError ? err.message : String(err)
      }
    })
    return b
  }
  return h('li', { class: 'queue-item', dataset: { application: item.id } },
    h('div', { class: 'top' }, h('strong', null, item.firmName), ' ', h('span', { class: 'muted' }, item.uscc), ' ', badge(item.state)),
    h('div', { class: 'sub' }, item.callTitle, ' · ', t('district.submittedAt'), ' ', formatDateTime(item.submittedAt)),
    item.state === 'submitted'
      ? h('div', { class: 'district-answer' }, opinion, error, h('div', { class: 'buttons' }, answer(true), answer(false)))
      : h('p', { class: 'muted' }, t('district.opinion'), ':', item.districtOpinion ?? '—'))
}

export async function districtView () {
  await reference()
  const me = store.me
  const [queue, done, firms] = await Promise.all([
    api.get('/v1/district-review/queue', { query: { limit: 100 } }),
    api.get('/v1/district-review/queue', { query: { limit: 100, all: true } }),
    api.get('/v1/enterprises', { query: { limit: 100 } })
  ])
  const refresh = () => store.navigate('/district', { replace: true })
  const reviewed = done.items.filter(i => i.state !== 'submitted')
  return h('div', { class: 'district' },
    h('div', { class: 'page-head' },
      h('div', null,
        h('h1', null, t('district.title')),
        h('p', { class: 'lead' }, t('district.lead', { district: districtName(me.districtCode) })))),
    card(t('district.queue', { n: queue.items.length }),
      queue.items.length === 0
        ? notice('info', t('district.queueEmpty'))
        : h('ul', { class: 'queue', id: 'district-queue' }, queue.items.map(item => queueItem(item, refresh)))),
    card(t('district.reviewed'),
      h('div', { class: 'table-wrap' }, table([
        { label: t('district.firm'), cell: i => i.firmName },
        { label: t('district.call'), cell: i => i.callTitle },
        { label: t('district.state'), cell: i => badge(i.state) },
        { label: t('district.opinion'), cell: i => i.districtOpinion ?? '—' }
      ], reviewed, { empty: t('district.none') }))),
    card(t('district.firms', { n: formatNumber(firms.items.length) }),
      h('div', { class: 'table-wrap', id: 'district-firms' }, table([
        { label: t('district.firm'), cell: e => e.name },
        { label: t('district.uscc'), cell: e => e.uscc },
        { label: t('district.domains'), cell: e => e.domains.map(d => store.ref.domain[d] != null ? nameOf(store.ref.domain[d]) : d).join('、') },
        { label: t('district.tier'), cell: e => e.currentTier != null && store.ref.tier[e.currentTier] != null ? nameOf(store.ref.tier[e.currentTier]) : '—' }
      ], firms.items, { empty: t('district.none') })),
      firms.nextCursor != null ? h('p', { class: 'muted' }, t('district.more')) : null))
}
