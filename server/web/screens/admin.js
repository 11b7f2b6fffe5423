// Administrator screens: the audit trail (with the hash-chain check) and
// staff accounts (reviewers, officers, analysts, administrators).
import { h, table } from '../dom.js'
import { t, formatDateTime, getLang, nameOf } from '../i18n.js'
import { api, listAll, newIdempotencyKey } from '../api.js'
import { store, flash, reference } from '../context.js'
import { apiForm, field, input, select, card, notice, busy, toast, badge } from '../ui.js'

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

/** Each audited action in words (the code stays in the cell's title); unknown ones show their code. */
export const AUDIT_ACTIONS = {
  'application.create': ['创建申报', 'Application created'], 'application.update': ['修改申报', 'Application changed'],
  'application.submit': ['提交申报', 'Application submitted'], 'application.withdraw': ['撤回申报', 'Application withdrawn'],
  'application.return': ['退回修改', 'Returned for revision'], 'application.review_start': ['开始评审', 'Review started'],
  'application.score': ['评审汇总', 'Scored'], 'application.admit': ['决定入库', 'Admitted'], 'application.reject': ['决定不予入库', 'Rejected'],
  'application.appeal': ['提出申诉', 'Appealed'], 'application.reverse_admission': ['撤销入库决定', 'Admission reversed'],
  'call.create': ['发布申报批次', 'Call opened'], 'call.update': ['修改申报批次', 'Call changed'],
  'conflict.declare': ['申报利益冲突', 'Conflict declared'], 'conflict.recuse': ['评审回避', 'Recusal'],
  'declaration.create': ['填报年度数据', 'Declaration made'], 'declaration.update': ['修改年度数据', 'Declaration changed'],
  'declaration.reclassify': ['重新核定规模等级', 'Tier recomputed'],
  'document.upload': ['上传材料', 'Document uploaded'], 'document.delete': ['删除材料', 'Document deleted'],
  'eligibility_gates.update': ['修改申报门槛', 'Eligibility gates changed'],
  'enterprise.register': ['企业注册', 'Firm registered'], 'enterprise.update': ['修改企业信息', 'Firm changed'], 'enterprise.transfer': ['移交企业账户', 'Firm account transferred'],
  'notice.publish': ['发布公示', 'Notice published'], 'notice.close': ['公示期满', 'Notice ended'], 'notice.revoke': ['撤销公示', 'Notice withdrawn'],
  'notification.read': ['阅读消息', 'Notification read'],
  'objection.lodge': ['提出异议', 'Objection lodged'], 'objection.uphold': ['异议成立', 'Objection upheld'], 'objection.dismiss': ['异议不成立', 'Objection dismissed'],
  'pool.admit': ['纳入培育库(公示)', 'Admitted to the pool (notice)'], 'pool.admit_direct': ['直通入库', 'Direct admission'],
  'pool.admit_graduate': ['升级转入', 'Graduated in'], 'pool.activate': ['公示期满入库', 'Membership active'],
  'pool.expire': ['资格到期', 'Membership expired'], 'pool.revoke': ['撤销培育资格', 'Membership revoked'],
  'pool.reevaluate': ['复核培育库', 'Pool re-evaluated'], 'pool.reevaluation': ['复核预览', 'Re-evaluation previewed'],
  'pool.renew': ['复核通过续期', 'Membership renewed'], 'pool.warn': ['复核预警', 'Member warned'], 'pool.exit': ['退出培育库', 'Member exited'],
  'pool.graduate': ['升级转出', 'Member graduated'], 'pool.retier': ['调整规模等级', 'Member re-tiered'], 'pool.review': ['复核', 'Member reviewed'],
  'review.assign': ['分配评审', 'Review assigned'], 'review.reassign': ['改派评审', 'Review reassigned'], 'review.recuse': ['评审回避', 'Reviewer recused'],
  'review.save': ['保存评审草稿', 'Review draft saved'], 'review.submit': ['提交评审', 'Review submitted'],
  'rubric.create': ['新增评分标准', 'Rubric created'], 'rubric.replace': ['修改评分标准', 'Rubric replaced'],
  'simulation.adopt': ['采用政策模拟', 'Simulated policy adopted'], 'targets.replace': ['修改规划目标', 'Targets changed'],
  'tier_rules.replace': ['修改规模等级规则', 'Tier rules changed'], 'tier_rules.recompute': ['重新核定全年等级', 'Tiers recomputed'],
  'user.create': ['创建账户', 'Account created'], 'user.update': ['修改账户', 'Account changed'], 'user.invite': ['邀请同事', 'Colleague invited'],
  'user.disable': ['停用账户', 'Account disabled'], 'user.change_role': ['变更角色', 'Role changed'], 'user.change_firm_role': ['变更企业内角色', 'Firm role changed'],
  'user.change_password': ['修改密码', 'Password changed'], 'user.request_password_reset': ['申请重置密码', 'Password reset asked'],
  'user.reset_password': ['重置密码', 'Password reset'], 'user.accept_invitation': ['接受邀请', 'Invitation accepted']
}
const OBJECT_TYPES = ['application', 'call', 'declaration', 'document', 'enterprise', 'notice', 'notice_objection', 'pool_membership', 'review', 'rubric', 'user', 'policy_simulation']

export function actionName (action) {
  const pair = AUDIT_ACTIONS[action]
  return pair == null ? action : pair[getLang() === 'zh' ? 0 : 1]
}

export function auditTable (entries) {
  return h('div', { class: 'table-wrap audit-trail' }, table([
    { label: '#', class: 'num', cell: e => String(e.id) },
    { label: t('audit.at'), class: 'nowrap', cell: e => formatDateTime(e.at) },
    { label: t('audit.action'), cell: e => h('span', { title: e.action, dataset: { action: e.action } }, actionName(e.action)) },
    { label: t('audit.object'), cell: e => objectLink(e) },
    { label: t('audit.actor'), cell: e => e.actorRole != null ? t('role.' + e.actorRole) : '—' },
    { label: '', cell: e => h('span', { class: 'muted' }, diffText(e.before, e.after)) }
  ], entries, { empty: t('common.none') }))
}

const AUDIT_PAGE = 50

/** The audit trail, newest first, fifty at a time, filtered by object, type and action (chosen by name). */
export async function auditView ({ query }) {
  const q = { objectType: query.objectType, objectId: query.objectId, action: query.action }
  const body = h('div', { id: 'audit-entries' })
  const more = h('button', { type: 'button', class: 'small', id: 'audit-more' }, t('common.more'))
  let entries = []
  let cursor = null
  const load = async () => {
    const page = await api.get('/v1/audit', { query: { ...q, limit: AUDIT_PAGE, ...(cursor != null ? { cursor } : {}) } })
    entries = [...entries, ...page.items]
    cursor = page.nextCursor
    more.hidden = cursor == null
    body.replaceChildren(auditTable(entries), h('p', { class: 'muted' }, t('audit.shown', { n: entries.length })))
  }
  more.addEventListener('click', async () => { try { await busy(more, load) } catch (err) { toast(err.message, 'error') } })
  await load()
  const actions = Object.keys(AUDIT_ACTIONS).sort((a, b) => actionName(a).localeCompare(actionName(b), getLang() === 'zh' ? 'zh-CN' : 'en'))
  const form = h('form', { class: 'inline-form', id: 'audit-search' },
    field(t('audit.objectType'), select('objectType', [{ value: '', label: t('audit.any') }, ...OBJECT_TYPES.map(o => ({ value: o, label: t('audit.type.' + o) }))], { value: query.objectType ?? '' })),
    field(t('audit.action'), select('action', [{ value: '', label: t('audit.any') }, ...actions.map(a => ({ value: a, label: actionName(a) }))], { value: query.action ?? '' })),
    field(t('audit.objectId'), input('objectId', { value: query.objectId ?? '', class: 'mono' })),
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
        ? notice('success', t('audit.intact', { n: r.entries, unsequenced: r.unsequenced ?? 0 }))
        : notice('error', t('audit.broken', { id: r.brokenAt?.id ?? '?', reason: r.brokenAt?.reason ?? '' })))
    } catch (err) { toast(err.message, 'error') }
  })
  return h('div', null,
    h('div', { class: 'page-head' }, h('h1', null, t('audit.title')), h('div', { class: 'actions' }, verify)),
    verifyResult,
    card(null, form),
    card(null, body, h('div', { class: 'buttons' }, more)))
}

const STAFF_ROLES = ['reviewer', 'officer', 'analyst', 'admin', 'district_officer']
const STAFF_PAGE = 50

/**
 * Staff accounts by role, fifty at a time (the list asks the API per role,
 * never "the first thousand users"), each editable: name, role, reviewer
 * domains, disabled. A new account below.
 */
export async function staffView ({ query, rerender }) {
  const ref = await reference()
  const role = STAFF_ROLES.includes(query.role) ? query.role : ''
  const rows = h('tbody')
  const more = h('button', { type: 'button', class: 'small', id: 'staff-more' }, t('common.more'))
  let cursor = null
  const editor = h('div', { id: 'staff-editor' })
  const load = async () => {
    // No role chosen: every staff role, one after the other (enterprise accounts are managed by their firms).
    const roles = role === '' ? STAFF_ROLES : [role]
    const pages = []
    for (const r of roles) {
      const page = await api.get('/v1/users', { query: { role: r, limit: STAFF_PAGE, ...(cursor?.[r] != null ? { cursor: cursor[r] } : {}) } })
      pages.push([r, page])
    }
    cursor = Object.fromEntries(pages.filter(([, p]) => p.nextCursor != null).map(([r, p]) => [r, p.nextCursor]))
    more.hidden = Object.keys(cursor).length === 0
    for (const [, page] of pages) for (const u of page.items) rows.append(staffRow(u))
  }
  const staffRow = (u) => {
    const edit = h('button', { type: 'button', class: 'small', dataset: { edit: u.id } }, t('staff.edit'))
    edit.addEventListener('click', () => { editor.replaceChildren(staffEditor(u, ref, rerender)); editor.scrollIntoView({ block: 'nearest' }) })
    return h('tr', { dataset: { user: u.id } },
      h('td', null, u.name), h('td', null, u.email), h('td', null, t('role.' + u.role)),
      h('td', null, u.role === 'reviewer'
        ? (u.domains ?? []).map(d => ref.domain[d] != null ? nameOf(ref.domain[d]) : d).join('、') || '—'
        : u.districtCode != null ? (ref.district[u.districtCode] != null ? nameOf(ref.district[u.districtCode]) : u.districtCode) : ''),
      h('td', null, u.disabled ? badge('disabled') : badge('active_account')),
      h('td', null, edit))
  }
  more.addEventListener('click', async () => { try { await busy(more, load) } catch (err) { toast(err.message, 'error') } })
  await load()

  const filter = select('role', [{ value: '', label: t('staff.allRoles') }, ...STAFF_ROLES.map(r => ({ value: r, label: t('role.' + r) }))], { value: role })
  filter.addEventListener('change', () => store.navigate('/staff' + (filter.value === '' ? '' : '?role=' + filter.value)))

  const key = newIdempotencyKey()
  const roles = STAFF_ROLES.map(r => ({ value: r, label: t('role.' + r) }))
  const form = apiForm({ id: 'staff-form' }, [
    h('div', { class: 'fields' },
      field(t('staff.name'), input('name')),
      field(t('login.email'), input('email', { type: 'email' })),
      field(t('staff.role'), select('role', roles)),
      field(t('login.password'), input('password', { type: 'password', autocomplete: 'new-password' }), { hint: t('register.password.hint') }),
      field(t('staff.district'), select('districtCode', [{ value: '', label: '—' }, ...ref.districts.map(d => ({ value: d.code, label: nameOf(d) }))]),
        { hint: t('staff.district.hint') }),
      field(t('staff.employerUscc'), input('employerUscc', { class: 'mono', maxlength: 18 }), { wide: true })),
    h('div', { class: 'buttons' }, h('button', { type: 'submit', class: 'primary' }, t('staff.create')))
  ], async (values) => {
    await api.post('/v1/users', values, { idempotencyKey: key })
    flash('success', t('staff.created'))
    store.navigate('/staff', { replace: true })
  })
  return h('div', null,
    h('div', { class: 'page-head' }, h('h1', null, t('staff.title')), h('div', { class: 'actions' }, field(t('staff.role'), filter))),
    h('div', { class: 'grid-2' },
      h('div', null,
        card(null, h('div', { class: 'table-wrap' }, h('table', { class: 'data', id: 'staff-list' },
          h('thead', null, h('tr', null, ['staff.name', 'login.email', 'staff.role', 'account.domains', 'common.state', ''].map(k => h('th', { scope: 'col' }, k === '' ? '' : t(k))))),
          rows)), h('div', { class: 'buttons' }, more)),
        editor),
      card(t('staff.create'), form)))
}

/** Edits one staff account: name, role, disabled, and a reviewer's domains (PATCH /v1/users/:id). */
function staffEditor (u, ref, rerender) {
  const mine = new Set(u.domains ?? [])
  const form = apiForm({ id: 'staff-edit-form' }, [
    h('div', { class: 'fields' },
      field(t('staff.name'), input('name', { value: u.name })),
      field(t('staff.role'), select('role', STAFF_ROLES.map(r => ({ value: r, label: t('role.' + r) })), { value: u.role })),
      h('div', { class: 'field wide', dataset: { field: 'domains' } },
        h('label', null, t('account.domains')),
        h('fieldset', { class: 'checks' }, ref.domains.map(d => h('label', null,
          h('input', { type: 'checkbox', name: 'domains', value: d.code, checked: mine.has(d.code), dataset: { multi: '' } }), nameOf(d)))),
        h('div', { class: 'field-error', role: 'alert' })),
      h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'disabled', checked: u.disabled }), ' ', t('staff.disabled'))),
    h('div', { class: 'buttons' }, h('button', { type: 'submit', class: 'primary' }, t('common.save')))
  ], async (values) => {
    const patch = {}
    if ((values.name ?? '') !== u.name) patch.name = values.name ?? ''
    if (values.role !== u.role) patch.role = values.role
    if (values.disabled !== u.disabled) patch.disabled = values.disabled
    const domains = values.domains ?? []
    if ((values.role ?? u.role) === 'reviewer' && JSON.stringify([...domains].sort()) !== JSON.stringify([...mine].sort())) patch.domains = domains
    if (Object.keys(patch).length === 0) { toast(t('staff.unchanged')); return }
    await api.patch(`/v1/users/${u.id}`, patch)
    flash('success', t('staff.saved', { name: values.name ?? u.name }))
    rerender()
  })
  return card(t('staff.editing', { name: u.name }), form)
}
