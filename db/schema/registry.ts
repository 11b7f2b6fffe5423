import { pgTable, text, integer, numeric, timestamp, uuid, date, unique, check, index, boolean, jsonb, type AnyPgColumn } from 'drizzle-orm/pg-core'
import { sql } from 'drizzle-orm'
import { enterprises, users } from './accounts.ts'
import { tiers, programs } from './reference.ts'

const money = () => numeric({ precision: 18, scale: 2 })

/**
 * A firm's figures for one year. Money is exact (numeric, decimal strings in
 * TypeScript). `tierCode` is computed when the declaration is written, with
 * the tier rules in force for `year`; it is not rewritten when rules change
 * unless an admin asks to recompute.
 */
export const declarations = pgTable('declarations', {
  id: uuid().primaryKey().defaultRandom(),
  enterpriseId: uuid().notNull().references(() => enterprises.id),
  year: integer().notNull(),
  operatingRevenue: money().notNull(),
  softwareRevenue: money().notNull(),
  rdExpense: money().notNull(),
  exportRevenue: money().notNull().default('0'),
  mainBusinessRevenue: money(),
  totalAssets: money(),
  totalLiabilities: money(),
  employees: integer().notNull(),
  rdStaff: integer().notNull(),
  patents: integer().notNull().default(0),
  softwareCopyrights: integer().notNull().default(0),
  tierCode: text().notNull().references(() => tiers.code),
  version: integer().notNull().default(1),
  createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow()
}, (t) => [
  unique('declarations_enterprise_year_key').on(t.enterpriseId, t.year),
  index('declarations_year_tier_idx').on(t.year, t.tierCode),
  check('declarations_nonnegative', sql`${t.operatingRevenue} >= 0 and ${t.softwareRevenue} >= 0 and ${t.rdExpense} >= 0 and ${t.exportRevenue} >= 0 and ${t.employees} >= 0 and ${t.rdStaff} >= 0 and ${t.patents} >= 0 and ${t.softwareCopyrights} >= 0`)
])

export const POOL_STATUSES = ['notice', 'active', 'warned', 'expired', 'exited', 'revoked', 'graduated'] as const

/**
 * A firm's membership of the cultivation pool under one program, created by
 * an admission (first under public notice, then active), valid from
 * `validFrom` to `validUntil` (both included; a row inserted without them gets
 * a term from `admittedOn` and policy membership_term_years, by trigger).
 * Its statuses follow server/domain/membership-state.ts.
 */
export const poolMemberships = pgTable('pool_memberships', {
  id: uuid().primaryKey().defaultRandom(),
  enterpriseId: uuid().notNull().references(() => enterprises.id),
  programCode: text().notNull().references(() => programs.code),
  applicationId: uuid(),
  tierAtAdmission: text().notNull().references(() => tiers.code),
  currentTier: text().notNull().references(() => tiers.code),
  admittedOn: date({ mode: 'string' }).notNull(),
  status: text().notNull(),
  statusReason: text(),
  missingYears: integer().notNull().default(0),
  lastEvaluatedYear: integer(),
  // Filled by the pool_membership_term trigger when omitted (the default here only makes them optional on insert).
  validFrom: date({ mode: 'string' }).notNull().default(sql`null`),
  validUntil: date({ mode: 'string' }).notNull().default(sql`null`),
  /** Admitted through a direct route (直通), without a call; `admissionBasis` names the route. */
  direct: boolean().notNull().default(false),
  admissionBasis: text(),
  /** After a revocation: the firm may not apply to any call before this day. */
  barredUntil: date({ mode: 'string' }),
  /** The membership this one graduated from. */
  graduatedFrom: uuid().references((): AnyPgColumn => poolMemberships.id),
  createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow()
}, (t) => [
  index('pool_memberships_enterprise_idx').on(t.enterpriseId),
  index('pool_memberships_program_status_idx').on(t.programCode, t.status),
  index('pool_memberships_status_until_idx').on(t.status, t.validUntil),
  index('pool_memberships_barred_idx').on(t.enterpriseId, t.barredUntil).where(sql`barred_until is not null`),
  check('pool_memberships_status_check', sql`${t.status} in ('notice','active','warned','expired','exited','revoked','graduated')`)
])

/**
 * A stored re-evaluation report: `previewed` (nothing changed yet) or
 * `applied`. `fingerprint` digests what it was computed from; `updates` are
 * the row changes applying it makes.
 */
export const poolReevaluations = pgTable('pool_reevaluations', {
  id: uuid().primaryKey().defaultRandom(),
  year: integer().notNull(),
  state: text().notNull().default('previewed'),
  fingerprint: text().notNull(),
  evaluated: integer().notNull(),
  unchanged: integer().notNull(),
  counts: jsonb().notNull(),
  changes: jsonb().notNull(),
  updates: jsonb().notNull(),
  createdBy: uuid().references(() => users.id),
  createdAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
  appliedBy: uuid().references(() => users.id),
  appliedAt: timestamp({ withTimezone: true, precision: 3 })
}, (t) => [
  index('pool_reevaluations_state_year_idx').on(t.state, t.year),
  check('pool_reevaluations_state_check', sql`${t.state} in ('previewed','applied')`)
])
