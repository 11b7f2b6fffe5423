import { pgTable, text, timestamp, uuid, index, check, uniqueIndex } from 'drizzle-orm/pg-core'
import { sql } from 'drizzle-orm'
import { users, enterprises } from './accounts.ts'
import { programs, tiers } from './reference.ts'
import { poolMemberships } from './registry.ts'
import { applications } from './applications.ts'

const instant = () => timestamp({ withTimezone: true, precision: 3 })

/**
 * Public notice (公示) of an admission: published for the notice period
 * (policy notice_period_days). `open` while it runs, `closed` when the
 * membership became active, `revoked` when an upheld objection reversed it.
 */
export const publicNotices = pgTable('public_notices', {
  id: uuid().primaryKey().defaultRandom(),
  membershipId: uuid().notNull().references(() => poolMemberships.id),
  // Null for a direct admission (直通), which has no application.
  applicationId: uuid().references(() => applications.id),
  enterpriseId: uuid().notNull().references(() => enterprises.id),
  programCode: text().notNull().references(() => programs.code),
  tierCode: text().notNull().references(() => tiers.code),
  startsAt: instant().notNull(),
  endsAt: instant().notNull(),
  status: text().notNull().default('open'),
  createdAt: instant().notNull().defaultNow()
}, (t) => [
  uniqueIndex('public_notices_membership_key').on(t.membershipId),
  index('public_notices_status_ends_idx').on(t.status, t.endsAt),
  check('public_notices_status_check', sql`${t.status} in ('open','closed','revoked')`),
  check('public_notices_period_check', sql`${t.startsAt} < ${t.endsAt}`)
])

/** An objection to a published admission, lodged by anyone during the period. */
export const noticeObjections = pgTable('notice_objections', {
  id: uuid().primaryKey().defaultRandom(),
  noticeId: uuid().notNull().references(() => publicNotices.id),
  reason: text().notNull(),
  contact: text().notNull(),
  /** The receipt reference given to the objector (YY-…), quoted in every email about it. */
  reference: text().notNull(),
  /** Where the objector is told of the receipt and the outcome (optional). */
  email: text(),
  state: text().notNull().default('pending'),
  resolution: text(),
  resolvedBy: uuid().references(() => users.id),
  resolvedAt: instant(),
  createdAt: instant().notNull().defaultNow()
}, (t) => [
  index('notice_objections_notice_idx').on(t.noticeId, t.state),
  uniqueIndex('notice_objections_reference_key').on(t.reference),
  check('notice_objections_state_check', sql`${t.state} in ('pending','upheld','dismissed')`)
])
