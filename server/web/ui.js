/* global CSS */
// Shared pieces of the screens: fields with their error slot, forms that show
// the API's validation messages beside the fields, busy buttons, notices.
import { h, mount } from './dom.js'
import { t, localizeFieldMessage } from './i18n.js'
import { ApiError } from './api.js'

let fieldSeq = 0

/**
 * A labelled form field. name is the API's field name: an error for
 * `body.<name>` from the API appears in this field's error slot.
 */
export function field (label, control, { hint, name, wide } = {}) {
  const id = control.id || `f${++fieldSeq}`
  control.id = id
  const fieldName = name ?? control.getAttribute('name')
  const hintEl = hint != null ? h('div', { class: 'hint', id: id + '-hint' }, hint) : null
  const errorEl = h('div', { class: 'field-error', id: id + '-error', role: 'alert', 'aria-live': 'polite' })
  control.setAttribute('aria-describedby', [hintEl != null ? id + '-hint' : '', id + '-error'].join(' ').trim())
  return h('div', { class: ['field', wide ? 'wide' : ''], dataset: { field: fieldName ?? '' } },
    h('label', { for: id }, label), control, hintEl, errorEl)
}

export function input (name, props = {}) {
  return h('input', { name, type: 'text', ...props })
}

export function select (name, options, props = {}) {
  return h('select', { name, ...props },
    options.map(o => h('option', { value: o.value, selected: o.value === props.value }, o.label)))
}

export function textarea (name, props = {}) {
  const { value, ...rest } = props
  const el = h('textarea', { name, rows: 6, ...rest })
  if (value != null) el.value = value
  return el
}

/** Clears a form's error messages. */
export function clearErrors (form) {
  for (const el of form.querySelectorAll('.field-error')) el.textContent = ''
  for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid')
  form.querySelector(':scope > .form-alert')?.remove()
}

/**
 * Shows an API error on a form: each `fields[]` entry beside its field
 * (body.x → the field named x), the message on top.
 */
export function showErrors (form, err) {
  clearErrors(form)
  const unplaced = []
  for (const raw of err.fields ?? []) {
    const f = { field: raw.field, message: localizeFieldMessage(raw.message) }
    const name = String(f.field).replace(/^(body|query|params|headers)\./, '')
    const slot = form.querySelector(`[data-field="${CSS.escape(name)}"]`) ??
      form.querySelector(`[data-field="${CSS.escape(name.split('.')[0])}"]`)
    if (slot != null) {
      const errorEl = slot.querySelector('.field-error')
      errorEl.textContent = errorEl.textContent === '' ? f.message : errorEl.textContent + '; ' + f.message
      slot.querySelector('input, select, textarea')?.setAttribute('aria-invalid', 'true')
    } else {
      unplaced.push(`${name}: ${f.message}`)
    }
  }
  // Every field error placed beside its field: the summary only asks to fix them.
  const message = err?.code === 'VALIDATION_FAILED' && unplaced.length === 0 && (err.fields ?? []).length > 0
    ? t('common.fixFields')
    : err instanceof ApiError || err?.message != null ? err.message : t('common.error')
  // No raw code on screen: the message says it in words; the code rides on the element for support and tests.
  const alert = h('div', { class: 'alert error form-alert', role: 'alert', dataset: { code: err?.code ?? '' } },
    h('strong', null, message),
    unplaced.length > 0 ? h('ul', null, unplaced.map(u => h('li', null, u))) : null)
  form.prepend(alert)
  const firstInvalid = form.querySelector('[aria-invalid="true"]')
  if (firstInvalid != null) firstInvalid.focus()
  else alert.scrollIntoView({ block: 'nearest' })
}

/** The form's named controls as an object (empty strings left out unless keepEmpty). */
export function formValues (form, { keepEmpty = false } = {}) {
  const out = {}
  for (const el of form.elements) {
    if (el.name === '' || el.disabled) continue
    if (el.type === 'checkbox') {
      if (el.dataset.multi != null) {
        out[el.name] ??= []
        if (el.checked) out[el.name].push(el.value)
      } else out[el.name] = el.checked
      continue
    }
    const v = el.value.trim()
    if (v === '' && !keepEmpty) continue
    out[el.name] = v
  }
  return out
}

/**
 * Runs an action while a button shows it is busy (disabled, a spinner and
 * "Working…"), and the page's progress bar runs: long operations show progress.
 */
export async function busy (button, work) {
  const label = button?.textContent
  if (button != null) {
    button.disabled = true
    button.classList.add('busy')
    button.setAttribute('aria-busy', 'true')
    mount(button, h('span', { class: 'spinner', 'aria-hidden': 'true' }), t('common.working'))
  }
  progress.start()
  try {
    return await work()
  } finally {
    progress.done()
    if (button != null) {
      button.disabled = false
      button.classList.remove('busy')
      button.removeAttribute('aria-busy')
      button.textContent = label
    }
  }
}

/** The thin bar at the top of the page while requests run. */
export const progress = {
  count: 0,
  start () {
    this.count++
    document.getElementById('progress')?.classList.add('running')
  },
  done () {
    this.count = Math.max(0, this.count - 1)
    if (this.count === 0) document.getElementById('progress')?.classList.remove('running')
  }
}

/**
 * A form that sends itself: onSubmit(values, form) does the request; errors
 * land beside the fields. Returns the <form>.
 */
export function apiForm (props, children, onSubmit) {
  const form = h('form', { novalidate: true, ...props }, children)
  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    const button = event.submitter ?? form.querySelector('button[type="submit"]')
    clearErrors(form)
    try {
      await busy(button, () => onSubmit(formValues(form), form, button))
    } catch (err) {
      if (err instanceof ApiError || err?.code != null) showErrors(form, err)
      else throw err
    }
  })
  return form
}

export function notice (kind, ...children) {
  return h('div', { class: `alert ${kind}`, role: kind === 'error' ? 'alert' : 'status' }, children)
}

export function toast (message, kind = 'success') {
  const region = document.getElementById('toasts')
  if (region == null) return
  const el = h('div', { class: `toast ${kind}`, role: 'status' }, message)
  region.append(el)
  setTimeout(() => el.remove(), 5000)
}

export function badge (state) {
  return h('span', { class: `badge state-${state}` }, t('state.' + state))
}

export function card (title, ...children) {
  return h('section', { class: 'card' }, title != null ? h('h2', null, title) : null, children)
}

export function loading () {
  return h('div', { class: 'loading', role: 'status' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), t('common.loading'))
}

/** A meter bar: value / max with a label. */
export function meter (fraction, { label, met } = {}) {
  const pct = Math.max(0, Math.min(1, Number.isFinite(fraction) ? fraction : 0))
  const fill = h('div', { class: ['meter-fill', met ? 'met' : ''] })
  fill.style.width = (pct * 100).toFixed(1) + '%' // CSSOM, allowed under a strict CSP
  return h('div', { class: 'meter', role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-valuenow': Math.round(pct * 100), 'aria-label': label }, fill)
}

/** A definition list from [label, value] pairs. */
export function facts (pairs) {
  return h('dl', { class: 'facts' }, pairs.filter(p => p != null).map(([k, v]) => [h('dt', null, k), h('dd', null, v ?? '—')]))
}
