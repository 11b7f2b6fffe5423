import { pgTable, text, timestamp, uuid, integer, index, check, unique } from 'drizzle-orm/pg-core'
import { sql } from 'drizzle-orm'
import { users } from './accounts.ts'
import { notifications } from './notifications.ts'

const instant = () => timestamp({ withTimezone: true, precision: 3 })

export const OUTBOX_STATES = ['queued', 'sending', 'sent', 'failed', 'skipped'] as const
export type OutboxState = typeof OUTBOX_STATES[number]

/**
 * The email outbox: written in the transaction of the event it tells about,
 * sent by the chores job (server/services/outbox.ts). `messageId` is the
 * Message-ID header, fixed when the row is written, so a message sent again
 * after a crash is recognisably the same message.
 */
export const outboxMessages = pgTable('outbox_messages', {
  id: uuid().primaryKey().defaultRandom(),
  messageId: text().notNull(),
  kind: text().notNull(),
  toAddress: text().notNull(),
  subject: text().notNull(),
  bodyText: text().notNull(),
  userId: uuid().references(() => users.id),
  notificationId: uuid().references(() => notifications.id),
  state: text().$type<OutboxState>().notNull().default('queued'),
  attempts: integer().notNull().default(0),
  nextAttemptAt: instant().notNull().defaultNow(),
  claimedAt: instant(),
  claimedBy: text(),
  lastError: text(),
  sentAt: instant(),
  createdAt: instant().notNull().defaultNow()
}, (t) => [
  unique('outbox_messages_message_id_key').on(t.messageId),
  index('outbox_messages_due_idx').on(t.state, t.nextAttemptAt),
  index('outbox_messages_created_idx').on(t.createdAt, t.id),
  check('outbox_messages_state_check', sql`${t.state} in ('queued','sending','sent','failed','skipped')`)
])

export const ACCOUNT_TOKEN_PURPOSES = ['password_reset', 'invitation', 'email_confirmation'] as const
export type AccountTokenPurpose = typeof ACCOUNT_TOKEN_PURPOSES[number]

/** One-time tokens (reset links, invitations, address confirmations): only a SHA-256 of the token is kept. */
export const accountTokens = pgTable('account_tokens', {
  id: uuid().primaryKey().defaultRandom(),
  userId: uuid().notNull().references(() => users.id),
  purpose: text().$type<AccountTokenPurpose>().notNull(),
  tokenHash: text().notNull(),
  expiresAt: instant().notNull(),
  usedAt: instant(),
  createdAt: instant().notNull().defaultNow()
}, (t) => [
  unique('account_tokens_hash_key').on(t.tokenHash),
  index('account_tokens_user_idx').on(t.userId, t.purpose),
  check('account_tokens_purpose_check', sql`${t.purpose} in ('password_reset','invitation','email_confirmation')`)
])
