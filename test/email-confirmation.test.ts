import t from 'tap'
import { and, desc, eq } from 'drizzle-orm'
import { outboxMessages, users } from '../db/schema/index.ts'
import * as passwords from '../server/lib/passwords.ts'
import { notify } from '../server/services/notifications.ts'
import { UNCONFIRMED_DAYS } from '../server/services/accounts.ts'
import { auth, buildTestApp, confirmationToken, createStaff, login, PASSWORD, registerFirm, uscc } from './helper.ts'

// Confirmed addresses (issues 11 and 16): registering with an address that has
// an account answers like any registration; login, reset, invitations and
// notification emails keep working, each with the account it should reach.

t.setTimeout(600_000)

const OTHER_PASSWORD = 'Second-Lantern-Harbor-77'
const THIRD_PASSWORD = 'Third-Quiet-Orchard-58'
const NEW_PASSWORD = 'Brand-New-Lantern-42'

t.test('confirmed addresses', async (t) => {
  const app = await buildTestApp(t)
  let n = 0
  const register = async (email: string, password: string) => await app.inject({
    method: 'POST', url: '/v1/auth/register',
    payload: { uscc: uscc(7700 + ++n), name: '同名软件有限公司', email, password, districtCode: '210202', domains: ['ai'], foundedOn: '2016-04-01' }
  })
  const meOf = async (email: string, password: string) => (await app.inject({ url: '/v1/me', headers: auth(await login(app, email, password)) })).json()
  const loginStatus = async (email: string, password: string) =>
    (await app.inject({ method: 'POST', url: '/v1/auth/login', payload: { email, password } })).statusCode
  const mailsTo = async (userId: string) =>
    await app.db.select().from(outboxMessages).where(eq(outboxMessages.userId, userId)).orderBy(desc(outboxMessages.createdAt))

  const owner = await registerFirm(app) // registered and confirmed

  await t.test('a taken email and a fresh one register alike; each signs in with its own password', async (t) => {
    const taken = await register(owner.email.toUpperCase(), OTHER_PASSWORD)
    const fresh = await register('fresh-one@example.test', OTHER_PASSWORD)
    t.equal(taken.statusCode, 201)
    t.equal(fresh.statusCode, taken.statusCode, 'the same status')
    t.equal(fresh.headers['content-type'], taken.headers['content-type'])
    // Nothing differs but the ids, the time and what the caller chose (email, credit code).
    const chosen = new Set(['id', 'enterpriseId', 'createdAt', 'email', 'uscc'])
    const blank = (v: unknown): unknown => Array.isArray(v)
      ? v.map(blank)
      : v != null && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, chosen.has(k) ? typeof x : blank(x)])) : v
    t.same(blank(taken.json()), blank(fresh.json()), 'the same body but for ids and the values the caller chose')
    t.same(Object.keys(taken.json()), Object.keys(fresh.json()))
    t.same(Object.keys(taken.json().user), Object.keys(fresh.json().user))
    t.equal(taken.json().user.emailConfirmed, false)

    t.equal((await meOf(owner.email, PASSWORD)).id, owner.userId, 'the original owner still signs in to its own account')
    t.equal((await meOf(owner.email, OTHER_PASSWORD)).id, taken.json().user.id, 'the second registration signs in with its own password')
    t.equal((await meOf('fresh-one@example.test', OTHER_PASSWORD)).id, fresh.json().user.id)

    // Only the mailbox learns the address has an account: the new registration gets no link it could confirm with.
    const [toTaken] = await mailsTo(taken.json().user.id)
    t.equal(toTaken.kind, 'address_in_use')
    t.match(toTaken.bodyText, /已属于一个已确认的账户/)
    t.notMatch(toTaken.bodyText, /token=/)
    const [toFresh] = await mailsTo(fresh.json().user.id)
    t.equal(toFresh.kind, 'email_confirmation')
    t.match(toFresh.subject, /请确认您的邮箱/)
  })

  await t.test('the confirmed account wins a shared password; the duplicate never takes the address', async (t) => {
    const same = await register(owner.email, PASSWORD)
    t.equal(same.statusCode, 201)
    t.equal((await meOf(owner.email, PASSWORD)).id, owner.userId, 'a password match on the confirmed account wins')
  })

  await t.test('confirmation works once; a second confirmation of the address is refused', async (t) => {
    const first = await register('shared@example.test', OTHER_PASSWORD)
    const second = await register('shared@example.test', THIRD_PASSWORD)
    const firstToken = await confirmationToken(app, first.json().user.id)
    const secondToken = await confirmationToken(app, second.json().user.id)
    const ok = await app.inject({ method: 'POST', url: '/v1/auth/confirm', payload: { token: secondToken } })
    t.equal(ok.statusCode, 200, ok.body)
    t.same(ok.json(), { email: 'shared@example.test', emailConfirmed: true })
    const again = await app.inject({ method: 'POST', url: '/v1/auth/confirm', payload: { token: secondToken } })
    t.equal(again.statusCode, 400)
    t.equal(again.json().code, 'TOKEN_INVALID', 'the link works once')
    t.equal((await meOf('shared@example.test', THIRD_PASSWORD)).emailConfirmed, true)
    const refused = await app.inject({ method: 'POST', url: '/v1/auth/confirm', headers: { 'accept-language': 'zh-CN' }, payload: { token: firstToken } })
    t.equal(refused.statusCode, 409)
    t.equal(refused.json().code, 'EMAIL_ALREADY_CONFIRMED', 'the address is confirmed by another account')
    t.match(refused.json().message, /已属于另一个已确认的账户/)
    const bogus = await app.inject({ method: 'POST', url: '/v1/auth/confirm', payload: { token: 'x'.repeat(43) } })
    t.equal(bogus.json().code, 'TOKEN_INVALID')
    const resetToken = await app.inject({ method: 'POST', url: '/v1/auth/password-reset/confirm', payload: { token: firstToken, newPassword: NEW_PASSWORD } })
    t.equal(resetToken.json().code, 'TOKEN_INVALID', 'a confirmation link does not set passwords')
  })

  await t.test('sign-in verifies the same number of hashes whatever the address has', async (t) => {
    let verified = 0
    const counted = {
      ...passwords,
      verifyPassword: async (hash: string, password: string) => { verified++; return await passwords.verifyPassword(hash, password) },
      verifyAgainstDummy: async (password: string) => { verified++; return await passwords.verifyAgainstDummy(password) }
    }
    const accounts = await t.mockImport<typeof import('../server/services/accounts.ts')>('../server/services/accounts.ts', {
      '../server/lib/passwords.ts': counted
    })
    await register('many@example.test', OTHER_PASSWORD)
    await register('many@example.test', THIRD_PASSWORD)
    const staff = await createStaff(app, 'analyst')
    const counts: Record<string, number> = {}
    for (const [name, email, password] of [
      ['unknown address', 'nobody@example.test', PASSWORD],
      ['confirmed only, right password', staff.email, PASSWORD],
      ['confirmed and duplicates, right password', owner.email, PASSWORD],
      ['confirmed and duplicates, wrong password', owner.email, 'Wrong-Password-123456'],
      ['two unconfirmed, the newer password', 'many@example.test', THIRD_PASSWORD],
      ['one unconfirmed', 'fresh-one@example.test', OTHER_PASSWORD]
    ] as const) {
      verified = 0
      await accounts.checkCredentials(app.db, email, password).catch(() => {})
      counts[name] = verified
    }
    t.same(new Set(Object.values(counts)), new Set([3]), `always 3 verifications: ${JSON.stringify(counts)}`)
  })

  await t.test('at most two unconfirmed accounts per address sign in: the oldest drops out', async (t) => {
    const p = ['Oldest-Maple-Window-31', 'Middle-Cedar-Window-32', 'Newest-Birch-Window-33']
    for (const password of p) t.equal((await register('crowded@example.test', password)).statusCode, 201)
    t.equal(await loginStatus('crowded@example.test', p[0]), 401, 'the oldest is not a candidate any more')
    t.equal(await loginStatus('crowded@example.test', p[1]), 200)
    t.equal(await loginStatus('crowded@example.test', p[2]), 200)
    const mails = await app.db.select().from(outboxMessages).where(eq(outboxMessages.toAddress, 'crowded@example.test'))
    t.equal(mails.length, 3, 'one email per registration, up to the daily cap')
    t.equal((await register('crowded@example.test', 'Fourth-Spruce-Window-34')).statusCode, 201, 'past the cap the answer is the same')
    t.equal((await app.db.select().from(outboxMessages).where(eq(outboxMessages.toAddress, 'crowded@example.test'))).length, 3, 'but nothing more is sent')
  })

  await t.test(`an unconfirmed account stops signing in after ${UNCONFIRMED_DAYS} days; a reset revives and confirms it`, async (t) => {
    const late = await register('late@example.test', OTHER_PASSWORD)
    const id = late.json().user.id
    await app.db.update(users).set({ createdAt: new Date(Date.now() - (UNCONFIRMED_DAYS + 1) * 86_400_000) }).where(eq(users.id, id))
    t.equal(await loginStatus('late@example.test', OTHER_PASSWORD), 401)
    t.equal((await app.inject({ method: 'POST', url: '/v1/auth/password-reset', payload: { email: 'late@example.test' } })).statusCode, 202)
    const [reset] = await app.db.select().from(outboxMessages).where(and(eq(outboxMessages.userId, id), eq(outboxMessages.kind, 'password_reset')))
    t.ok(reset != null, 'the only account of the address gets the reset link')
    const token = /token=([A-Za-z0-9_-]+)/.exec(reset.bodyText)![1]
    t.equal((await app.inject({ method: 'POST', url: '/v1/auth/password-reset/confirm', payload: { token, newPassword: NEW_PASSWORD } })).statusCode, 204)
    const me = await meOf('late@example.test', NEW_PASSWORD)
    t.match(me, { id, emailConfirmed: true }, 'the reset proved the mailbox: confirmed, and it signs in again')
  })

  await t.test('a reset goes to the confirmed account, not to a duplicate', async (t) => {
    t.equal((await app.inject({ method: 'POST', url: '/v1/auth/password-reset', payload: { email: owner.email } })).statusCode, 202)
    const resets = await app.db.select().from(outboxMessages).where(and(eq(outboxMessages.toAddress, owner.email), eq(outboxMessages.kind, 'password_reset')))
    t.same(resets.map(r => r.userId), [owner.userId])
    const token = /token=([A-Za-z0-9_-]+)/.exec(resets[0].bodyText)![1]
    t.equal((await app.inject({ method: 'POST', url: '/v1/auth/password-reset/confirm', payload: { token, newPassword: NEW_PASSWORD } })).statusCode, 204)
    t.equal((await meOf(owner.email, NEW_PASSWORD)).id, owner.userId)
    t.equal((await meOf(owner.email, OTHER_PASSWORD)).emailConfirmed, false, 'the duplicate keeps its own password and stays unconfirmed')
  })

  await t.test('an address with only unconfirmed accounts: each gets its own reset link naming its firm', async (t) => {
    t.equal((await app.inject({ method: 'POST', url: '/v1/auth/password-reset', payload: { email: 'many@example.test' } })).statusCode, 202)
    const resets = await app.db.select().from(outboxMessages).where(and(eq(outboxMessages.toAddress, 'many@example.test'), eq(outboxMessages.kind, 'password_reset')))
    const accounts = await app.db.select({ id: users.id }).from(users).where(eq(users.email, 'many@example.test'))
    t.equal(resets.length, 2)
    t.same(new Set(resets.map(r => r.userId)), new Set(accounts.map(a => a.id)), 'one link per account: the mailbox owner picks its own')
    for (const r of resets) t.match(r.bodyText, /“同名软件有限公司”企业账户/)
  })

  await t.test('notifications: the inbox for everyone; email unless the address is confirmed by another account', async (t) => {
    const unconfirmed = await registerFirm(app, {}, { confirm: false })
    const confirmed = await registerFirm(app)
    const stranger = await registerFirm(app, { email: owner.email, password: THIRD_PASSWORD }, { confirm: false })
    const wrote = await notify(app.db, [unconfirmed.userId, confirmed.userId, stranger.userId], 'membership_changed', { note: 'test' })
    t.equal(wrote, 3, 'three inboxes')
    const mailed = await app.db.select({ userId: outboxMessages.userId, to: outboxMessages.toAddress }).from(outboxMessages)
      .where(eq(outboxMessages.kind, 'membership_changed'))
    t.same(new Set(mailed.map(m => m.userId)), new Set([unconfirmed.userId, confirmed.userId]),
      'a new address is mailed before it is confirmed; the owner of a confirmed address is never mailed about a stranger\'s firm')
    t.notOk(mailed.some(m => m.to === owner.email))
  })

  await t.test('staff accounts are confirmed; an administrator cannot give a confirmed address to a second account', async (t) => {
    const admin = await login(app, 'admin@peiyu.test', 'Peiyu-Root-Secret-2026')
    t.equal((await app.inject({ url: '/v1/me', headers: auth(admin) })).json().emailConfirmed, true)
    const dup = await app.inject({
      method: 'POST', url: '/v1/users', headers: auth(admin),
      payload: { email: owner.email, name: 'x', role: 'analyst', password: 'Staff-Account-Pass-2026' }
    })
    t.equal(dup.statusCode, 409)
    t.equal(dup.json().code, 'EMAIL_TAKEN')
    const unconfirmedOnly = await app.inject({
      method: 'POST', url: '/v1/users', headers: auth(admin),
      payload: { email: 'fresh-one@example.test', name: 'x', role: 'analyst', password: 'Staff-Account-Pass-2026' }
    })
    t.equal(unconfirmedOnly.statusCode, 201, 'an address held only by unconfirmed registrations is free')
    t.equal(unconfirmedOnly.json().emailConfirmed, true)
  })
})
