import { pgTable, text, integer, numeric, timestamp, uuid, date, unique, check, index } from 'drizzle-orm/pg-core'
import { sql } from 'drizzle-orm'
import { enterprises, users } from './accounts.ts'
import { programs } from './reference.ts'
import { poolMemberships } from './registry.ts'

const money = () => numeric({ precision: 18, scale: 2 })
const instant = () => timestamp({ withTimezone: true, precision: 3 })

/** A support fund (专项资金) of one program and year with its budget (exact yuan). */
export const funds = pgTable('funds', {
  id: uuid().primaryKey().defaultRandom(),
  year: integer().notNull(),
  programCode: text().notNull().references(() => programs.code),
  name: text().notNull(),
  budget: money().notNull(),
  createdBy: uuid().references(() => users.id),
  createdAt: instant().notNull().defaultNow(),
  updatedAt: instant().notNull().defaultNow()
}, (t) => [
  check('funds_budget_check', sql`${t.budget} > 0`),
  unique('funds_year_program_name_key').on(t.year, t.programCode, t.name),
  index('funds_year_program_idx').on(t.year, t.programCode)
])

export const AWARD_STATE_VALUES = ['awarded', 'partly_paid', 'paid', 'cancelled'] as const

/**
 * Support awarded from a fund to a pool member of the fund's program. Its life
 * is server/domain/award-state.ts; `paid` is the sum of its payments, kept in
 * the transaction that records each payment.
 */
export const fundAwards = pgTable('fund_awards', {
  id: uuid().primaryKey().defaultRandom(),
  fundId: uuid().notNull().references(() => funds.id),
  enterpriseId: uuid().notNull().references(() => enterprises.id),
  membershipId: uuid().notNull().references(() => poolMemberships.id),
  amount: money().notNull(),
  paid: money().notNull().default('0'),
  purpose: text().notNull(),
  state: text().notNull().default('awarded'),
  cancelReason: text(),
  awardedBy: uuid().references(() => users.id),
  createdAt: instant().notNull().defaultNow(),
  updatedAt: instant().notNull().defaultNow()
}, (t) => [
  check('fund_awards_amount_check', sql`${t.amount} > 0 AND ${t.paid} >= 0 AND ${t.paid} <= ${t.amount}`),
  check('fund_awards_state_check', sql.raw(`state in (${AWARD_STATE_VALUES.map(s => `'${s}'`).join(',')})`)),
  index('fund_awards_fund_idx').on(t.fundId, t.createdAt),
  index('fund_awards_enterprise_idx').on(t.enterpriseId, t.createdAt)
])

/** One disbursement of an award. */
export const fundPayments = pgTable('fund_payments', {
  id: uuid().primaryKey().defaultRandom(),
  awardId: uuid().notNull().references(() => fundAwards.id),
  amount: money().notNull(),
  paidOn: date({ mode: 'string' }).notNull(),
  recordedBy: uuid().references(() => users.id),
  createdAt: instant().notNull().defaultNow()
}, (t) => [
  check('fund_payments_amount_check', sql`${t.amount} > 0`),
  index('fund_payments_award_idx').on(t.awardId, t.paidOn)
])
