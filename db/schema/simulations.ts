import { pgTable, text, integer, timestamp, uuid, jsonb, index, check } from 'drizzle-orm/pg-core'
import { sql } from 'drizzle-orm'
import { users } from './accounts.ts'

const instant = () => timestamp({ withTimezone: true, precision: 3 })

/**
 * A policy simulation (what-if): the proposal as sent, the fingerprint of the
 * policy in force it was compared with, and the full result (lists of firms
 * included; analysts get an aggregate view of it). Its life is
 * server/domain/simulation-state.ts.
 */
export const policySimulations = pgTable('policy_simulations', {
  id: uuid().primaryKey().defaultRandom(),
  year: integer().notNull(),
  state: text().notNull().default('simulated'),
  proposal: jsonb().notNull(),
  policyFingerprint: text().notNull(),
  result: jsonb().notNull(),
  createdBy: uuid().references(() => users.id),
  createdByRole: text().notNull(),
  createdAt: instant().notNull().defaultNow(),
  adoptedBy: uuid().references(() => users.id),
  adoptedAt: instant(),
  adoption: jsonb()
}, (t) => [
  index('policy_simulations_created_idx').on(t.createdAt, t.id),
  check('policy_simulations_state_check', sql`${t.state} in ('simulated','adopted')`)
])
