// Sign in and enterprise registration (with instant credit-code feedback).
import { h } from '../dom.js'
import { t, nameOf } from '../i18n.js'
import { api, session } from '../api.js'
import { store, reference, flash } from '../context.js'
import { apiForm, field, input, select, card } from '../ui.js'
import { checkUscc } from '../uscc.js'

const HOME = { enterprise: '/portal', reviewer: '/reviews', officer: '/officer', analyst: '/dashboard', admin: '/dashboard', district_officer: '/district' }

export async function loginView ({ query }) {
  const form = apiForm({ id: 'login-form', class: 'stack' }, [
    h('div', { class: 'fields' },
      field(t('login.email'), input('email', { type: 'email', autocomplete: 'username', required: true }), { wide: true }),
      field(t('login.password'), input('password', { type: 'password', autocomplete: 'current-password', required: true }), { wide: true })),
    h('div', { class: 'buttons' }, h('button', { type: 'submit', class: 'primary' }, t('login.submit')))
  ], async (values) => {
    const token = await api.post('/v1/auth/login', { email: values.email ?? '', password: values.password ?? '' })
    session.token = token.accessToken
    store.me = await api.get('/v1/me')
    const next = typeof query.next === 'string' && query.next.startsWith('/') && !query.next.startsWith('//') ? query.next : HOME[store.me.role]
    store.navigate(next, { replace: true })
  })
  return h('div', { class: 'narrow' },
    card(null, h('h1', null, t('login.title')), h('p', { class: 'lead' }, t('login.lead')), form,
      h('p', { class: 'muted' }, h('a', { href: '/forgot', id: 'forgot-link' }, t('login.forgot'))),
      h('p', { class: 'muted' }, t('login.noAccount'), ' ', h('a', { href: '/register' }, t('login.registerLink')))))
}

/** The live verdict of the browser-side GB 32100-2015 check, for the hint line. */
export function usccFeedback (value) {
  const v = value.trim().toUpperCase()
  if (v === '') return null
  const r = checkUscc(v)
  if (r.ok) return { ok: true, text: t('uscc.ok', { division: r.divisionCode }) }
  if (r.rule === 'length') {
    // While typing, a too-short code is only unfinished, unless a character is already wrong.
    for (let i = 0; i < Math.min(v.length, 18); i++) {
      const bad = checkUscc(v.slice(0, i + 1).padEnd(18, '0'))
      if (!bad.ok && bad.rule === 'charset') return { ok: false, text: t('uscc.charset', { position: bad.position, char: bad.char }) }
    }
    return v.length > 18 ? { ok: false, text: t('uscc.tooLong') } : { ok: null, text: t('uscc.length', { n: 18 - v.length }) }
  }
  if (r.rule === 'charset') return { ok: false, text: t('uscc.charset', { position: r.position, char: r.char }) }
  if (r.rule === 'division_code') return { ok: false, text: t('uscc.division') }
  return { ok: false, text: t('uscc.check', { expected: r.expected }) }
}

export async function registerView () {
  const ref = await reference()
  const usccInput = input('uscc', { class: 'mono', maxlength: 18, autocomplete: 'off', spellcheck: 'false', placeholder: '91210202MA0XXXXXXX' })
  const feedback = h('div', { class: 'uscc-feedback', id: 'uscc-feedback', 'aria-live': 'polite' })
  const districtSelect = select('districtCode', [{ value: '', label: t('register.chooseDistrict') }, ...ref.districts.map(d => ({ value: d.code, label: `${nameOf(d)}${/^\d+$/.test(d.code) ? ' ' + d.code : ''}` }))])
  usccInput.addEventListener('input', () => {
    const f = usccFeedback(usccInput.value)
    feedback.textContent = f?.text ?? ''
    feedback.className = 'uscc-feedback ' + (f?.ok === true ? 'ok' : f?.ok === false ? 'bad' : '')
    usccInput.setAttribute('aria-invalid', f?.ok === false ? 'true' : 'false')
    // Characters 3-8 are the division code: preselect the district when it is one of ours.
    if (f?.ok === true) {
      const division = usccInput.value.trim().toUpperCase().slice(2, 8)
      if (districtSelect.value === '' && ref.district[division] != null) districtSelect.value = division
    }
  })
  const usccField = field(t('register.uscc'), usccInput, { hint: t('register.uscc.hint'), wide: true })
  usccField.insertBefore(feedback, usccField.querySelector('.field-error'))

  const domains = h('fieldset', { class: 'checks', id: 'domains' },
    ref.domains.map(d => h('label', null, h('input', { type: 'checkbox', name: 'domains', value: d.code, dataset: { multi: '' } }), nameOf(d))))
  const domainsField = h('div', { class: 'field wide', dataset: { field: 'domains' } },
    h('label', { for: 'domains' }, t('register.domains')), domains, h('div', { class: 'field-error', role: 'alert' }))

  const form = apiForm({ id: 'register-form' }, [
    h('div', { class: 'fields' },
      usccField,
      field(t('register.name'), input('name', { autocomplete: 'organization' }), { wide: true }),
      field(t('register.email'), input('email', { type: 'email', autocomplete: 'email' })),
      field(t('register.password'), input('password', { type: 'password', autocomplete: 'new-password' }), { hint: t('register.password.hint') }),
      field(t('register.district'), districtSelect),
      field(t('register.foundedOn'), input('foundedOn', { type: 'date' })),
      domainsField,
      field(t('register.contactName'), input('contactName')),
      field(t('register.contactPhone'), input('contactPhone', { type: 'tel' }))),
    h('div', { class: 'buttons' }, h('button', { type: 'submit', class: 'primary' }, t('register.submit')))
  ], async (values) => {
    const body = {
      uscc: (values.uscc ?? '').toUpperCase(),
      name: values.name ?? '',
      email: values.email ?? '',
      password: values.password ?? '',
      districtCode: values.districtCode ?? '',
      domains: values.domains ?? [],
      foundedOn: values.foundedOn ?? ''
    }
    if (values.contactName != null) body.contactName = values.contactName
    if (values.contactPhone != null) body.contactPhone = values.contactPhone
    await api.post('/v1/auth/register', body)
    flash('success', t('register.done'))
    store.navigate('/login')
  })
  return h('div', { class: 'medium' },
    card(null, h('h1', null, t('register.title')), h('p', { class: 'lead' }, t('register.lead')), form))
}
