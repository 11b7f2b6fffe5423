import { pgTable, text, integer, numeric, timestamp, uuid, date, unique, check, index } from 'drizzle-orm/pg-core'
import { sql } from 'drizzle-orm'
import { enterprises } from './accounts.ts'
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

export const POOL_STATUSES = ['notice', 'active', 'warned', 'exited', 'revoked'] as const

/**
 * A firm's membership of the cultivation pool under one program, created by
 * an admission (first under public notice, then active).
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
  createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow()
}, (t) => [
  index('pool_memberships_enterprise_idx').on(t.enterpriseId),
  index('pool_memberships_program_status_idx').on(t.programCode, t.status),
  check('pool_memberships_status_check', sql`${t.status} in ('notice','active','warned','exited','revoked')`)
])
