// Money for people: amounts typed in 元 or 万元 (or with the unit written
// after them: "1,500万", "1.2亿", "800元"), turned into the API's exact decimal
// string of yuan by moving the decimal point — never through a float — and
// shown back in words of 万/亿 ("1.5亿"). Tables show 万元 with the exact
// figure on hover.
import { h } from './dom.js'
import { t, getLang } from './i18n.js'

const SHIFT = { yuan: 0, wan: 4, yi: 8 }
const SUFFIX = [[/亿元?$/, 'yi'], [/万元?$/, 'wan'], [/元$/, 'yuan']]

/** "12.345" shifted left by `places` digits → an exact decimal string, or null when it would need more than two decimals of yuan. */
function shift (digits, places) {
  const m = /^(\d+)(?:\.(\d+))?$/.exec(digits)
  if (m == null) return null
  const whole = m[1]
  const frac = m[2] ?? ''
  const all = whole + frac.padEnd(places, '0')
  const point = whole.length + places
  const intPart = all.slice(0, point).replace(/^0+(?=\d)/, '') || '0'
  const rest = all.slice(point).replace(/0+$/, '')
  if (rest.length > 2) return null
  return rest === '' ? intPart : `${intPart}.${rest}`
}

/**
 * What the person typed, in `unit` ('yuan' or 'wan') unless the text names its
 * own → `{ yuan }` (exact decimal string) or `{ error }`; empty text → null.
 */
export function parseAmount (text, unit = 'yuan') {
  let s = String(text ?? '').trim().replace(/[,\s,]/g, '').replace(/^¥|^¥/, '')
  if (s === '') return null
  let u = unit
  for (const [re, name] of SUFFIX) {
    if (re.test(s)) { s = s.replace(re, ''); u = name; break }
  }
  const yuan = shift(s, SHIFT[u] ?? 0)
  return yuan == null ? { error: t('money.invalid') } : { yuan }
}

/** An exact yuan amount in words of 亿/万 (two decimals, rounded half up) — or millions in English. */
export function inWords (yuan) {
  if (yuan == null || yuan === '') return ''
  const [whole, frac = ''] = String(yuan).split('.')
  const fen = BigInt(whole) * 100n + BigInt((frac + '00').slice(0, 2))
  const scaled = (unitFen) => {
    const hundredths = (fen * 100n + unitFen / 2n) / unitFen
    const s = (hundredths / 100n).toString() + '.' + (hundredths % 100n).toString().padStart(2, '0')
    return s.replace(/\.?0+$/, '')
  }
  if (getLang() === 'en') {
    if (fen >= 100_000_000_000n) return `CNY ${scaled(100_000_000_000n)} billion`
    if (fen >= 100_000_000n) return `CNY ${scaled(100_000_000n)} million`
    return `CNY ${scaled(100n)}`
  }
  if (fen >= 10_000_000_000n) return scaled(10_000_000_000n) + '亿元'
  if (fen >= 1_000_000n) return scaled(1_000_000n) + '万元'
  return scaled(100n) + '元'
}

/** An exact yuan amount in 万元 for tables (two decimals, grouped), the exact figure in the title. */
export function wanCell (yuan) {
  if (yuan == null || yuan === '') return '—'
  const [whole, frac = ''] = String(yuan).split('.')
  const fen = BigInt(whole) * 100n + BigInt((frac + '00').slice(0, 2))
  const hundredths = (fen + 50n) / 100n // 万元 to two decimals = yuan / 100, rounded half up
  const w = (hundredths / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',') + '.' + (hundredths % 100n).toString().padStart(2, '0')
  return h('span', { title: `${String(yuan)} ${getLang() === 'zh' ? '元' : 'CNY'}` }, w)
}

/**
 * A money input with a unit switch (元 / 万元) and the amount in words under
 * it. `read()` gives the exact yuan string, or the text as typed when it does
 * not parse (the API then names the field).
 */
export function moneyInput (name, { value = '', unit = 'yuan' } = {}) {
  const el = h('input', { name, inputmode: 'decimal', class: 'num', autocomplete: 'off', value: value ?? '', dataset: { money: '' } })
  const unitSelect = h('select', { name: `${name}__unit`, 'aria-label': t('money.unit'), class: 'unit' },
    h('option', { value: 'yuan', selected: unit === 'yuan' }, t('money.yuan')),
    h('option', { value: 'wan', selected: unit === 'wan' }, t('money.wan')))
  const words = h('div', { class: 'hint money-words', 'aria-live': 'polite' })
  const update = () => {
    const r = parseAmount(el.value, unitSelect.value)
    words.textContent = r == null ? '' : r.error != null ? r.error : `= ${inWords(r.yuan)}`
    words.classList.toggle('bad', r?.error != null)
  }
  el.addEventListener('input', update)
  unitSelect.addEventListener('change', () => {
    // Switching the unit keeps the amount: the typed figure is rewritten in the new unit.
    const before = parseAmount(el.value, unitSelect.value === 'wan' ? 'yuan' : 'wan')
    if (before?.yuan != null) el.value = unitSelect.value === 'wan' ? toWan(before.yuan) : before.yuan
    update()
  })
  update()
  return { el, unitSelect, words, read: () => { const r = parseAmount(el.value, unitSelect.value); return r == null ? null : r.yuan ?? el.value.trim() } }
}

/** Exact yuan → 万 (the decimal point moved four places left, trailing zeros dropped). */
function toWan (yuan) {
  const [whole, frac = ''] = String(yuan).split('.')
  const padded = whole.padStart(5, '0')
  const w = padded.slice(0, -4).replace(/^0+(?=\d)/, '')
  const f = (padded.slice(-4) + frac).replace(/0+$/, '')
  return f === '' ? w : `${w}.${f}`
}
