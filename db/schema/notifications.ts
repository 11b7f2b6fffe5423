import { pgTable, text, timestamp, uuid, jsonb, index, uniqueIndex, check } from 'drizzle-orm/pg-core'
import { sql } from 'drizzle-orm'
import { users } from './accounts.ts'

const instant = () => timestamp({ withTimezone: true, precision: 3 })

export const NOTIFICATION_KINDS = ['review_assigned', 'call_closing', 'application_returned', 'decision_made', 'appeal_received', 'objection_received',
  'review_due_soon', 'review_overdue', 'review_recused', 'review_reassigned'] as const
export type NotificationKind = typeof NOTIFICATION_KINDS[number]

/**
 * The in-app inbox. `dedupeKey`, when set, makes a notification at most once
 * per user (e.g. one "call closing" reminder per call and firm).
 */
export const notifications = pgTable('notifications', {
  id: uuid().primaryKey().defaultRandom(),
  userId: uuid().notNull().references(() => users.id),
  kind: text().$type<NotificationKind>().notNull(),
  payload: jsonb().$type<Record<string, unknown>>().notNull().default({}),
  dedupeKey: text(),
  readAt: instant(),
  createdAt: instant().notNull().defaultNow()
}, (t) => [
  index('notifications_user_idx').on(t.userId, t.createdAt),
  uniqueIndex('notifications_user_dedupe_key').on(t.userId, t.dedupeKey),
  check('notifications_kind_check', sql.raw(`kind in (${NOTIFICATION_KINDS.map(k => `'${k}'`).join(',')})`))
])
