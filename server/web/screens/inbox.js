// The inbox: every role's notifications, newest first, a page at a time;
// each says what happened in a sentence, links to what it is about, and is
// marked read on its own or with the rest of the page. The header's count of
// unread ones comes from unreadCount().
import { h } from '../dom.js'
import { t, getLang, formatDateTime, nameOf } from '../i18n.js'
import { api } from '../api.js'
import { store } from '../context.js'
import { card, notice, busy, toast, badge } from '../ui.js'

const PAGE = 20

/** Unread notifications of the signed-in user, counted up to 100 ("99+" above). */
export async function unreadCount () {
  try {
    const page = await api.get('/v1/me/notifications', { query: { unread: true, limit: 100 } })
    return page.items.length
  } catch { return 0 }
}

/** Where a notification leads, for the reader's role; null when it is about nothing the reader can open. */
export function notificationLink (n, role) {
  const p = n.payload ?? {}
  if (p.reviewId != null && role === 'reviewer') return `/reviews/${p.reviewId}`
  if (p.applicationId != null) {
    if (role === 'enterprise') return `/portal/applications/${p.applicationId}`
    if (role === 'officer' || role === 'admin') return `/officer/applications/${p.applicationId}`
  }
  if (p.callId != null && role === 'officer') return `/officer/calls/${p.callId}`
  if (p.membershipId != null && role === 'enterprise') return '/portal'
  if (role === 'reviewer' && p.callId != null) return '/reviews'
  return null
}

/** The notification in one or two sentences, from its payload (never figures: the payload holds none). */
export function notificationText (n) {
  const p = n.payload ?? {}
  const zh = getLang() === 'zh'
  const parts = []
  const program = p.program != null ? (nameOf(store.ref?.program?.[p.program]) ?? p.program) : null
  if (p.firmName != null) parts.push(p.firmName)
  if (p.callTitle != null) parts.push(p.callTitle)
  if (program != null) parts.push(program)
  if (p.decision != null) parts.push(t('inbox.decision.' + p.decision))
  if (p.kind != null && n.kind === 'membership_changed') parts.push(t('state.' + p.kind))
  if (p.reference != null) parts.push(t('inbox.reference', { reference: p.reference }))
  const reason = zh ? (p.reasonZh ?? p.reason) : (p.reason ?? p.reasonZh)
  const advice = zh ? (p.adviceZh ?? p.advice) : (p.advice ?? p.adviceZh)
  return { summary: parts.join(' · '), reason: reason ?? null, advice: advice ?? null, due: p.dueAt ?? p.revisionDueAt ?? null }
}

export async function inboxView ({ query, rerender }) {
  const role = store.me.role
  const onlyUnread = query.unread === '1'
  const list = h('ol', { class: 'inbox', id: 'inbox-list' })
  const more = h('button', { type: 'button', class: 'small' }, t('common.more'))
  let cursor = null
  let shown = []

  const row = (n) => {
    const text = notificationText(n)
    const link = notificationLink(n, role)
    const read = h('button', { type: 'button', class: 'small', dataset: { read: n.id } }, t('inbox.markRead'))
    const li = h('li', { class: n.readAt == null ? 'unread' : 'read', dataset: { notification: n.id } },
      h('div', { class: 'inbox-head' },
        h('strong', null, t('notif.' + n.kind)),
        n.readAt == null ? badge('unread') : null,
        h('span', { class: 'muted' }, formatDateTime(n.createdAt))),
      text.summary !== '' ? h('div', null, text.summary) : null,
      text.reason != null ? h('div', null, h('span', { class: 'muted' }, t('common.reason'), ':'), text.reason) : null,
      text.advice != null ? h('div', { class: 'muted' }, text.advice) : null,
      text.due != null ? h('div', { class: 'muted' }, t('inbox.due', { at: formatDateTime(text.due) })) : null,
      h('div', { class: 'buttons' },
        link != null ? h('a', { href: link, class: 'button small' }, t('inbox.open')) : null,
        n.readAt == null ? read : null))
    read.addEventListener('click', async () => {
      try {
        const updated = await busy(read, () => api.post(`/v1/me/notifications/${n.id}/read`))
        Object.assign(n, updated)
        li.replaceWith(row(n))
        document.dispatchEvent(new CustomEvent('inbox-changed'))
      } catch (err) { toast(err.message, 'error') }
    })
    return li
  }

  const load = async () => {
    const page = await api.get('/v1/me/notifications', { query: { limit: PAGE, ...(onlyUnread ? { unread: true } : {}), ...(cursor != null ? { cursor } : {}) } })
    shown = [...shown, ...page.items]
    for (const n of page.items) list.append(row(n))
    cursor = page.nextCursor
    more.hidden = cursor == null
  }
  more.addEventListener('click', async () => { try { await busy(more, load) } catch (err) { toast(err.message, 'error') } })
  await load()

  const allRead = h('button', { type: 'button', class: 'small', id: 'inbox-all-read' }, t('inbox.allRead'))
  allRead.addEventListener('click', async () => {
    try {
      await busy(allRead, async () => {
        for (const n of shown.filter(x => x.readAt == null)) await api.post(`/v1/me/notifications/${n.id}/read`)
      })
      document.dispatchEvent(new CustomEvent('inbox-changed'))
      rerender()
    } catch (err) { toast(err.message, 'error') }
  })
  const filter = h('a', { href: onlyUnread ? '/inbox' : '/inbox?unread=1', class: 'button small' }, onlyUnread ? t('inbox.showAll') : t('inbox.showUnread'))
  return h('div', null,
    h('div', { class: 'page-head' }, h('h1', null, t('inbox.title')), h('div', { class: 'actions' }, filter, allRead)),
    card(null,
      shown.length === 0 ? notice('info', onlyUnread ? t('inbox.noneUnread') : t('inbox.none')) : null,
      list,
      h('div', { class: 'buttons' }, more)))
}
