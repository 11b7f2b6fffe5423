import { pgTable, text, integer, numeric, serial, jsonb, check, index } from 'drizzle-orm/pg-core'
import { sql } from 'drizzle-orm'

/** Revenue tiers (docs/domain.md). `rank` orders them: below_scale 0 … ten_billion 4. */
export const tiers = pgTable('tiers', {
  code: text().primaryKey(),
  nameZh: text().notNull(),
  nameEn: text().notNull(),
  rank: integer().notNull().unique()
})

/** The three support programs that put firms into the pool. */
export const programs = pgTable('programs', {
  code: text().primaryKey(),
  nameZh: text().notNull(),
  nameEn: text().notNull(),
  descriptionEn: text().notNull().default('')
})

/** The eight focus domains of the plan, section 3. */
export const domains = pgTable('domains', {
  code: text().primaryKey(),
  nameZh: text().notNull(),
  nameEn: text().notNull()
})

/** Districts, counties, county-level cities and pilot zones of Dalian. */
export const districts = pgTable('districts', {
  code: text().primaryKey(),
  nameZh: text().notNull(),
  nameEn: text().notNull(),
  kind: text().notNull()
}, (t) => [check('districts_kind_check', sql`${t.kind} in ('district','county','city','pilot_zone')`)])

/**
 * Tier thresholds as policy data: minimum annual operating revenue (CNY) for a
 * tier, valid from `fromYear` to `toYear` (inclusive, null = open-ended), and
 * optionally only for firms in `domainCode` (a per-domain override).
 */
export const tierRules = pgTable('tier_rules', {
  id: serial().primaryKey(),
  tierCode: text().notNull().references(() => tiers.code),
  minRevenue: numeric({ precision: 20, scale: 2 }).notNull(),
  fromYear: integer().notNull(),
  toYear: integer(),
  domainCode: text().references(() => domains.code),
  note: text()
}, (t) => [index('tier_rules_tier_idx').on(t.tierCode)])

/** The plan's targets (docs/domain.md): a measure, a goal and the year it is due. */
export const planTargets = pgTable('plan_targets', {
  id: serial().primaryKey(),
  key: text().notNull(),
  measure: text().notNull(),
  tierCode: text().references(() => tiers.code),
  comparator: text().notNull(),
  goal: numeric({ precision: 24, scale: 4 }).notNull(),
  unit: text().notNull(),
  dueYear: integer().notNull(),
  labelZh: text().notNull(),
  labelEn: text().notNull(),
  /** A district's own share of the target (层层分解); null = the city's. */
  districtCode: text().references(() => districts.code),
  /** For primary_domain_revenue_share: the domains whose combined share is measured. */
  domains: text().array()
}, (t) => [check('plan_targets_comparator_check', sql`${t.comparator} in ('gte','gt','lte','lt')`)])

/** Named policy values (appeal window, notice period, gates …) editable by admins. */
export const policySettings = pgTable('policy_settings', {
  key: text().primaryKey(),
  value: jsonb().notNull(),
  description: text().notNull().default('')
})
