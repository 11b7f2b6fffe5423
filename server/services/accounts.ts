import { and, asc, eq, gt, inArray, ne, sql, type SQL } from 'drizzle-orm'
import type { FastifyBaseLogger } from 'fastify'
import { type Db, inTransaction } from '../../db/client.ts'
import { users, enterprises, enterpriseDomains, districts, domains, type Role } from '../../db/schema/index.ts'
import type { AppConfig } from '../config.ts'
import { errors, renderMessage } from '../domain/errors.ts'
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

/** An enterprise signs up: one account per credit code, the firm and its user in one transaction. */
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
        email, name: input.contactName ?? input.name.trim(), passwordHash, role: 'enterprise', enterpriseId: enterprise.id, firmRole: 'owner'
      }).returning()
      const view = { user: userView(user), enterprise: enterpriseView(enterprise, domainCodes), ...(warnings.length > 0 ? { warnings } : {}) }
      const actor = { ...ctx, actorId: user.id, actorRole: 'enterprise' }
      await recordAudit(tx, actor, { action: 'enterprise.register', objectType: 'enterprise', objectId: enterprise.id, after: { ...view.enterprise, warnings } })
      await recordAudit(tx, actor, { action: 'user.create', objectType: 'user', objectId: user.id, after: view.user })
      return view
    })
  } catch (err) {
    // One answer for both, so registration cannot be used to learn which emails have accounts.
    if (isUniqueViolation(err, 'enterprises_uscc_unique') || isUniqueViolation(err, 'users_email_unique')) throw errors.registrationConflict()
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
      const [user] = await tx.insert(users).values({ email, name: input.name.trim(), passwordHash, role: input.role, employerUscc, districtCode })
        .returning()
      await recordAudit(tx, ctx, { action: 'user.create', objectType: 'user', objectId: user.id, after: userView(user) })
      return userView(user)
    })
  } catch (err) {
    if (isUniqueViolation(err, 'users_email_unique')) throw errors.emailTaken()
    throw err
  }
}

// ---------------------------------------------------------------------------
// Signing in, and the caller's own account.

/**
 * The enabled account with this email and password, else 401
 * INVALID_CREDENTIALS. An unknown email costs the same hashing time as a
 * known one, and every failure answers alike.
 */
export async function checkCredentials (db: Db, emailInput: string, password: string): Promise<UserRow> {
  const email = normalizeEmail(emailInput)
  const [user] = await db.select().from(users).where(eq(users.email, email)).limit(1)
  const ok = user == null ? await verifyAgainstDummy(password) : await verifyPassword(user.passwordHash, password)
  if (!ok || user == null || user.disabled) throw errors.invalidCredentials()
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
  const [existing] = await db.select({ id: users.id }).from(users).where(eq(users.email, normalizeEmail(config.adminEmail)))
  if (existing != null) return
  try {
    await createStaffUser(db, { email: config.adminEmail, name: 'Administrator', role: 'admin', password: config.adminPassword },
      { actorId: null, actorRole: 'system', requestId: null })
    log.info({ email: normalizeEmail(config.adminEmail) }, 'created the first administrator from ADMIN_EMAIL')
  } catch (err) {
    if ((err as { code?: string }).code === 'EMAIL_TAKEN') return // another instance created it first
    throw err
  }
}
