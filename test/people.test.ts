import t from 'tap'
import { and, eq } from 'drizzle-orm'
import { accountTokens, auditLog, outboxMessages, users } from '../db/schema/index.ts'
import { sendDueMail } from '../server/services/outbox.ts'
import { nextOutboxState, OUTBOX_EVENTS, OUTBOX_TRANSITIONS, outboxBackoffMs } from '../server/domain/outbox-state.ts'
import { OUTBOX_STATES } from '../db/schema/people.ts'
import { adminToken, auth, buildTestApp, login, PASSWORD, registerFirm, testConfig, uscc } from './helper.ts'
import { admittedFirm } from './people-fixtures.ts'
import { startSmtp, type TestSmtp } from './smtp.ts'

t.setTimeout(900_000)

const calm = { overload: { ...testConfig().overload, maxEventLoopDelayMs: 0, dbHealthIntervalMs: 0 } }
const NEW_PASSWORD = 'Brand-New-Lantern-42'

/** The token in a reset or invitation link of an email. */
function tokenIn (text: string): string {
  const m = /[?&]token=([A-Za-z0-9_-]+)/.exec(text)
  if (m == null) throw new Error('no token in: ' + text)
  return m[1]
}

t.test('the outbox state machine: every state × event', async (t) => {
  const allowed = new Set(['queued:claim>sending', 'queued:skip>skipped', 'sending:claim>sending', 'sending:sent>sent', 'sending:retry>queued', 'sending:give_up>failed'])
  for (const s of OUTBOX_STATES) {
    for (const e of OUTBOX_EVENTS) {
      const next = OUTBOX_TRANSITIONS[s][e]
      if (next == null) {
        t.throws(() => nextOutboxState(s, e), { code: 'INVALID_STATE' }, `${s} × ${e} refused`)
        t.notOk([...allowed].some(a => a.startsWith(`${s}:${e}>`)), `${s} × ${e} is not in the table`)
      } else {
        t.ok(allowed.has(`${s}:${e}>${next}`), `${s} × ${e} → ${next}`)
      }
    }
  }
  t.same([1, 2, 3, 10].map(outboxBackoffMs), [60_000, 120_000, 240_000, 6 * 3600_000], 'doubling backoff, capped at 6 hours')
})

t.test('email through a real SMTP server', async (t) => {
  const smtp: TestSmtp = await startSmtp()
  t.teardown(smtp.close)
  const app = await buildTestApp(t, { ...calm, smtpUrl: smtp.url, mailFrom: '培育库 <no-reply@peiyu.test>', appUrl: 'https://peiyu.example.cn' })
  const send = async (now?: Date) => await sendDueMail(app.db, app.mailer, { from: app.mailer == null ? '' : '培育库 <no-reply@peiyu.test>', appUrl: 'https://peiyu.example.cn', now })
  t.ok(app.mailer != null, 'SMTP_URL gives the app a mailer')

  await t.test('an objection: the firm, the officers and the objector are told, each once', async (t) => {
    const { firm, officer, noticeId } = await admittedFirm(app)
    await send() // what the admission itself sent (reviewer assignment, the firm's decision)
    const before = smtp.received.length
    const lodged = await app.inject({
      method: 'POST', url: `/v1/public/notices/${noticeId}/objections`,
      payload: { reason: '该企业研发投入数据存疑', contact: '王先生 13800000000', email: 'Citizen@Example.test' }
    })
    t.equal(lodged.statusCode, 201)
    const receipt = lodged.json()
    t.match(receipt, { reference: /^YY-[2-9A-HJ-NP-Z]{10}$/, state: 'pending', emailed: true })

    const queued = await app.db.select().from(outboxMessages).where(eq(outboxMessages.state, 'queued'))
    t.same(queued.map(m => m.kind).sort(), ['objection_receipt', 'objection_received', 'objection_received'],
      'written with the objection, in its transaction: the officer, the firm, the objector\'s receipt')
    const result = await send()
    t.equal(result.sent, queued.length)
    t.equal((await send()).sent, 0, 'sent once: a second run finds nothing due')
    const fresh = smtp.received.slice(before)
    const toFirm = fresh.filter(m => m.to.includes(firm.email))
    t.equal(toFirm.length, 1, 'the firm, once')
    t.match(toFirm[0].subject, /您的公示收到异议/)
    t.match(toFirm[0].text, new RegExp(receipt.reference))
    t.match(toFirm[0].text, /Your public notice received an objection/, 'an English line')
    t.match(toFirm[0].text, /https:\/\/peiyu\.example\.cn\/#\/inbox/, 'links use APP_URL')
    const toObjector = smtp.to('citizen@example.test')
    t.equal(toObjector.length, 1, 'the objector, once')
    t.match(toObjector[0].subject, new RegExp(`异议已受理（${receipt.reference}）`))
    t.equal(fresh.filter(m => m.to.includes(officer.email)).length, 1, 'each officer, once')
    t.equal(new Set(fresh.map(m => m.messageId)).size, fresh.length, 'every Message-ID distinct')
    t.match(fresh[0].from, /no-reply@peiyu\.test/)

    // The outcome: the firm (inbox and email) and the objector (email).
    const objections = await app.inject({ url: `/v1/objections?noticeId=${noticeId}`, headers: auth(officer.token) })
    const id = objections.json().items[0].id
    t.equal(objections.json().items[0].reference, receipt.reference)
    const dismissed = await app.inject({ method: 'POST', url: `/v1/objections/${id}/dismiss`, headers: auth(officer.token), payload: { reason: '经核实数据无误' } })
    t.equal(dismissed.statusCode, 200)
    await send()
    const outcome = smtp.to('citizen@example.test')
    t.equal(outcome.length, 2)
    t.match(outcome[1].text, /异议不成立/)
    const firmMail = smtp.to(firm.email).filter(m => /公示异议已处理/.test(m.subject))
    t.equal(firmMail.length, 1)
    const inbox = await app.inject({ url: '/v1/me/notifications', headers: auth(firm.token) })
    t.ok(inbox.json().items.some((n: any) => n.kind === 'objection_resolved' && n.payload.outcome === 'dismissed'))
  })

  await t.test('a temporary refusal is retried after a backoff, a permanent one fails', async (t) => {
    const firm = await registerFirm(app)
    await send() // the registration's confirmation email
    const reset = async () => await app.inject({ method: 'POST', url: '/v1/auth/password-reset', payload: { email: firm.email } })
    t.equal((await reset()).statusCode, 202)
    smtp.refuseNext(451)
    const now = new Date()
    t.match(await send(now), { sent: 0, retried: 1 })
    const [row] = await app.db.select().from(outboxMessages).where(and(eq(outboxMessages.toAddress, firm.email), eq(outboxMessages.kind, 'password_reset')))
    t.match(row, { state: 'queued', attempts: 1 })
    t.ok(row.nextAttemptAt.getTime() >= now.getTime() + 60_000, 'not before a minute')
    t.equal((await send(now)).sent, 0, 'not due yet')
    t.equal((await send(new Date(now.getTime() + 61_000))).sent, 1, 'sent after the backoff')
    const [sent] = await app.db.select().from(outboxMessages).where(eq(outboxMessages.id, row.id))
    t.match(sent, { state: 'sent', attempts: 2 })
    t.match(sent.bodyText, /erased/, 'the one-time link does not stay in the outbox')

    t.equal((await reset()).statusCode, 202)
    smtp.refuseNext(550)
    t.match(await send(new Date(now.getTime() + 120_000)), { failed: 1 })
    const admin = await adminToken(app)
    const failed = await app.inject({ url: '/v1/admin/outbox?state=failed', headers: auth(admin) })
    t.equal(failed.statusCode, 200)
    t.equal(failed.json().items.length, 1)
    t.match(failed.json().items[0], { to: firm.email, kind: 'password_reset', state: 'failed', attempts: 1, lastError: /550/ })
    t.notOk('bodyText' in failed.json().items[0], 'the admin view never shows a body')
    t.ok(failed.json().counts.sent >= 1)
  })

  await t.test('password reset: 202 always, a one-time link, ends other tokens', async (t) => {
    const firm = await registerFirm(app)
    const nobody = await app.inject({ method: 'POST', url: '/v1/auth/password-reset', payload: { email: 'nobody@example.test' } })
    const somebody = await app.inject({ method: 'POST', url: '/v1/auth/password-reset', payload: { email: firm.email.toUpperCase() } })
    t.equal(nobody.statusCode, 202)
    t.equal(somebody.statusCode, 202)
    t.equal(nobody.body, somebody.body, 'the same answer whether or not the email has an account')
    await send()
    t.equal(smtp.to('nobody@example.test').length, 0)
    const mail = smtp.to(firm.email).at(-1)!
    t.match(mail.subject, /重置密码/)
    const token = tokenIn(mail.text)
    const [stored] = await app.db.select().from(accountTokens).where(eq(accountTokens.userId, firm.userId))
    t.not(stored.tokenHash, token, 'hashed at rest')
    t.notOk(stored.tokenHash.includes(token))

    const weak = await app.inject({ method: 'POST', url: '/v1/auth/password-reset/confirm', payload: { token, newPassword: 'password12' } })
    t.equal(weak.statusCode, 400)
    t.equal(weak.json().code, 'WEAK_PASSWORD')
    const ok = await app.inject({ method: 'POST', url: '/v1/auth/password-reset/confirm', payload: { token, newPassword: NEW_PASSWORD } })
    t.equal(ok.statusCode, 204)
    t.equal((await app.inject({ url: '/v1/me', headers: auth(firm.token) })).statusCode, 401, 'the old token ended')
    t.ok(await login(app, firm.email, NEW_PASSWORD), 'the new password works')
    const again = await app.inject({ method: 'POST', url: '/v1/auth/password-reset/confirm', payload: { token, newPassword: 'Another-Fine-Password-7' } })
    t.equal(again.statusCode, 400)
    t.equal(again.json().code, 'TOKEN_INVALID', 'single use')
    const zh = await app.inject({ method: 'POST', url: '/v1/auth/password-reset/confirm', headers: { 'accept-language': 'zh-CN' }, payload: { token, newPassword: NEW_PASSWORD } })
    t.match(zh.json().message, /链接无效/)

    // Expired: 30 minutes.
    await app.inject({ method: 'POST', url: '/v1/auth/password-reset', payload: { email: firm.email } })
    await send()
    const late = tokenIn(smtp.to(firm.email).at(-1)!.text)
    await app.db.update(accountTokens).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(accountTokens.userId, firm.userId))
    t.equal((await app.inject({ method: 'POST', url: '/v1/auth/password-reset/confirm', payload: { token: late, newPassword: 'Yet-Another-Passw0rd' } })).json().code, 'TOKEN_INVALID')
    const audit = await app.db.select().from(auditLog).where(eq(auditLog.objectId, firm.userId))
    t.ok(audit.some(a => a.action === 'user.reset_password'))
  })

  await t.test('change password: the current one is checked, other tokens end', async (t) => {
    const firm = await registerFirm(app)
    const second = await login(app, firm.email, PASSWORD)
    const wrong = await app.inject({ method: 'POST', url: '/v1/me/password', headers: auth(firm.token), payload: { currentPassword: 'not-it-at-all', newPassword: NEW_PASSWORD } })
    t.equal(wrong.statusCode, 400)
    t.equal(wrong.json().code, 'WRONG_PASSWORD')
    t.same(wrong.json().fields, [{ field: 'body.currentPassword', message: 'is wrong' }])
    const ok = await app.inject({ method: 'POST', url: '/v1/me/password', headers: auth(firm.token), payload: { currentPassword: PASSWORD, newPassword: NEW_PASSWORD } })
    t.equal(ok.statusCode, 204)
    const replacement = ok.headers['x-access-token'] as string
    t.type(replacement, 'string')
    t.equal((await app.inject({ url: '/v1/me', headers: auth(second) })).statusCode, 401, 'another session ended')
    t.equal((await app.inject({ url: '/v1/me', headers: auth(replacement) })).statusCode, 200, 'this session goes on with the replacement token')
    t.equal((await app.inject({ method: 'POST', url: '/v1/auth/login', payload: { email: firm.email, password: PASSWORD } })).statusCode, 401)
  })

  await t.test('a colleague invited by email sets a password, declares; only owners manage users', async (t) => {
    const owner = await registerFirm(app)
    const other = await registerFirm(app)
    const invited = await app.inject({ method: 'POST', url: `/v1/enterprises/${owner.enterpriseId}/users`, headers: auth(owner.token), payload: { email: 'Colleague@Firm.test', name: '李会计' } })
    t.equal(invited.statusCode, 201)
    t.match(invited.json(), { email: 'colleague@firm.test', firmRole: 'member', invitationPending: true, disabled: false })
    t.equal((await app.inject({ method: 'POST', url: `/v1/enterprises/${other.enterpriseId}/users`, headers: auth(owner.token), payload: { email: 'x@firm.test', name: 'x' } })).statusCode, 404, "another firm's is hidden")
    const elsewhere = await app.inject({ method: 'POST', url: `/v1/enterprises/${owner.enterpriseId}/users`, headers: auth(owner.token), payload: { email: other.email, name: 'x' } })
    t.equal(elsewhere.statusCode, 201, "another firm's address is invited like any: the answer does not tell it has an account")
    t.match(elsewhere.json(), { email: other.email, firmRole: 'member', invitationPending: true })
    const again = await app.inject({ method: 'POST', url: `/v1/enterprises/${owner.enterpriseId}/users`, headers: auth(owner.token), payload: { email: 'COLLEAGUE@firm.test', name: 'x' } })
    t.equal(again.json().code, 'EMAIL_TAKEN', 'an address among the firm\'s own accounts is refused')
    t.equal((await app.inject({ method: 'POST', url: '/v1/auth/login', payload: { email: 'colleague@firm.test', password: PASSWORD } })).statusCode, 401, 'no password before the invitation is accepted')
    const pending = await app.inject({ url: `/v1/enterprises/${owner.enterpriseId}/users`, headers: auth(owner.token) })
    t.same(pending.json().items.map((u: any) => [u.email, u.invitationPending]), [[owner.email, false], ['colleague@firm.test', true], [other.email, true]],
      'the list shows the invitations pending, alike')
    await send()
    const toOther = smtp.to(other.email).filter(m => /邀请/.test(m.subject))
    t.equal(toOther.length, 1, 'the address that has an account is told, and only its mailbox learns it')
    t.match(toOther[0].text, /已属于另一个已确认的账户/)
    t.notMatch(toOther[0].text, /token=/, 'with no link: it cannot join another firm')
    const mail = smtp.to('colleague@firm.test')
    t.equal(mail.length, 1)
    t.match(mail[0].subject, /邀请您加入/)
    const set = await app.inject({ method: 'POST', url: '/v1/auth/password-reset/confirm', payload: { token: tokenIn(mail[0].text), newPassword: NEW_PASSWORD } })
    t.equal(set.statusCode, 204)
    const colleague = await login(app, 'colleague@firm.test', NEW_PASSWORD)
    const me = await app.inject({ url: '/v1/me', headers: auth(colleague) })
    t.match(me.json(), { role: 'enterprise', enterpriseId: owner.enterpriseId, firmRole: 'member', emailConfirmed: true }, 'accepting the invitation confirmed the address')
    const declared = await app.inject({
      method: 'PUT', url: `/v1/enterprises/${owner.enterpriseId}/declarations/2025`, headers: auth(colleague),
      payload: { operatingRevenue: '30000000.00', softwareRevenue: '20000000.00', rdExpense: '1200000.00', exportRevenue: '0.00', employees: 80, rdStaff: 20, patents: 1, softwareCopyrights: 2 }
    })
    t.ok(declared.statusCode === 200 || declared.statusCode === 201, 'a member declares for the firm')
    const refused = await app.inject({ method: 'POST', url: `/v1/enterprises/${owner.enterpriseId}/users`, headers: auth(colleague), payload: { email: 'y@firm.test', name: 'y' } })
    t.equal(refused.statusCode, 403)
    t.equal(refused.json().code, 'FIRM_OWNER_REQUIRED')
    const list = await app.inject({ url: `/v1/enterprises/${owner.enterpriseId}/users`, headers: auth(colleague) })
    t.same(list.json().items.map((u: any) => [u.email, u.firmRole, u.invitationPending]), [[owner.email, 'owner', false], ['colleague@firm.test', 'member', false], [other.email, 'member', true]])
    const selfDemote = await app.inject({ method: 'PATCH', url: `/v1/enterprises/${owner.enterpriseId}/users/${owner.userId}`, headers: auth(owner.token), payload: { firmRole: 'member' } })
    t.equal(selfDemote.json().code, 'LAST_FIRM_OWNER')
    const colleagueId = list.json().items[1].id
    const disabled = await app.inject({ method: 'PATCH', url: `/v1/enterprises/${owner.enterpriseId}/users/${colleagueId}`, headers: auth(owner.token), payload: { disabled: true } })
    t.equal(disabled.statusCode, 200)
    t.equal((await app.inject({ url: '/v1/me', headers: auth(colleague) })).statusCode, 401, "a disabled colleague's token ends")
  })

  await t.test('an officer transfers a disputed code to the firm that proves it', async (t) => {
    const squatter = await registerFirm(app)
    const officer = (await admittedFirm(app)).officer
    const res = await app.inject({
      method: 'POST', url: `/v1/enterprises/${squatter.enterpriseId}/transfer`, headers: auth(officer.token),
      payload: { email: 'legal@real-firm.test', reason: '营业执照原件已核验' }
    })
    t.equal(res.statusCode, 200)
    t.match(res.json(), { enterpriseId: squatter.enterpriseId, disabledAccounts: 1 })
    t.equal((await app.inject({ url: '/v1/me', headers: auth(squatter.token) })).statusCode, 401, "the squatter's session ended")
    await send()
    const mail = smtp.to('legal@real-firm.test')
    t.equal(mail.length, 1)
    t.equal((await app.inject({ method: 'POST', url: '/v1/auth/password-reset/confirm', payload: { token: tokenIn(mail[0].text), newPassword: NEW_PASSWORD } })).statusCode, 204)
    const real = await login(app, 'legal@real-firm.test', NEW_PASSWORD)
    const me = (await app.inject({ url: '/v1/me', headers: auth(real) })).json()
    t.match(me, { enterpriseId: squatter.enterpriseId, firmRole: 'owner' })
    const [entry] = await app.db.select().from(auditLog).where(eq(auditLog.action, 'enterprise.transfer'))
    t.match(entry, { objectId: squatter.enterpriseId, actorId: officer.id, after: { reason: '营业执照原件已核验', email: 'legal@real-firm.test' } })
    const [old] = await app.db.select().from(users).where(eq(users.id, squatter.userId))
    t.equal(old.disabled, true)
  })
})

t.test('without SMTP_URL notifications stay in the app: queued mail is skipped', async (t) => {
  const app = await buildTestApp(t, calm)
  t.equal(app.mailer, null)
  const firm = await registerFirm(app)
  await app.inject({ method: 'POST', url: '/v1/auth/password-reset', payload: { email: firm.email } })
  t.match(await sendDueMail(app.db, app.mailer, { from: 'x@y.z', appUrl: 'http://localhost' }), { sent: 0, skipped: 2 }, 'the confirmation and the reset link')
  const rows = await app.db.select().from(outboxMessages)
  t.same(rows.map(r => [r.kind, r.state]).sort(), [['email_confirmation', 'skipped'], ['password_reset', 'skipped']])
})

t.test('registration compares the credit code\'s division with the district', async (t) => {
  const app = await buildTestApp(t, calm)
  const admin = await adminToken(app)
  const body = (n: number, districtCode: string) => ({
    uscc: uscc(9000 + n), name: `区划测试有限公司 ${n}`, email: `division${n}@example.test`, password: PASSWORD, districtCode, domains: ['ai'], foundedOn: '2018-01-01'
  })
  const fits = await app.inject({ method: 'POST', url: '/v1/auth/register', payload: body(1, '210202') })
  t.equal(fits.statusCode, 201)
  t.notOk('warnings' in fits.json())
  const warned = await app.inject({ method: 'POST', url: '/v1/auth/register', payload: body(2, '210211') })
  t.equal(warned.statusCode, 201, 'policy warn: accepted')
  t.match(warned.json().warnings, [{ code: 'USCC_DISTRICT_MISMATCH', messageZh: /210202.*210211/ }])
  const zone = await app.inject({ method: 'POST', url: '/v1/auth/register', payload: body(3, 'hi_tech_zone') })
  t.notOk('warnings' in zone.json(), 'a pilot zone accepts the divisions policy lists for it')
  const { policySettings } = await import('../db/schema/index.ts')
  await app.db.update(policySettings).set({ value: { mode: 'refuse', accept: {} } }).where(eq(policySettings.key, 'uscc_division_check'))
  const refused = await app.inject({ method: 'POST', url: '/v1/auth/register', headers: { 'accept-language': 'zh-CN' }, payload: body(4, '210211') })
  t.equal(refused.statusCode, 400)
  t.equal(refused.json().code, 'USCC_DISTRICT_MISMATCH')
  t.match(refused.json().message, /不一致/)
  t.same(refused.json().fields, [{ field: 'body.districtCode', message: '与统一社会信用代码中的行政区划码 210202 不一致' }], 'the field message in Chinese too')
  const refusedEn = await app.inject({ method: 'POST', url: '/v1/auth/register', payload: body(5, '210211') })
  t.same(refusedEn.json().fields, [{ field: 'body.districtCode', message: "does not match the credit code's division 210202" }])
  t.ok(admin)
})
