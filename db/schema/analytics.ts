import { pgTable, text, integer, bigint, numeric, timestamp, uuid, jsonb, primaryKey, index, serial, smallint } from 'drizzle-orm/pg-core'
import { users } from './accounts.ts'

const total = () => numeric({ precision: 24, scale: 2 })

/**
 * Analytics rollup, one row per firm and year: the declaration's figures and
 * tier with the firm's district, live pool program ('' = not in the pool) and
 * sorted domains at the time. Maintained by the database itself (deferred
 * triggers of migration 0007 on declarations, enterprises, enterprise_domains
 * and pool_memberships), in the writing transaction: never stale. It records
 * which cell each firm-year was counted in, so a change can take it out again.
 */
export const analyticsFirmYears = pgTable('analytics_firm_years', {
  enterpriseId: uuid().notNull(),
  year: integer().notNull(),
  tierCode: text().notNull(),
  districtCode: text().notNull(),
  programCode: text().notNull(),
  domains: text().array().notNull(),
  operatingRevenue: numeric({ precision: 18, scale: 2 }).notNull(),
  softwareRevenue: numeric({ precision: 18, scale: 2 }).notNull(),
  rdExpense: numeric({ precision: 18, scale: 2 }).notNull(),
  employees: integer().notNull(),
  /** The declaration's export revenue (migration 0025), so a year's analytics read this table alone. */
  exportRevenue: numeric({ precision: 18, scale: 2 }).notNull().default('0')
}, (t) => [primaryKey({ columns: [t.enterpriseId, t.year] })])

/**
 * Analytics cells: sums per (year, tier, district, program, domain set). A few
 * thousand rows per year however many firms there are, so distributions,
 * targets and trends aggregate these instead of scanning every declaration.
 */
export const analyticsCells = pgTable('analytics_cells', {
  year: integer().notNull(),
  tierCode: text().notNull(),
  districtCode: text().notNull(),
  /** '' = firms not in the pool. */
  programCode: text().notNull(),
  /** The firm's domains, sorted: a firm with two domains counts once here and once per domain when unnested. */
  domains: text().array().notNull(),
  firms: integer().notNull(),
  operatingRevenue: total().notNull(),
  softwareRevenue: total().notNull(),
  rdExpense: total().notNull(),
  employees: bigint({ mode: 'number' }).notNull()
}, (t) => [primaryKey({ columns: [t.year, t.tierCode, t.districtCode, t.programCode, t.domains] })])

/**
 * The same sums without the domain dimension: a few hundred rows per year.
 * Everything that neither breaks down nor filters by domain reads this one
 * (maintained by the same triggers, migration 0009).
 */
export const analyticsTotals = pgTable('analytics_totals', {
  year: integer().notNull(),
  tierCode: text().notNull(),
  districtCode: text().notNull(),
  programCode: text().notNull(),
  firms: integer().notNull(),
  operatingRevenue: total().notNull(),
  softwareRevenue: total().notNull(),
  rdExpense: total().notNull(),
  employees: bigint({ mode: 'number' }).notNull()
}, (t) => [primaryKey({ columns: [t.year, t.tierCode, t.districtCode, t.programCode] })])

/**
 * Change counters per year (migration 0024): every statement that writes a
 * year's rows of analytics_firm_years adds one to a counter of the year, in
 * one of 16 shards by writing backend. The sum of a year's counters only
 * grows, so it is an exact stamp of the year's figures: the analytics keep a
 * year in memory until its stamp moves (server/services/analytics.ts).
 */
export const analyticsYearChanges = pgTable('analytics_year_changes', {
  year: integer().notNull(),
  shard: smallint().notNull(),
  n: bigint({ mode: 'number' }).notNull().default(0)
}, (t) => [primaryKey({ name: 'analytics_year_changes_pk', columns: [t.year, t.shard] })])

/** One run of the yearly pool re-evaluation and the report it gave. */
export const poolEvaluations = pgTable('pool_evaluations', {
  id: serial().primaryKey(),
  year: integer().notNull(),
  runBy: uuid().references(() => users.id),
  runAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  changes: integer().notNull(),
  report: jsonb().notNull()
}, (t) => [index('pool_evaluations_year_idx').on(t.year)])
