import { randomBytes } from 'node:crypto'
import { and, asc, desc, eq, gt, isNotNull, isNull, ne, sql } from 'drizzle-orm'
import { type Db, inTransaction } from '../../db/client.ts'
import { accountTokens, enterprises, users, type FirmRole } from '../../db/schema/index.ts'
import { errors } from '../domain/errors.ts'
import { invitationAddressInUseMail, invitationMail, passwordResetMail, transferMail } from '../domain/mail.ts'
import { passwordProblem } from '../domain/passwords.ts'
import { recordAudit, type AuditContext } from '../lib/audit.ts'
import { hashPassword, verifyPassword } from '../lib/passwords.ts'
import type { Principal } from '../domain/access.ts'
import { confirmAddressIfFree, confirmedAccount, issueToken, normalizeEmail, sha256, userView, type UserRow } from './accounts.ts'
import { enqueueMail, STORED_LINKS } from './outbox.ts'

/**
 * Accounts people manage themselves (docs/people.md): changing and resetting
 * a password, a firm's owner inviting colleagues, an officer handing a
 * disputed credit code's account to the firm that proves it.
 *
 * One-time tokens (reset links, invitations) are 32 random bytes; only their
 * SHA-256 is stored, each works once, and a newer one replaces the older.
 */

export const RESET_TOKEN_MINUTES = 30
export const INVITATION_DAYS = 7

/** A password nobody knows: an invited account cannot sign in until the invitation sets one. */
async function unusablePasswordHash (): Promise<string> {
  return await hashPassword(randomBytes(32).toString('base64url'))
}

function checkStrength (password: string, user: Pick<UserRow, 'email' | 'name'>): void {
  const problem = passwordProblem(password, [user.email.split('@')[0], user.name])
  if (problem != null) throw errors.weakPasswordField('body.newPassword', problem)
}

/**
 * The signed-in user changes their password. Every existing token ends (the
 * token version moves on); the caller gets a fresh token for its own session.
 */
export async function changePassword (db: Db, userId: string, current: string, next: string, actor: AuditContext) {
  const [user] = await db.select().from(users).where(eq(users.id, userId))
  if (user == null || user.disabled) throw errors.unauthorized()
  if (!(await verifyPassword(user.passwordHash, current))) throw errors.wrongPassword()
  checkStrength(next, user)
  if (current === next) throw errors.weakPasswordField('body.newPassword', 'must differ from the current password')
  const passwordHash = await hashPassword(next)
  return await inTransaction(db, async (tx) => {
    const [after] = await tx.update(users).set({ passwordHash, tokenVersion: sql`${users.tokenVersion} + 1`, updatedAt: new Date() })
      .where(eq(users.id, userId)).returning()
    await recordAudit(tx, actor, { action: 'user.change_password', objectType: 'user', objectId: userId })
    return after
  })
}

/** At most this many unconfirmed accounts of an address without a confirmed one get a reset link at once. */
export const RESET_UNCONFIRMED_MAX = 3

/**
 * Anyone asks for a reset link. The answer never says whether the email has
 * an account: only an enabled account gets the email. The link goes to the
 * address's confirmed account; an address with none has only registrations
 * not confirmed yet, possibly someone else's made with this address, so each
 * of its newest RESET_UNCONFIRMED_MAX enabled ones gets its own link naming
 * its firm, and the mailbox owner picks (using a link proves the mailbox and
 * confirms that account).
 */
export async function requestPasswordReset (db: Db, email: string, actor: AuditContext, now = new Date()): Promise<void> {
  const rows = await db.select({ u: users, firm: enterprises.name }).from(users).leftJoin(enterprises, eq(enterprises.id, users.enterpriseId))
    .where(eq(users.email, normalizeEmail(email)))
    .orderBy(sql`${users.emailConfirmedAt} is null`, desc(users.createdAt), desc(users.id)).limit(1 + RESET_UNCONFIRMED_MAX)
  const confirmed = rows.find(r => r.u.emailConfirmedAt != null)
  const targets = confirmed != null ? [confirmed].filter(r => !r.u.disabled) : rows.filter(r => !r.u.disabled).slice(0, RESET_UNCONFIRMED_MAX)
  if (targets.length === 0) return
  await inTransaction(db, async (tx) => {
    for (const { u, firm } of targets) {
      const token = await issueToken(tx, u.id, 'password_reset', RESET_TOKEN_MINUTES * 60_000, now)
      await enqueueMail(tx, [{ kind: 'password_reset', to: u.email, userId: u.id, content: passwordResetMail(token, RESET_TOKEN_MINUTES, STORED_LINKS, firm) }], now)
      await recordAudit(tx, { ...actor, actorId: null, actorRole: 'public' }, { action: 'user.request_password_reset', objectType: 'user', objectId: u.id })
    }
  })
}

/**
 * A reset link or an invitation sets the password: the token works once,
 * before it expires, and ends the account's other tokens. Both prove the
 * mailbox, so they confirm an unconfirmed address unless another account
 * holds it confirmed: a reset then only sets the password, an invitation is
 * refused (409 EMAIL_ALREADY_CONFIRMED).
 */
export async function confirmPasswordReset (db: Db, token: string, newPassword: string, actor: AuditContext, now = new Date()): Promise<void> {
  const hash = sha256(token)
  const [found] = await db.select({ t: accountTokens, u: users }).from(accountTokens).innerJoin(users, eq(users.id, accountTokens.userId))
    .where(and(eq(accountTokens.tokenHash, hash), ne(accountTokens.purpose, 'email_confirmation'), isNull(accountTokens.usedAt), gt(accountTokens.expiresAt, now)))
  if (found == null || found.u.disabled) throw errors.tokenInvalid()
  checkStrength(newPassword, found.u)
  const passwordHash = await hashPassword(newPassword)
  await inTransaction(db, async (tx) => {
    // Single use even when two confirmations race: only one update finds it unused.
    const [used] = await tx.update(accountTokens).set({ usedAt: now })
      .where(and(eq(accountTokens.id, found.t.id), isNull(accountTokens.usedAt))).returning({ id: accountTokens.id })
    if (used == null) throw errors.tokenInvalid()
    const confirmed = await confirmAddressIfFree(tx, found.u, now)
    if (!confirmed && found.t.purpose === 'invitation') throw errors.emailAlreadyConfirmed()
    await tx.update(users).set({ passwordHash, tokenVersion: sql`${users.tokenVersion} + 1`, updatedAt: now }).where(eq(users.id, found.u.id))
    const action = found.t.purpose === 'invitation' ? 'user.accept_invitation' : 'user.reset_password'
    await recordAudit(tx, { ...actor, actorId: found.u.id, actorRole: found.u.role }, { action, objectType: 'user', objectId: found.u.id })
  })
}

export interface FirmUserView { id: string, email: string, name: string, firmRole: FirmRole, disabled: boolean, invitationPending: boolean, createdAt: string }

/** The caller's own firm and its owner status: another firm is 404, a member 403 FIRM_OWNER_REQUIRED. */
async function assertFirmOwner (db: Db, principal: Principal, enterpriseId: string): Promise<void> {
  if (principal.role !== 'enterprise' || principal.enterpriseId !== enterpriseId) throw errors.notFound()
  const [me] = await db.select({ firmRole: users.firmRole }).from(users).where(eq(users.id, principal.id))
  if (me?.firmRole !== 'owner') throw errors.firmOwnerRequired()
}

export async function listFirmUsers (db: Db, principal: Principal, enterpriseId: string): Promise<{ items: FirmUserView[] }> {
  if (principal.role === 'enterprise' && principal.enterpriseId !== enterpriseId) throw errors.notFound()
  const rows = await db.select({
    u: users,
    // Spelled out: inside the subquery drizzle would render the outer column unqualified ("id"), which is the token's own id.
    pending: sql<boolean>`exists (select 1 from account_tokens a where a.user_id = "users"."id" and a.purpose = 'invitation' and a.used_at is null and a.expires_at > now())`
  }).from(users).where(eq(users.enterpriseId, enterpriseId)).orderBy(asc(users.createdAt), asc(users.id))
  return { items: rows.map(r => firmUserView(r.u, r.pending)) }
}

function firmUserView (u: UserRow, pending: boolean): FirmUserView {
  return { id: u.id, email: u.email, name: u.name, firmRole: u.firmRole ?? 'owner', disabled: u.disabled, invitationPending: pending, createdAt: u.createdAt.toISOString() }
}

/**
 * The owner invites a colleague: an unconfirmed member account with an
 * emailed one-time link that sets its password and confirms the address.
 * The answer does not say whether the address has an account elsewhere (any
 * registrant is an owner, so this would be a way to ask): such an address
 * gets an email saying it cannot join, and the link is never sent. Only an
 * address already among the firm's own accounts is 409 EMAIL_TAKEN.
 */
export async function inviteColleague (db: Db, principal: Principal, enterpriseId: string, input: { email: string, name: string }, actor: AuditContext,
  now = new Date()) {
  await assertFirmOwner(db, principal, enterpriseId)
  const email = normalizeEmail(input.email)
  const passwordHash = await unusablePasswordHash()
  return await inTransaction(db, async (tx) => {
    const [firm] = await tx.select({ name: enterprises.name }).from(enterprises).where(eq(enterprises.id, enterpriseId)).for('update')
    if (firm == null) throw errors.notFound()
    const [own] = await tx.select({ id: users.id }).from(users).where(and(eq(users.enterpriseId, enterpriseId), eq(users.email, email))).limit(1)
    if (own != null) throw errors.emailTaken()
    const [inviter] = await tx.select({ name: users.name }).from(users).where(eq(users.id, principal.id))
    const [user] = await tx.insert(users).values({
      email, name: input.name.trim(), passwordHash, role: 'enterprise', enterpriseId, firmRole: 'member', emailConfirmedAt: null
    }).returning()
    const token = await issueToken(tx, user.id, 'invitation', INVITATION_DAYS * 86_400_000, now)
    const elsewhere = await confirmedAccount(tx, email)
    const content = elsewhere != null
      ? invitationAddressInUseMail(firm.name, inviter?.name ?? '', STORED_LINKS)
      : invitationMail(firm.name, inviter?.name ?? '', token, INVITATION_DAYS, STORED_LINKS)
    await enqueueMail(tx, [{ kind: elsewhere != null ? 'invitation_address_in_use' : 'invitation', to: email, userId: user.id, content }], now)
    await recordAudit(tx, actor, { action: 'user.invite', objectType: 'user', objectId: user.id, after: { ...userView(user), firmRole: 'member' } })
    return firmUserView(user, true)
  })
}

/** The owner changes a colleague's firm role or disables the account; the firm always keeps an enabled owner. */
export async function updateFirmUser (db: Db, principal: Principal, enterpriseId: string, userId: string, patch: {
  firmRole?: FirmRole,
  disabled?: boolean
}, actor: AuditContext) {
  await assertFirmOwner(db, principal, enterpriseId)
  return await inTransaction(db, async (tx) => {
    const [before] = await tx.select().from(users).where(and(eq(users.id, userId), eq(users.enterpriseId, enterpriseId))).for('update')
    if (before == null) throw errors.notFound()
    const losesOwner = before.firmRole === 'owner' && !before.disabled && (patch.disabled === true || patch.firmRole === 'member')
    if (losesOwner) {
      const [{ n }] = await tx.select({ n: sql<number>`count(*)::int` }).from(users)
        .where(and(eq(users.enterpriseId, enterpriseId), eq(users.firmRole, 'owner'), eq(users.disabled, false), ne(users.id, userId)))
      if (n === 0) throw errors.lastFirmOwner()
    }
    const endsTokens = patch.disabled != null && patch.disabled !== before.disabled
    const [after] = await tx.update(users).set({
      ...(patch.firmRole != null ? { firmRole: patch.firmRole } : {}),
      ...(patch.disabled != null ? { disabled: patch.disabled } : {}),
      ...(endsTokens ? { tokenVersion: before.tokenVersion + 1 } : {}),
      updatedAt: new Date()
    }).where(eq(users.id, userId)).returning()
    await recordAudit(tx, actor, {
      action: patch.disabled === true && !before.disabled ? 'user.disable' : 'user.change_firm_role',
      objectType: 'user', objectId: userId, before: { firmRole: before.firmRole, disabled: before.disabled }, after: { firmRole: after.firmRole, disabled: after.disabled }
    })
    return firmUserView(after, false)
  })
}

/**
 * An officer gives a disputed credit code's account to the firm that proved
 * the code is its own: every earlier account of the firm is disabled, and
 * `email` becomes its owner (a new account with an emailed link that sets
 * the password, or an existing account of the same firm).
 */
export async function transferEnterprise (db: Db, enterpriseId: string, input: { email: string, reason: string }, actor: AuditContext, now = new Date()) {
  const email = normalizeEmail(input.email)
  const passwordHash = await unusablePasswordHash()
  return await inTransaction(db, async (tx) => {
    const [firm] = await tx.select().from(enterprises).where(eq(enterprises.id, enterpriseId)).for('update')
    if (firm == null) throw errors.notFound()
    // Officers may learn that an address belongs to another firm's confirmed account: they see every firm anyway.
    const [elsewhere] = await tx.select({ id: users.id }).from(users)
      .where(and(eq(users.email, email), isNotNull(users.emailConfirmedAt), sql`${users.enterpriseId} is distinct from ${enterpriseId}`)).limit(1)
    if (elsewhere != null) throw errors.emailTaken()
    const [existing] = await tx.select().from(users).where(and(eq(users.email, email), eq(users.enterpriseId, enterpriseId)))
      .orderBy(sql`${users.emailConfirmedAt} is null`, desc(users.createdAt)).limit(1).for('update')
    const earlier = (await tx.select().from(users).where(eq(users.enterpriseId, enterpriseId)).for('update')).filter(u => u.id !== existing?.id)
    for (const u of earlier) {
      if (u.disabled) continue
      await tx.update(users).set({ disabled: true, tokenVersion: u.tokenVersion + 1, updatedAt: now }).where(eq(users.id, u.id))
    }
    let owner: UserRow
    if (existing != null) {
      [owner] = await tx.update(users).set({ firmRole: 'owner', disabled: false, tokenVersion: existing.tokenVersion + 1, updatedAt: now })
        .where(eq(users.id, existing.id)).returning()
    } else {
      [owner] = await tx.insert(users).values({
        email, name: firm.contactName ?? firm.name, passwordHash, role: 'enterprise', enterpriseId, firmRole: 'owner', emailConfirmedAt: null
      }).returning()
    }
    const token = await issueToken(tx, owner.id, 'invitation', INVITATION_DAYS * 86_400_000, now)
    await enqueueMail(tx, [{ kind: 'transfer', to: email, userId: owner.id, content: transferMail(firm.name, token, INVITATION_DAYS, STORED_LINKS) }], now)
    const disabledAccounts = earlier.filter(u => !u.disabled).length
    await recordAudit(tx, actor, {
      action: 'enterprise.transfer', objectType: 'enterprise', objectId: enterpriseId,
      before: { accounts: earlier.filter(u => !u.disabled).map(u => u.id) },
      after: { ownerId: owner.id, email, reason: input.reason, disabledAccounts }
    })
    return { enterpriseId, ownerId: owner.id, disabledAccounts, disabledIds: earlier.map(u => u.id) }
  })
}
