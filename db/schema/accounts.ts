import { pgTable, text, integer, boolean, timestamp, uuid, date, primaryKey, check, index, uniqueIndex } from 'drizzle-orm/pg-core'
import { sql } from 'drizzle-orm'
import { districts, domains } from './reference.ts'

export const ROLES = ['enterprise', 'reviewer', 'officer', 'analyst', 'admin', 'district_officer'] as const
export type Role = typeof ROLES[number]
export const FIRM_ROLES = ['owner', 'member'] as const
export type FirmRole = typeof FIRM_ROLES[number]

/** A registered firm, identified by its unified social credit code (USCC). */
export const enterprises = pgTable('enterprises', {
  id: uuid().primaryKey().defaultRandom(),
  uscc: text().notNull().unique(),
  name: text().notNull(),
  districtCode: text().notNull().references(() => districts.code),
  foundedOn: date({ mode: 'string' }).notNull(),
  contactName: text(),
  contactPhone: text(),
  address: text(),
  website: text(),
  /** The one domain the firm counts in for domain shares of revenue (one of its domains), so that shares add up to 100%. */
  primaryDomain: text().references(() => domains.code),
  createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow()
}, (t) => [index('enterprises_district_idx').on(t.districtCode), index('enterprises_primary_domain_idx').on(t.primaryDomain)])

/** A firm's focus domains (one or more). */
export const enterpriseDomains = pgTable('enterprise_domains', {
  enterpriseId: uuid().notNull().references(() => enterprises.id, { onDelete: 'cascade' }),
  domainCode: text().notNull().references(() => domains.code)
}, (t) => [primaryKey({ columns: [t.enterpriseId, t.domainCode] }), index('enterprise_domains_domain_idx').on(t.domainCode)])

export const users = pgTable('users', {
  id: uuid().primaryKey().defaultRandom(),
  /** Stored lower-cased; unique among confirmed accounts only (users_confirmed_email_key). */
  email: text().notNull(),
  name: text().notNull(),
  passwordHash: text().notNull(),
  role: text().$type<Role>().notNull(),
  /** Set for enterprise accounts: the firm this account acts for. */
  enterpriseId: uuid().references(() => enterprises.id),
  /** For enterprise accounts: `owner` manages the firm's accounts, `member` declares and applies. */
  firmRole: text().$type<FirmRole>(),
  /** For reviewers: the USCC of their own employer, a standing conflict of interest. */
  employerUscc: text(),
  /** For district officers: the district whose firms, declarations and applications they see. */
  districtCode: text().references(() => districts.code),
  /** For reviewers: their fields of expertise (domain codes), preferred by automatic assignment. */
  domains: text().array().notNull().default(sql`'{}'::text[]`),
  disabled: boolean().notNull().default(false),
  /** Bumped when the account is disabled or its role changes: older tokens stop working. */
  tokenVersion: integer().notNull().default(0),
  /**
   * When the address was proved to belong to the account holder (the emailed
   * confirmation link, an accepted invitation or a password reset). Null for a
   * self-registration, invitation or transfer not yet confirmed; staff and
   * older accounts are confirmed on creation (the column's default).
   */
  emailConfirmedAt: timestamp({ withTimezone: true, precision: 3 }).defaultNow(),
  createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow()
}, (t) => [
  check('users_role_check', sql`${t.role} in ('enterprise','reviewer','officer','analyst','admin','district_officer')`),
  check('users_district_check', sql`(${t.role} = 'district_officer') = (${t.districtCode} is not null)`),
  check('users_enterprise_check', sql`(${t.role} = 'enterprise') = (${t.enterpriseId} is not null)`),
  check('users_firm_role_check', sql`(${t.firmRole} is null and ${t.role} <> 'enterprise') or (${t.role} = 'enterprise' and ${t.firmRole} in ('owner','member'))`),
  index('users_enterprise_idx').on(t.enterpriseId),
  index('users_email_idx').on(t.email, t.createdAt),
  uniqueIndex('users_confirmed_email_key').on(sql`lower(${t.email})`).where(sql`${t.emailConfirmedAt} is not null`)
])

/** Tokens ended by logout before their expiry. Rows past `expiresAt` may be purged. */
export const revokedTokens = pgTable('revoked_tokens', {
  jti: text().primaryKey(),
  expiresAt: timestamp({ withTimezone: true }).notNull()
})
