// People helping themselves: change one's password, forget it and reset it
// by the emailed one-time link (the same link sets the password of an
// invited colleague), and — for a firm's owner — invite colleagues, make one
// an owner, disable an account. Reviewers set their fields of expertise.
import { h } from '../dom.js'
import { t, nameOf, formatDateTime } from '../i18n.js'
import { api, session, ApiError } from '../api.js'
import { store, reference, flash } from '../context.js'
import { apiForm, field, input, card, notice, badge, busy, toast } from '../ui.js'

/** A second password field must repeat the first: the browser's answer, before the server is asked. */
function mustMatch (values, form) {
  if ((values.newPassword ?? '') !== (values.repeat ?? '')) {
    throw new ApiError(400, { code: 'VALIDATION_FAILED', message: t('account.mismatch'), fields: [{ field: 'body.repeat', message: t('account.mismatch') }] })
  }
}

export async function accountView ({ rerender }) {
  const me = store.me
  const changed = h('div', { 'aria-live': 'polite' })
  const passwordForm = apiForm({ id: 'password-form' }, [
    h('div', { class: 'fields' },
      field(t('account.current'), input('currentPassword', { type: 'password', autocomplete: 'current-password' }), { wide: true }),
      field(t('account.new'), input('newPassword', { type: 'password', autocomplete: 'new-password' }), { hint: t('register.password.hint'), name: 'newPassword' }),
      field(t('account.repeat'), input('repeat', { type: 'password', autocomplete: 'new-password' }), { name: 'repeat' })),
    h('div', { class: 'buttons' }, h('button', { type: 'submit', class: 'primary' }, t('account.change')))
  ], async (values, form) => {
    mustMatch(values, form)
    await api.post('/v1/me/password', { currentPassword: values.currentPassword ?? '', newPassword: values.newPassword ?? '' })
    form.reset()
    changed.replaceChildren(notice('success', t('account.changed')))
  })

  const cards = [card(t('account.password'), h('p', { class: 'muted' }, t('account.password.lead')), passwordForm, changed)]
  if (me.emailConfirmed === false) cards.unshift(notice('warn', t('account.unconfirmed')))
  if (me.role === 'enterprise' && me.enterpriseId != null && me.firmRole === 'owner') cards.push(await colleaguesCard(me, rerender))
  if (me.role === 'reviewer') cards.push(await domainsCard(me))
  return h('div', null,
    h('div', { class: 'page-head' }, h('h1', null, t('account.title'))),
    h('div', { class: 'narrow-wide' },
      card(null, h('dl', { class: 'facts' },
        h('dt', null, t('login.email')), h('dd', null, me.email),
        h('dt', null, t('account.name')), h('dd', null, me.name),
        h('dt', null, t('account.role')), h('dd', null, t('role.' + me.role) + (me.firmRole != null ? ` · ${t('firmRole.' + me.firmRole)}` : '')))),
      cards))
}

async function colleaguesCard (me, rerender) {
  const url = `/v1/enterprises/${me.enterpriseId}/users`
  const { items } = await api.get(url)
  const rows = items.map(u => {
    const actions = h('div', { class: 'buttons tight' })
    if (u.id !== me.id) {
      const role = h('button', { type: 'button', class: 'small', dataset: { role: u.id } }, u.firmRole === 'owner' ? t('account.makeMember') : t('account.makeOwner'))
      role.addEventListener('click', async () => {
        try { await busy(role, () => api.patch(`${url}/${u.id}`, { firmRole: u.firmRole === 'owner' ? 'member' : 'owner' })); rerender() } catch (err) { toast(err.message, 'error') }
      })
      const able = h('button', { type: 'button', class: u.disabled ? 'small' : 'small danger', dataset: { disable: u.id } }, u.disabled ? t('account.enable') : t('account.disable'))
      able.addEventListener('click', async () => {
        try { await busy(able, () => api.patch(`${url}/${u.id}`, { disabled: !u.disabled })); rerender() } catch (err) { toast(err.message, 'error') }
      })
      actions.append(role, able)
    }
    return h('tr', { dataset: { user: u.id } },
      h('td', null, u.name), h('td', null, u.email),
      h('td', null, t('firmRole.' + u.firmRole)),
      h('td', null, u.disabled ? badge('disabled') : u.invitationPending ? badge('invited') : badge('active_account')),
      h('td', null, formatDateTime(u.createdAt)),
      h('td', null, actions))
  })
  const invited = h('div', { 'aria-live': 'polite' })
  const invite = apiForm({ id: 'invite-form' }, [
    h('div', { class: 'fields' },
      field(t('account.name'), input('name', { autocomplete: 'off' })),
      field(t('login.email'), input('email', { type: 'email', autocomplete: 'off' }))),
    h('div', { class: 'buttons' }, h('button', { type: 'submit', class: 'primary' }, t('account.invite')))
  ], async (values) => {
    const u = await api.post(url, { email: values.email ?? '', name: values.name ?? '' })
    flash('success', t('account.invited', { email: u.email }))
    rerender()
  })
  return card(t('account.colleagues'),
    h('p', { class: 'muted' }, t('account.colleagues.lead')),
    h('div', { class: 'table-wrap' }, h('table', { class: 'data', id: 'colleagues' },
      h('thead', null, h('tr', null, ['account.name', 'login.email', 'account.firmRole', 'common.state', 'account.since', ''].map(k => h('th', { scope: 'col' }, k === '' ? '' : t(k))))),
      h('tbody', null, rows))),
    invite, invited)
}

async function domainsCard (me) {
  const ref = await reference()
  const mine = new Set(me.domains ?? [])
  const done = h('div', { 'aria-live': 'polite' })
  const form = apiForm({ id: 'domains-form' }, [
    h('div', { class: 'field wide', dataset: { field: 'domains' } },
      h('fieldset', { class: 'checks' }, ref.domains.map(d => h('label', null,
        h('input', { type: 'checkbox', name: 'domains', value: d.code, checked: mine.has(d.code), dataset: { multi: '' } }), nameOf(d)))),
      h('div', { class: 'field-error', role: 'alert' })),
    h('div', { class: 'buttons' }, h('button', { type: 'submit', class: 'primary' }, t('common.save')))
  ], async (values) => {
    const domains = Array.isArray(values.domains) ? values.domains : values.domains != null ? [values.domains] : []
    store.me = await api.patch('/v1/me', { domains })
    done.replaceChildren(notice('success', t('account.domains.saved')))
  })
  return card(t('account.domains'), h('p', { class: 'muted' }, t('account.domains.lead')), form, done)
}

export async function forgotView () {
  const sent = h('div', { 'aria-live': 'polite' })
  const form = apiForm({ id: 'forgot-form', class: 'stack' }, [
    h('div', { class: 'fields' }, field(t('login.email'), input('email', { type: 'email', autocomplete: 'username' }), { wide: true })),
    h('div', { class: 'buttons' }, h('button', { type: 'submit', class: 'primary' }, t('forgot.submit')))
  ], async (values, form) => {
    await api.post('/v1/auth/password-reset', { email: values.email ?? '' })
    form.reset()
    sent.replaceChildren(notice('success', t('forgot.sent')))
  })
  return h('div', { class: 'narrow' }, card(null, h('h1', null, t('forgot.title')), h('p', { class: 'lead' }, t('forgot.lead')), form, sent,
    h('p', { class: 'muted' }, h('a', { href: '/login' }, t('forgot.back')))))
}

/**
 * The emailed link (…/#/reset?token=…) lands here; the shell moved the token
 * out of the address bar into `query` before the page was drawn, so it is
 * never sent to the server in a URL nor kept in the browser's history.
 */
export async function resetView ({ query }) {
  const token = query.token ?? ''
  const invite = query.invite === '1'
  if (token === '') return h('div', { class: 'narrow' }, notice('error', t('reset.noToken')), h('p', null, h('a', { href: '/forgot' }, t('forgot.title'))))
  const form = apiForm({ id: 'reset-form', class: 'stack' }, [
    h('div', { class: 'fields' },
      field(t('account.new'), input('newPassword', { type: 'password', autocomplete: 'new-password' }), { hint: t('register.password.hint'), wide: true, name: 'newPassword' }),
      field(t('account.repeat'), input('repeat', { type: 'password', autocomplete: 'new-password' }), { wide: true, name: 'repeat' })),
    h('div', { class: 'buttons' }, h('button', { type: 'submit', class: 'primary' }, invite ? t('reset.activate') : t('reset.submit')))
  ], async (values, form) => {
    mustMatch(values, form)
    await api.post('/v1/auth/password-reset/confirm', { token, newPassword: values.newPassword ?? '' })
    session.token = null
    store.me = null
    flash('success', invite ? t('reset.activated') : t('reset.done'))
    store.navigate('/login', { replace: true })
  })
  return h('div', { class: 'narrow' }, card(null, h('h1', null, invite ? t('reset.inviteTitle') : t('reset.title')), form))
}

/**
 * The emailed confirmation link (…/#/confirm?token=…): one button confirms
 * the address (a click, so a mail scanner that fetches the link confirms
 * nothing); the result, or the reason it was refused, in words.
 */
export async function confirmView ({ query }) {
  const token = query.token ?? ''
  if (token === '') return h('div', { class: 'narrow' }, notice('error', t('confirm.noToken')), h('p', null, h('a', { href: '/login' }, t('forgot.back'))))
  const result = h('div', { 'aria-live': 'polite' })
  const form = apiForm({ id: 'confirm-form', class: 'stack' }, [
    h('p', null, t('confirm.lead')),
    h('div', { class: 'buttons' }, h('button', { type: 'submit', class: 'primary' }, t('confirm.submit')))
  ], async () => {
    const done = await api.post('/v1/auth/confirm', { token })
    form.replaceWith(h('div', { class: 'stack' }, notice('success', t('confirm.done').replace('{email}', done.email)),
      h('p', null, h('a', { href: store.me != null ? '/' : '/login' }, store.me != null ? t('confirm.home') : t('forgot.back')))))
  })
  return h('div', { class: 'narrow' }, card(null, h('h1', null, t('confirm.title')), form, result))
}
