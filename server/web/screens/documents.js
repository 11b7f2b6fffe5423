// Supporting documents of an application: the list with downloads, and an
// upload (PDF, PNG or JPEG, at most 10 MiB) while the firm may still edit.
import { h, table } from '../dom.js'
import { t } from '../i18n.js'
import { api, upload, downloadFile, newIdempotencyKey } from '../api.js'
import { card, busy, toast, showErrors, clearErrors } from '../ui.js'

const MAX_BYTES = 10 * 1024 * 1024

function size (bytes) {
  return bytes >= 1048576 ? (bytes / 1048576).toFixed(1) + ' MiB' : Math.max(1, Math.round(bytes / 1024)) + ' KiB'
}

export async function documentsCard (applicationId, { editable, onChange }) {
  const docs = await api.get(`/v1/applications/${applicationId}/documents`)
  const list = table([
    {
      label: t('doc.name'),
      cell: d => {
        const link = h('button', { type: 'button', class: 'link' }, d.name)
        link.addEventListener('click', () => downloadFile(`/v1/documents/${d.id}`, d.name).catch(err => toast(err.message, 'error')))
        return link
      }
    },
    { label: t('doc.type'), cell: d => d.type.split('/')[1].toUpperCase() },
    { label: t('doc.size'), class: 'num', cell: d => size(d.size) }
  ], docs, { empty: t('doc.none') })
  if (!editable) return card(t('doc.title'), list)

  const file = h('input', { type: 'file', name: 'file', id: 'document-file', accept: 'application/pdf,image/png,image/jpeg' })
  const button = h('button', { type: 'submit' }, t('doc.upload'))
  const form = h('form', { id: 'document-form', class: 'inline-form', novalidate: true },
    h('div', { class: 'field', dataset: { field: 'file' } },
      h('label', { for: 'document-file' }, t('doc.add')), file, h('div', { class: 'hint' }, t('doc.hint')),
      h('div', { class: 'field-error', role: 'alert' })),
    button)
  let key = newIdempotencyKey()
  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    clearErrors(form)
    const chosen = file.files?.[0]
    if (chosen == null) return
    if (chosen.size > MAX_BYTES) {
      showErrors(form, { message: t('doc.tooLarge'), code: 'PAYLOAD_TOO_LARGE', fields: [{ field: 'file', message: t('doc.hint') }] })
      return
    }
    try {
      await busy(button, () => upload(`/v1/applications/${applicationId}/documents`, chosen, { idempotencyKey: key }))
      key = newIdempotencyKey()
      toast(t('doc.uploaded'))
      onChange()
    } catch (err) {
      showErrors(form, { ...err, message: err.message, fields: [{ field: 'file', message: err.message }] })
    }
  })
  return card(t('doc.title'), list, form)
}
