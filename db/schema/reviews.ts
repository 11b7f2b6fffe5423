import { pgTable, text, integer, timestamp, uuid, jsonb, check, index, uniqueIndex } from 'drizzle-orm/pg-core'
import { sql } from 'drizzle-orm'
import { users } from './accounts.ts'
import { applications } from './applications.ts'

const instant = () => timestamp({ withTimezone: true, precision: 3 })

/**
 * A reviewer's declared conflicts of interest, by the firm's credit code.
 * `recusal` rows come from a reviewer stepping down from an assignment. The
 * reviewer's own employer (users.employer_uscc) is a standing conflict too.
 */
export const reviewerConflicts = pgTable('reviewer_conflicts', {
  id: uuid().primaryKey().defaultRandom(),
  reviewerId: uuid().notNull().references(() => users.id),
  uscc: text().notNull(),
  reason: text().notNull(),
  source: text().notNull().default('declared'),
  createdAt: instant().notNull().defaultNow()
}, (t) => [
  uniqueIndex('reviewer_conflicts_reviewer_uscc_key').on(t.reviewerId, t.uscc),
  index('reviewer_conflicts_uscc_idx').on(t.uscc),
  check('reviewer_conflicts_source_check', sql`${t.source} in ('declared','recusal')`)
])

export const REVIEW_STATES = ['assigned', 'draft', 'submitted', 'recused', 'reassigned'] as const
export type ReviewState = typeof REVIEW_STATES[number]

/**
 * One reviewer's assignment to grade one application, and the review itself.
 * `round` is 1 for the first review and 2 after an appeal (reviewers afresh).
 * `scores` holds the judged indicators' points; `version` guards concurrent
 * saves (If-Match).
 */
export const reviews = pgTable('reviews', {
  id: uuid().primaryKey().defaultRandom(),
  applicationId: uuid().notNull().references(() => applications.id),
  reviewerId: uuid().notNull().references(() => users.id),
  round: integer().notNull().default(1),
  state: text().$type<ReviewState>().notNull().default('assigned'),
  scores: jsonb().$type<Record<string, number>>().notNull().default({}),
  comment: text().notNull().default(''),
  recuseReason: text(),
  /** Why an officer replaced the reviewer, and the review that replaced this one. */
  reassignReason: text(),
  replacedBy: uuid(),
  version: integer().notNull().default(1),
  assignedBy: uuid().references(() => users.id),
  assignedAt: instant().notNull().defaultNow(),
  submittedAt: instant(),
  updatedAt: instant().notNull().defaultNow()
}, (t) => [
  uniqueIndex('reviews_application_round_reviewer_key').on(t.applicationId, t.round, t.reviewerId),
  index('reviews_reviewer_idx').on(t.reviewerId, t.state),
  check('reviews_state_check', sql`${t.state} in ('assigned','draft','submitted','recused','reassigned')`)
])
