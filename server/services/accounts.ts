import { createHash, randomBytes } from 'node:crypto'
import { and, asc, count, desc, eq, gt, inArray, isNotNull, isNull, ne, or, sql, type SQL } from 'drizzle-orm'
import type { FastifyBaseLogger } from 'fastify'
import { type Db, inTransaction } from '../../db/client.ts'
import {
  users, enterprises, enterpriseDomains, districts, domains, accountTokens, outboxMessages, type AccountTokenPurpose, type Role
} from '../../db/schema/index.ts'
import type { AppConfig } from '../config.ts'
import { errors, renderMessage } from '../domain/errors.ts'
import { addressInUseMail, emailConfirmationMail } from '../domain/mail.ts'
import { enqueueMail, STORED_LINKS } from './outbox.ts'
import { checkUscc, divisionFitsDistrict, parseDivisionPolicy } from '../domain/uscc.ts'
import { policyValue } from './policy.ts'
import { passwordProblem } from '../domain/passwords.ts'
import { hashPassword, verifyAgainstDummy, verifyPassword } from '../lib/passwords.ts'
import { decodeCursor, page } from '../lib/pagination.ts'
import { recordAudit, type AuditContext } from '../lib/audit.ts'

export type UserRow = typeof users.$inferSelect
export type EnterpriseRow = typeof enterprises.$inferSelect

/** The public view of an account: never the hash or the token version. */
export function userView (u: UserRow) {
  return {
    id: u.id,
    email: u.email,
    name: u.name,
    role: u.role,
    enterpriseId: u.enterpriseId ?? null,
    employerUscc: u.employerUscc ?? null,
    districtCode: u.districtCode ?? null,
    domains: u.domains ?? [],
    disabled: u.disabled,
    emailConfirmed: u.emailConfirmedAt != null,
    createdAt: u.createdAt.toISOString()
  }
}

export function enterpriseView (e: EnterpriseRow, domainCodes: string[]) {
  return {
    id: e.id,
    uscc: e.uscc,
    name: e.name,
    districtCode: e.districtCode,
    domains: [...domainCodes].sort(),
    primaryDomain: e.primaryDomain ?? null,
    foundedOn: e.foundedOn,
    contactName: e.contactName ?? null,
    contactPhone: e.contactPhone ?? null,
    address: e.address ?? null,
    website: e.website ?? null,
    createdAt: e.createdAt.toISOString()
  }
}

function pgCode (err: unknown): { code?: string, constraint?: string } {
  let e = err as { code?: string, constraint?: string, constraint_name?: string, cause?: unknown }
  for (let i = 0; i < 5 && e != null && typeof e.code !== 'string' && e.cause != null; i++) e = e.cause as typeof e
  return { code: e?.code, constraint: e?.constraint ?? e?.constraint_name }
}

/** Raised inside a transaction on a unique violation of `constraint`. */
export function isUniqueViolation (err: unknown, constraint?: string): boolean {
  const { code, constraint: c } = pgCode(err)
  return code === '23505' && (constraint == null || c === constraint)
}

export const normalizeEmail = (email: string): string => email.trim().toLowerCase()

// ---------------------------------------------------------------------------
// Confirmed addresses (docs/people.md): an email is unique among confirmed
// accounts only, so registering with an address that has an account answers
// like any registration. One-time tokens (confirmation and reset links,
// invitations) are 32 random bytes; only their SHA-256 is stored.

/** An unconfirmed account signs in for this many days after it was created; its confirmation link lives as long. */
export const UNCONFIRMED_DAYS = 7
/** Sign-in looks at the confirmed account of an address and at most this many of its newest unconfirmed ones. */
export const UNCONFIRMED_PER_EMAIL = 2
/** At most this many registration emails go to one address a day (more registrations still succeed, silently unmailed). */
export const REGISTRATION_MAILS_PER_DAY = 3

export const sha256 = (token: string): string => createHash('sha256').update(token).digest('hex')

/** Issues a token for `purpose`, ending the user's earlier unused ones of that purpose. Inside the caller's transaction. */
export async function issueToken (tx: Db, userId: string, purpose: AccountTokenPurpose, ttlMs: number, now: Date): Promise<string> {
  await tx.update(accountTokens).set({ usedAt: now })
    .where(and(eq(accountTokens.userId, userId), eq(accountTokens.purpose, purpose), isNull(accountTokens.usedAt)))
  const token = randomBytes(32).toString('base64url')
  await tx.insert(accountTokens).values({ userId, purpose, tokenHash: sha256(token), expiresAt: new Date(now.getTime() + ttlMs) })
  return token
}

/** The confirmed account of an address, if any (there is at most one). */
export async function confirmedAccount (db: Db, email: string): Promise<UserRow | undefined> {
  const [u] = await db.select().from(users).where(and(eq(users.email, normalizeEmail(email)), isNotNull(users.emailConfirmedAt))).limit(1)
  return u
}

/**
 * Marks `user`'s address confirmed unless another account holds it
 * confirmed already; false then. Inside the caller's transaction (a
 * savepoint absorbs the unique violation of a concurrent confirmation).
 */
export async function confirmAddressIfFree (tx: Db, user: UserRow, now: Date): Promise<boolean> {
  if (user.emailConfirmedAt != null) return true
  const [other] = await tx.select({ id: users.id }).from(users)
    .where(and(eq(users.email, user.email), isNotNull(users.emailConfirmedAt), ne(users.id, user.id))).limit(1)
  if (other != null) return false
  try {
    await inTransaction(tx, async (sp) => { await sp.update(users).set({ emailConfirmedAt: now, updatedAt: now }).where(eq(users.id, user.id)) })
    return true
  } catch (err) {
    if (isUniqueViolation(err, 'users_confirmed_email_key')) return false
    throw err
  }
}

/**
 * The confirmation email of a registration, or, when the address already
 * belongs to a confirmed account, an email saying so (only the mailbox owner
 * learns it). Silently not sent past REGISTRATION_MAILS_PER_DAY to one address.
 */
async function mailRegistration (tx: Db, user: UserRow, firmName: string, now: Date): Promise<void> {
  const token = await issueToken(tx, user.id, 'email_confirmation', UNCONFIRMED_DAYS * 86_400_000, now)
  const [{ n }] = await tx.select({ n: count() }).from(outboxMessages).where(and(
    eq(outboxMessages.toAddress, user.email), inArray(outboxMessages.kind, ['email_confirmation', 'address_in_use']),
    gt(outboxMessages.createdAt, new Date(now.getTime() - 86_400_000))))
  if (n >= REGISTRATION_MAILS_PER_DAY) return
  const taken = await tx.select({ id: users.id }).from(users)
    .where(and(eq(users.email, user.email), isNotNull(users.emailConfirmedAt), ne(users.id, user.id))).limit(1)
  const mail = taken.length > 0
    ? { kind: 'address_in_use', content: addressInUseMail(firmName, UNCONFIRMED_DAYS, STORED_LINKS) }
    : { kind: 'email_confirmation', content: emailConfirmationMail(firmName, token, UNCONFIRMED_DAYS, STORED_LINKS) }
  await enqueueMail(tx, [{ ...mail, to: user.email, userId: user.id }], now)
}

/**
 * The emailed confirmation link (POST /v1/auth/confirm): works once, before
 * it expires, on an enabled account. An address another account has
 * confirmed meanwhile is refused (409 EMAIL_ALREADY_CONFIRMED): only the
 * holder of the mailbox, who has the link, can learn that.
 */
export async function confirmEmail (db: Db, token: string, actor: AuditContext, now = new Date()): Promise<{ email: string, emailConfirmed: true }> {
  return await inTransaction(db, async (tx) => {
    const [found] = await tx.select({ t: accountTokens, u: users }).from(accountTokens).innerJoin(users, eq(users.id, accountTokens.userId))
      .where(and(eq(accountTokens.tokenHash, sha256(token)), eq(accountTokens.purpose, 'email_confirmation'),
        isNull(accountTokens.usedAt), gt(accountTokens.expiresAt, now)))
      .for('update')
    if (found == null || found.u.disabled) throw errors.tokenInvalid()
    if (!(await confirmAddressIfFree(tx, found.u, now))) throw errors.emailAlreadyConfirmed()
    const [used] = await tx.update(accountTokens).set({ usedAt: now })
      .where(and(eq(accountTokens.id, found.t.id), isNull(accountTokens.usedAt))).returning({ id: accountTokens.id })
    if (used == null) throw errors.tokenInvalid()
    await recordAudit(tx, { ...actor, actorId: found.u.id, actorRole: found.u.role },
      { action: 'user.confirm_email', objectType: 'user', objectId: found.u.id, after: { email: found.u.email, emailConfirmed: true } })
    return { email: found.u.email, emailConfirmed: true as const }
  })
}

export async function assertReferences (db: Db, districtCode: string | undefined, domainCodes: string[] | undefined): Promise<void> {
  if (districtCode != null) {
    const [d] = await db.select({ code: districts.code }).from(districts).where(eq(districts.code, districtCode))
    if (d == null) throw errors.unknownReference('districtCode', districtCode)
  }
  if (domainCodes != null && domainCodes.length > 0) {
    const found = await db.select({ code: domains.code }).from(domains).where(inArray(domains.code, domainCodes))
    const known = new Set(found.map(f => f.code))
    const missing = domainCodes.find(c => !known.has(c))
    if (missing != null) throw errors.unknownReference('domains', missing)
  }
}

/**
 * The firm's primary domain: the one named, which must be among its domains,
 * else the first of them. Domain shares of revenue count each firm in its
 * primary domain only, so that they add up to 100%.
 */
export function primaryDomainOf (domainCodes: readonly string[], asked: string | null | undefined): string {
  if (asked == null) return domainCodes[0]
  if (!domainCodes.includes(asked)) throw errors.validation([{ field: 'body.primaryDomain', message: 'must be one of the firm\'s domains' }])
  return asked
}

/** A district officer has exactly one district, a known one; no other account has one. */
export async function staffDistrict (db: Db, role: Role, districtCode: string | null | undefined): Promise<string | null> {
  if (role !== 'district_officer') {
    if (districtCode != null) throw errors.validation([{ field: 'body.districtCode', message: 'only a district_officer account has a district' }])
    return null
  }
  if (districtCode == null) throw errors.validation([{ field: 'body.districtCode', message: 'is required for a district_officer account' }])
  await assertReferences(db, districtCode, undefined)
  return districtCode
}

/**
 * A reviewer's fields of expertise, checked against the domain reference
 * data and sorted. Only reviewers have them (400 for any other role).
 */
export async function reviewerDomains (db: Db, role: Role, codes: string[]): Promise<string[]> {
  if (role !== 'reviewer' && codes.length > 0) throw errors.validation([{ field: 'body.domains', message: 'only reviewers have fields of expertise' }])
  await assertReferences(db, undefined, codes)
  return [...new Set(codes)].sort()
}

/** A reviewer sets their own fields (PATCH /v1/me); audited. */
export async function updateOwnDomains (db: Db, userId: string, codes: string[], ctx: AuditContext) {
  return await inTransaction(db, async (tx) => {
    const [before] = await tx.select().from(users).where(eq(users.id, userId)).for('update')
    if (before == null) throw errors.unauthorized()
    const domainCodes = await reviewerDomains(tx, before.role, codes)
    const [after] = await tx.update(users).set({ domains: domainCodes, updatedAt: new Date() }).where(eq(users.id, userId)).returning()
    await recordAudit(tx, ctx, { action: 'user.update', objectType: 'user', objectId: userId, before: userView(before), after: userView(after) })
    return after
  })
}

export interface RegistrationInput {
  uscc: string
  name: string
  email: string
  password: string
  districtCode: string
  domains: string[]
  primaryDomain?: string
  foundedOn: string
  contactName?: string
  contactPhone?: string
  address?: string
  website?: string
}

/**
 * An enterprise signs up: one firm per credit code, the firm and its owner
 * account in one transaction. The account is unconfirmed and its address gets
 * a confirmation email; whether the address already has an account changes
 * neither the answer nor the work done (docs/people.md).
 */
export async function registerEnterprise (db: Db, input: RegistrationInput, ctx: AuditContext, today = new Date()) {
  const check = checkUscc(input.uscc)
  if (!check.ok) throw errors.invalidUscc(check.reason)
  const email = normalizeEmail(input.email)
  const problem = passwordProblem(input.password, [email.split('@')[0], check.code, input.name])
  if (problem != null) throw errors.weakPassword(problem)
  if (input.foundedOn > today.toISOString().slice(0, 10)) {
    throw errors.validation([{ field: 'body.foundedOn', message: 'must not be in the future' }])
  }
  const domainCodes = [...new Set(input.domains)]
  await assertReferences(db, input.districtCode, domainCodes)
  const primaryDomain = primaryDomainOf(domainCodes, input.primaryDomain)
  const warnings = await divisionWarnings(db, check.divisionCode, input.districtCode)
  const passwordHash = await hashPassword(input.password)
  try {
    return await inTransaction(db, async (tx) => {
      const [enterprise] = await tx.insert(enterprises).values({
        uscc: check.code,
        name: input.name.trim(),
        districtCode: input.districtCode,
        foundedOn: input.foundedOn,
        primaryDomain,
        contactName: input.contactName,
        contactPhone: input.contactPhone,
        address: input.address,
        website: input.website
      }).returning()
      await tx.insert(enterpriseDomains).values(domainCodes.map(domainCode => ({ enterpriseId: enterprise.id, domainCode })))
      const [user] = await tx.insert(users).values({
        email, name: input.contactName ?? input.name.trim(), passwordHash, role: 'enterprise', enterpriseId: enterprise.id, firmRole: 'owner', emailConfirmedAt: null
      }).returning()
      await mailRegistration(tx, user, enterprise.name, today)
      const view = { user: userView(user), enterprise: enterpriseView(enterprise, domainCodes), ...(warnings.length > 0 ? { warnings } : {}) }
      const actor = { ...ctx, actorId: user.id, actorRole: 'enterprise' }
      await recordAudit(tx, actor, { action: 'enterprise.register', objectType: 'enterprise', objectId: enterprise.id, after: { ...view.enterprise, warnings } })
      await recordAudit(tx, actor, { action: 'user.create', objectType: 'user', objectId: user.id, after: view.user })
      return view
    })
  } catch (err) {
    // Only the credit code can conflict: an address is unique among confirmed accounts, and this one is not confirmed yet.
    if (isUniqueViolation(err, 'enterprises_uscc_unique')) throw errors.registrationConflict()
    throw err
  }
}

/**
 * Characters 3-8 of the credit code name the division that registered the
 * firm; policy uscc_division_check says whether a district that does not fit
 * is refused (400 USCC_DISTRICT_MISMATCH), only warned about, or ignored.
 */
async function divisionWarnings (db: Db, divisionCode: string, districtCode: string): Promise<Array<{ code: string, message: string, messageZh: string }>> {
  const policy = parseDivisionPolicy(await policyValue(db, 'uscc_division_check'))
  if (policy.mode === 'off' || divisionFitsDistrict(divisionCode, districtCode, policy)) return []
  if (policy.mode === 'refuse') throw errors.usccDistrictMismatch(divisionCode, districtCode)
  const params = { division: divisionCode, district: districtCode }
  return [{ code: 'USCC_DISTRICT_MISMATCH', message: renderMessage('USCC_DISTRICT_MISMATCH', params, 'en'), messageZh: renderMessage('USCC_DISTRICT_MISMATCH', params, 'zh') }]
}

export interface StaffInput {
  email: string, name: string, role: Exclude<Role, 'enterprise'>, password: string, employerUscc?: string, districtCode?: string
}

export async function createStaffUser (db: Db, input: StaffInput, ctx: AuditContext) {
  const email = normalizeEmail(input.email)
  const problem = passwordProblem(input.password, [email.split('@')[0], input.name])
  if (problem != null) throw errors.weakPassword(problem)
  let employerUscc: string | undefined
  if (input.employerUscc != null) {
    const check = checkUscc(input.employerUscc)
    if (!check.ok) throw errors.invalidUscc(check.reason)
    employerUscc = check.code
  }
  const districtCode = await staffDistrict(db, input.role, input.districtCode)
  const passwordHash = await hashPassword(input.password)
  try {
    return await inTransaction(db, async (tx) => {
      // Staff accounts are created by an administrator for a known address: confirmed from the start.
      const [user] = await tx.insert(users)
        .values({ email, name: input.name.trim(), passwordHash, role: input.role, employerUscc, districtCode, emailConfirmedAt: new Date() })
        .returning()
      await recordAudit(tx, ctx, { action: 'user.create', objectType: 'user', objectId: user.id, after: userView(user) })
      return userView(user)
    })
  } catch (err) {
    if (isUniqueViolation(err, 'users_confirmed_email_key')) throw errors.emailTaken()
    throw err
  }
}

// ---------------------------------------------------------------------------
// Signing in, and the caller's own account.

/**
 * The enabled account with this email and password, else 401
 * INVALID_CREDENTIALS. An address may have one confirmed account and
 * unconfirmed ones (registrations not confirmed yet): the candidates are the
 * confirmed account and the UNCONFIRMED_PER_EMAIL newest unconfirmed ones of
 * the last UNCONFIRMED_DAYS days. A password match on the confirmed account
 * wins, else on the newest unconfirmed one. Every sign-in verifies exactly
 * 1 + UNCONFIRMED_PER_EMAIL hashes (a dummy for each missing candidate), so
 * its time says neither whether the address is known nor how many accounts
 * it has; every failure answers alike.
 */
export async function checkCredentials (db: Db, emailInput: string, password: string, now = new Date()): Promise<UserRow> {
  const email = normalizeEmail(emailInput)
  const since = new Date(now.getTime() - UNCONFIRMED_DAYS * 86_400_000)
  const rows = await db.select().from(users)
    .where(and(eq(users.email, email), or(isNotNull(users.emailConfirmedAt), gt(users.createdAt, since))))
    .orderBy(sql`${users.emailConfirmedAt} is null`, desc(users.createdAt), desc(users.id)).limit(1 + UNCONFIRMED_PER_EMAIL)
  const confirmed = rows.find(r => r.emailConfirmedAt != null)
  const candidates: Array<UserRow | undefined> = [confirmed, ...rows.filter(r => r.emailConfirmedAt == null).slice(0, UNCONFIRMED_PER_EMAIL)]
  while (candidates.length < 1 + UNCONFIRMED_PER_EMAIL) candidates.push(undefined)
  const matches = await Promise.all(candidates.map(async (u) =>
    u == null ? await verifyAgainstDummy(password) : await verifyPassword(u.passwordHash, password)))
  const user = candidates.find((u, i) => u != null && matches[i] && !u.disabled)
  if (user == null) throw errors.invalidCredentials()
  return user
}

/** The signed-in caller's account (GET /v1/me); 401 if it is gone. */
export async function getMe (db: Db, userId: string) {
  const [u] = await db.select().from(users).where(eq(users.id, userId))
  if (u == null) throw errors.unauthorized()
  return meView(u)
}

/** The caller's own account as GET /v1/me shows it. */
export function meView (u: UserRow) {
  return {
    id: u.id, email: u.email, name: u.name, role: u.role,
    emailConfirmed: u.emailConfirmedAt != null,
    ...(u.enterpriseId != null ? { enterpriseId: u.enterpriseId, firmRole: u.firmRole ?? 'owner' } : {}),
    ...(u.role === 'reviewer' ? { domains: u.domains } : {}),
    ...(u.districtCode != null ? { districtCode: u.districtCode } : {})
  }
}

// ---------------------------------------------------------------------------
// Staff accounts, for administrators.

export async function listUsers (db: Db, q: { limit: number, cursor?: string, role?: Role, disabled?: boolean }) {
  const after = decodeCursor<{ id: string }>(q.cursor, ['id'])
  const where: SQL[] = []
  if (q.role != null) where.push(eq(users.role, q.role))
  if (q.disabled != null) where.push(eq(users.disabled, q.disabled))
  if (after != null) where.push(gt(users.id, after.id))
  const rows = await db.select().from(users).where(and(...where)).orderBy(asc(users.id)).limit(q.limit + 1)
  const p = page(rows, q.limit, r => ({ id: r.id }))
  return { items: p.items.map(userView), nextCursor: p.nextCursor }
}

export async function getUser (db: Db, id: string) {
  const [u] = await db.select().from(users).where(eq(users.id, id))
  if (u == null) throw errors.notFound()
  return userView(u)
}

export interface UserPatch { role?: Role, disabled?: boolean, name?: string, employerUscc?: string | null, domains?: string[], districtCode?: string }

/**
 * Changes an account's role, name, employer or disabled flag. The last
 * enabled administrator cannot lose that; an enterprise account keeps its
 * role; disabling or a role change bumps the token version, which ends every
 * token issued before. The caller forgets the user's cached sessions after
 * the commit.
 */
export async function updateUser (db: Db, id: string, body: UserPatch, ctx: AuditContext) {
  let employerUscc: string | null | undefined
  if (body.employerUscc !== undefined) {
    if (body.employerUscc === null) employerUscc = null
    else {
      const check = checkUscc(body.employerUscc)
      if (!check.ok) throw errors.invalidUscc(check.reason)
      employerUscc = check.code
    }
  }
  return await inTransaction(db, async (tx) => {
    const [before] = await tx.select().from(users).where(eq(users.id, id)).for('update')
    if (before == null) throw errors.notFound()
    if (body.role != null && before.role === 'enterprise') throw errors.invalidState('enterprise', 'an enterprise account cannot take a staff role')
    const domains = body.domains != null ? await reviewerDomains(tx, body.role ?? before.role, body.domains) : undefined
    const losesAdmin = before.role === 'admin' && !before.disabled && (body.disabled === true || (body.role != null && body.role !== 'admin'))
    if (losesAdmin) {
      const [{ n }] = await tx.select({ n: sql<number>`count(*)::int` }).from(users)
        .where(and(eq(users.role, 'admin'), eq(users.disabled, false), ne(users.id, id)))
      if (n === 0) throw errors.conflict('this is the last enabled administrator')
    }
    // A district officer keeps its district unless given another; a role change away from it drops the district.
    const role = body.role ?? before.role
    const districtCode = await staffDistrict(tx, role, role === 'district_officer' ? body.districtCode ?? before.districtCode : body.districtCode)
    const endsTokens = (body.disabled != null && body.disabled !== before.disabled) || (body.role != null && body.role !== before.role) ||
      districtCode !== before.districtCode
    const [after] = await tx.update(users).set({
      districtCode,
      ...(body.role != null ? { role: body.role } : {}),
      ...(body.disabled != null ? { disabled: body.disabled } : {}),
      ...(body.name != null ? { name: body.name.trim() } : {}),
      ...(employerUscc !== undefined ? { employerUscc } : {}),
      ...(domains !== undefined ? { domains } : {}),
      ...(endsTokens ? { tokenVersion: before.tokenVersion + 1 } : {}),
      updatedAt: new Date()
    }).where(eq(users.id, id)).returning()
    const action = body.disabled === true && !before.disabled ? 'user.disable' : body.role != null && body.role !== before.role ? 'user.change_role' : 'user.update'
    await recordAudit(tx, ctx, { action, objectType: 'user', objectId: id, before: userView(before), after: userView(after) })
    return userView(after)
  })
}

/** ADMIN_EMAIL/ADMIN_PASSWORD on first start: create that administrator if no such account exists. */
export async function ensureFirstAdmin (db: Db, config: AppConfig, log: FastifyBaseLogger): Promise<void> {
  if (config.adminEmail == null || config.adminPassword == null) return
  if (await confirmedAccount(db, config.adminEmail) != null) return
  try {
    await createStaffUser(db, { email: config.adminEmail, name: 'Administrator', role: 'admin', password: config.adminPassword },
      { actorId: null, actorRole: 'system', requestId: null })
    log.info({ email: normalizeEmail(config.adminEmail) }, 'created the first administrator from ADMIN_EMAIL')
  } catch (err) {
    if ((err as { code?: string }).code === 'EMAIL_TAKEN') return // another instance created it first
    throw err
  }
}
