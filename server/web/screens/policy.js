// The administrator's policy screen: every policy value one by one (days,
// years, bodies and contacts, graduation paths, direct routes), and the
// policy documents that are checked as a whole — tier rules, eligibility
// gates, plan targets, and a new rubric version — each edited beside what is
// in force, saved through its endpoint, its validation errors shown by field.
import { h } from '../dom.js'
import { t } from '../i18n.js'
import { api, ApiError, newIdempotencyKey } from '../api.js'
import { store } from '../context.js'
import { card, notice, busy, toast } from '../ui.js'

const pretty = (v) => JSON.stringify(v, null, 2)

/** A JSON text → the value, or a field error the form shows. */
function parseJson (text) {
  try { return { value: JSON.parse(text) } } catch (err) { return { error: t('policy.badJson', { detail: err.message }) } }
}

function errorList (err) {
  if (!(err instanceof ApiError)) return notice('error', String(err?.message ?? err))
  return notice('error', h('strong', { dataset: { code: err.code } }, err.message),
    err.fields.length > 0 ? h('ul', null, err.fields.map(f => h('li', null, h('span', { class: 'mono' }, f.field), ' ', f.message))) : null)
}

function valueRow (item, refresh) {
  const shown = h('pre', { class: 'mono policy-value' }, item.value == null ? t('policy.default') : pretty(item.value))
  const cell = h('td', null, shown)
  const actions = h('td', null)
  if (item.editable) {
    const edit = h('button', { type: 'button', class: 'small', dataset: { editPolicy: item.key } }, t('policy.edit'))
    edit.addEventListener('click', () => {
      const text = h('textarea', { rows: typeof item.value === 'object' && item.value != null ? 8 : 1, class: 'mono', name: item.key, spellcheck: 'false' })
      text.value = item.value == null ? '' : pretty(item.value)
      const result = h('div', { 'aria-live': 'polite' })
      const save = h('button', { type: 'button', class: 'primary small', dataset: { savePolicy: item.key } }, t('common.save'))
      const cancel = h('button', { type: 'button', class: 'small' }, t('common.cancel'))
      cancel.addEventListener('click', () => { cell.replaceChildren(shown); actions.replaceChildren(edit) })
      save.addEventListener('click', async () => {
        const parsed = parseJson(text.value)
        if (parsed.error != null) { result.replaceChildren(notice('error', parsed.error)); return }
        try {
          const saved = await busy(save, () => api.put(`/v1/admin/policy/${item.key}`, { value: parsed.value }))
          Object.assign(item, saved)
          toast(t('policy.saved', { key: item.key }))
          refresh()
        } catch (err) { result.replaceChildren(errorList(err)) }
      })
      cell.replaceChildren(text, result)
      actions.replaceChildren(h('div', { class: 'buttons tight' }, save, cancel))
      text.focus()
    })
    actions.append(edit)
  } else if (item.endpoint != null) {
    actions.append(h('span', { class: 'muted' }, t('policy.elsewhere', { endpoint: item.endpoint })))
  }
  return h('tr', { dataset: { policy: item.key } },
    h('td', null, h('div', { class: 'mono' }, item.key), h('div', { class: 'muted' }, item.description)),
    cell, actions)
}

async function valuesCard () {
  const body = h('tbody')
  const draw = async () => {
    const { items } = await api.get('/v1/admin/policy')
    body.replaceChildren(...items.map(i => valueRow(i, draw)))
  }
  await draw()
  return card(t('policy.values'), h('p', { class: 'muted' }, t('policy.values.lead')),
    h('div', { class: 'table-wrap' }, h('table', { class: 'data', id: 'policy-values' },
      h('thead', null, h('tr', null, h('th', { scope: 'col' }, t('policy.key')), h('th', { scope: 'col' }, t('policy.value')), h('th', { scope: 'col' }, ''))),
      body)))
}

/**
 * One policy document edited as JSON beside the one in force: `read` gets it
 * (and its ETag, when the endpoint has one), `save` sends the edited text.
 */
async function documentCard ({ id, title, lead, read, save }) {
  const current = await read()
  const text = h('textarea', { rows: 14, class: 'mono', spellcheck: 'false', id: `${id}-text` })
  text.value = pretty(current.value)
  const result = h('div', { 'aria-live': 'polite', id: `${id}-result` })
  const button = h('button', { type: 'button', class: 'primary', id: `${id}-save` }, t('common.save'))
  let etag = current.etag
  button.addEventListener('click', async () => {
    const parsed = parseJson(text.value)
    if (parsed.error != null) { result.replaceChildren(notice('error', parsed.error)); return }
    try {
      const saved = await busy(button, () => save(parsed.value, etag))
      etag = saved?.etag ?? etag
      result.replaceChildren(notice('success', t('policy.docSaved')))
    } catch (err) {
      result.replaceChildren(err instanceof ApiError && err.status === 412 ? notice('warn', t('policy.stale')) : errorList(err))
    }
  })
  return card(title, h('p', { class: 'muted' }, lead),
    h('div', { class: 'sim-columns' }, h('pre', { class: 'mono muted sim-current' }, pretty(current.value)), text),
    h('div', { class: 'buttons' }, button), result)
}

export async function policyView () {
  if (store.me.role !== 'admin') return notice('error', t('common.forbidden'))
  let rubricKey = newIdempotencyKey()
  const cards = await Promise.all([
    valuesCard(),
    documentCard({
      id: 'tier-rules',
      title: t('policy.tierRules'),
      lead: t('policy.tierRules.lead'),
      read: async () => {
        const r = await api.get('/v1/admin/tier-rules')
        return { value: r.rules, etag: r.etag ?? null }
      },
      save: async (rules) => await api.put('/v1/admin/tier-rules', { rules })
    }),
    documentCard({
      id: 'gates',
      title: t('policy.gates'),
      lead: t('policy.gates.lead'),
      read: async () => ({ value: await api.get('/v1/admin/eligibility-gates') }),
      save: async (gates) => await api.put('/v1/admin/eligibility-gates', gates)
    }),
    documentCard({
      id: 'targets',
      title: t('policy.targets'),
      lead: t('policy.targets.lead'),
      read: async () => ({ value: (await api.get('/v1/admin/targets')).targets }),
      save: async (targets) => await api.put('/v1/admin/targets', { targets: Array.isArray(targets) ? targets : targets?.targets })
    }),
    documentCard({
      id: 'rubric',
      title: t('policy.rubric'),
      lead: t('policy.rubric.lead'),
      read: async () => {
        const page = await api.get('/v1/admin/rubrics', { query: { limit: 500 } })
        const latest = page.items.at(-1)
        return {
          value: latest == null
            ? {}
            : {
                program: latest.program, title: latest.title, indicators: latest.indicators, groupMinimums: latest.groupMinimums,
                passMark: latest.passMark, gradeBands: latest.gradeBands
              }
        }
      },
      save: async (rubric) => {
        const created = await api.post('/v1/admin/rubrics', rubric, { idempotencyKey: rubricKey })
        rubricKey = newIdempotencyKey() // the next version is another request
        return created
      }
    })
  ])
  return h('div', null,
    h('div', { class: 'page-head' }, h('h1', null, t('policy.title'))),
    h('p', { class: 'muted' }, t('policy.lead')),
    cards)
}
