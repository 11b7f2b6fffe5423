// Administrator screens: the audit trail (with the hash-chain check) and
// staff accounts (reviewers, officers, analysts, administrators).
import { h, table } from '../dom.js'
import { t, formatDateTime } from '../i18n.js'
import { api, listAll, newIdempotencyKey } from '../api.js'
import { store, flash } from '../context.js'
import { apiForm, field, input, select, card, notice, busy, toast } from '../ui.js'

/** The audit entries of one object, oldest first, as a table (admin only: GET /v1/audit). */
export async function auditTrail (objectId) {
  const entries = await listAll('/v1/audit', { objectId }, 500)
  return auditTable(entries)
}

function diffText (before, after) {
  if (after == null || typeof after !== 'object') return ''
  const changed = Object.keys(after).filter(k => JSON.stringify(after[k]) !== JSON.stringify(before?.[k]) && !['updatedAt', 'version'].includes(k))
  return changed.slice(0, 6).map(k => `${k}: ${typeof after[k] === 'object' ? JSON.stringify(after[k]) : after[k]}`).join('; ')
}

/** An application's entries link to its page; other objects show their type and id. */
function objectLink (e) {
  const label = h('span', { class: 'code' }, `${e.objectType} ${String(e.objectId).slice(0, 8)}`)
  return e.objectType === 'application' ? h('a', { href: `/officer/applications/${e.objectId}` }, label) : label
}

export function auditTable (entries) {
  return h('div', { class: 'table-wrap audit-trail' }, table([
    { label: '#', class: 'num', cell: e => String(e.id) },
    { label: t('audit.at'), class: 'nowrap', cell: e => formatDateTime(e.at) },
    { label: t('audit.action'), cell: e => h('span', { class: 'code' }, e.action) },
    { label: t('audit.object'), cell: e => objectLink(e) },
    { label: t('audit.actor'), cell: e => e.actorRole != null ? t('role.' + e.actorRole) : '—' },
    { label: '', cell: e => h('span', { class: 'muted' }, diffText(e.before, e.after)) }
  ], entries, { empty: t('common.none') }))
}

export async function auditView ({ query }) {
  const q = { objectType: query.objectType, objectId: query.objectId, action: query.action }
  const page = await api.get('/v1/audit', { query: { ...q, limit: 200 } })
  const form = h('form', { class: 'inline-form', id: 'audit-search' },
    field(t('audit.objectId'), input('objectId', { value: query.objectId ?? '' })),
    field(t('audit.objectType'), input('objectType', { value: query.objectType ?? '', placeholder: 'application' })),
    field(t('audit.action'), input('action', { value: query.action ?? '', placeholder: 'application.submit' })),
    h('button', { type: 'submit', class: 'primary' }, t('audit.search')))
  form.addEventListener('submit', (e) => {
    e.preventDefault()
    const params = new URLSearchParams()
    for (const el of form.elements) if (el.name !== '' && el.value.trim() !== '') params.set(el.name, el.value.trim())
    store.navigate('/audit' + (params.size > 0 ? '?' + params : ''))
  })
  const verifyResult = h('div', { id: 'verify-result' })
  const verify = h('button', { type: 'button' }, t('audit.verify'))
  verify.addEventListener('click', async () => {
    try {
      const r = await busy(verify, () => api.get('/v1/audit/verify'))
      verifyResult.replaceChildren(r.intact
        ? notice('success', `✓ ${r.entries}`)
        : notice('error', `✗ #${r.brokenAt?.id} ${r.brokenAt?.reason}`))
    } catch (err) { toast(err.message, 'error') }
  })
  return h('div', null,
    h('div', { class: 'page-head' }, h('h1', null, t('audit.title')), h('div', { class: 'actions' }, verify)),
    verifyResult,
    card(null, form),
    card(null, auditTable(page.items)))
}

export async function staffView () {
  const users = await listAll('/v1/users', {}, 1000)
  const key = newIdempotencyKey()
  const roles = ['reviewer', 'officer', 'analyst', 'admin'].map(r => ({ value: r, label: t('role.' + r) }))
  const form = apiForm({ id: 'staff-form' }, [
    h('div', { class: 'fields' },
      field(t('staff.name'), input('name')),
      field(t('login.email'), input('email', { type: 'email' })),
      field(t('staff.role'), select('role', roles)),
      field(t('login.password'), input('password', { type: 'password', autocomplete: 'new-password' }), { hint: t('register.password.hint') }),
      field(t('staff.employerUscc'), input('employerUscc', { class: 'mono', maxlength: 18 }), { wide: true })),
    h('div', { class: 'buttons' }, h('button', { type: 'submit', class: 'primary' }, t('staff.create')))
  ], async (values) => {
    await api.post('/v1/users', values, { idempotencyKey: key })
    flash('success', t('staff.created'))
    store.navigate('/staff', { replace: true })
  })
  return h('div', null,
    h('div', { class: 'page-head' }, h('h1', null, t('staff.title'))),
    h('div', { class: 'grid-2' },
      card(null, table([
        { label: t('staff.name'), cell: u => u.name },
        { label: t('login.email'), cell: u => u.email },
        { label: t('staff.role'), cell: u => t('role.' + u.role) },
        { label: t('common.state'), cell: u => u.disabled ? '✗' : '✓' }
      ], users.filter(u => u.role !== 'enterprise'))),
      card(t('staff.create'), form)))
}
