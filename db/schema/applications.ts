import { pgTable, text, integer, boolean, timestamp, uuid, jsonb, check, index, uniqueIndex, customType } from 'drizzle-orm/pg-core'
import { sql } from 'drizzle-orm'
import { programs } from './reference.ts'
import { enterprises, users } from './accounts.ts'
import { declarations } from './registry.ts'
import { rubrics } from './rubrics.ts'

// Millisecond precision: JavaScript dates carry milliseconds, so keyset
// cursors built from these timestamps compare exactly on the way back.
const instant = () => timestamp({ withTimezone: true, precision: 3 })

/** File content kept in the database with its metadata (one backup, one transaction). */
const bytea = customType<{ data: Buffer, driverData: Buffer | Uint8Array }>({
  dataType: () => 'bytea',
  // postgres.js returns a Buffer, PGlite a Uint8Array: one type for the code.
  fromDriver: (value) => Buffer.isBuffer(value) ? value : Buffer.from(value)
})

/**
 * A call for applications (申报批次): one program and year, a submission
 * window [opensAt, closesAt), the rubric version it grades with (kept for the
 * call's life) and how many reviewers grade each application.
 */
export const calls = pgTable('calls', {
  id: uuid().primaryKey().defaultRandom(),
  programCode: text().notNull().references(() => programs.code),
  year: integer().notNull(),
  title: text().notNull(),
  opensAt: instant().notNull(),
  closesAt: instant().notNull(),
  reviewersPerApplication: integer().notNull(),
  /** The firm's district pre-screens submitted applications before the city assigns reviewers. */
  districtReview: boolean().notNull().default(false),
  rubricId: uuid().notNull().references(() => rubrics.id),
  /** The notice's guidelines for applicants (free text). */
  guidelines: text().notNull().default(''),
  /** Documents every application must attach, by key: checked at submit. */
  requiredDocuments: jsonb().$type<Array<{ key: string, nameZh: string, nameEn: string }>>().notNull().default([]),
  /** Most admissions the call may make; null: no limit. */
  quota: integer(),
  /** When reviewers should have submitted (reminders before it, overdue after it). */
  reviewDueAt: instant(),
  /** Days a returned application may be resubmitted in, even after the call closed. */
  revisionDays: integer().notNull().default(10),
  createdBy: uuid().references(() => users.id),
  createdAt: instant().notNull().defaultNow(),
  updatedAt: instant().notNull().defaultNow()
}, (t) => [
  check('calls_window_check', sql`${t.opensAt} < ${t.closesAt}`),
  check('calls_reviewers_check', sql`${t.reviewersPerApplication} between 1 and 15`),
  check('calls_quota_check', sql`${t.quota} is null or ${t.quota} >= 0`),
  check('calls_revision_days_check', sql`${t.revisionDays} between 0 and 365`),
  index('calls_program_year_idx').on(t.programCode, t.year),
  index('calls_window_idx').on(t.opensAt, t.closesAt)
])

export const APPLICATION_STATE_VALUES = [
  'draft', 'submitted', 'district_reviewed', 'under_review', 'scored', 'admitted', 'rejected', 'ineligible', 'returned', 'withdrawn', 'appealed'
] as const

/**
 * A firm's application to a call. Its life is the state machine in
 * server/domain/application-state.ts; `version` guards concurrent edits
 * (If-Match). `snapshot` freezes, at submit, the profile and the declaration
 * it is graded on, so later edits to the declaration do not change a grade.
 */
export const applications = pgTable('applications', {
  id: uuid().primaryKey().defaultRandom(),
  callId: uuid().notNull().references(() => calls.id),
  enterpriseId: uuid().notNull().references(() => enterprises.id),
  state: text().notNull().default('draft'),
  version: integer().notNull().default(1),
  statement: text().notNull().default(''),
  returnReason: text(),
  /** When it was last returned for revision, and until when it may be resubmitted. */
  returnedAt: instant(),
  revisionDueAt: instant(),
  declarationYear: integer(),
  snapshot: jsonb(),
  eligibility: jsonb(),
  autoScores: jsonb(),
  score: jsonb(),
  decision: text(),
  decisionReason: text(),
  decisionOverride: jsonb(),
  decidedAt: instant(),
  decidedBy: uuid().references(() => users.id),
  appealGrounds: text(),
  appealedAt: instant(),
  appealCount: integer().notNull().default(0),
  submittedAt: instant(),
  /** The district's pre-screen (calls with districtReview): recommended or not, the opinion, who and when. */
  districtRecommend: boolean(),
  districtOpinion: text(),
  districtReviewedBy: uuid().references(() => users.id),
  districtReviewedAt: instant(),
  createdAt: instant().notNull().defaultNow(),
  updatedAt: instant().notNull().defaultNow()
}, (t) => [
  check('applications_state_check', sql.raw(`state in (${APPLICATION_STATE_VALUES.map(s => `'${s}'`).join(',')})`)),
  check('applications_decision_check', sql`${t.decision} is null or ${t.decision} in ('admit','reject')`),
  // One live application per firm and call. A withdrawn one no longer counts,
  // so a firm that withdrew (e.g. to fix its declaration after failing a gate)
  // may apply again to the same call; the withdrawn row stays for the record.
  uniqueIndex('applications_live_per_call_key').on(t.enterpriseId, t.callId).where(sql`${t.state} <> 'withdrawn'`),
  index('applications_call_state_idx').on(t.callId, t.state),
  index('applications_enterprise_idx').on(t.enterpriseId, t.createdAt)
])

/**
 * A supporting document (audited statement, licence, IP certificate) attached
 * to an application or to a declaration (exactly one of the two). The type is
 * the one detected from the content's magic bytes.
 */
export const documents = pgTable('documents', {
  id: uuid().primaryKey().defaultRandom(),
  enterpriseId: uuid().notNull().references(() => enterprises.id),
  applicationId: uuid().references(() => applications.id),
  declarationId: uuid().references(() => declarations.id),
  name: text().notNull(),
  mediaType: text().notNull(),
  size: integer().notNull(),
  sha256: text().notNull(),
  /** The key of the call's required document this file is, if any. */
  kind: text(),
  content: bytea().notNull(),
  uploadedBy: uuid().references(() => users.id),
  createdAt: instant().notNull().defaultNow()
}, (t) => [
  check('documents_owner_check', sql`(${t.applicationId} is null) <> (${t.declarationId} is null)`),
  check('documents_type_check', sql`${t.mediaType} in ('application/pdf','image/png','image/jpeg')`),
  index('documents_application_idx').on(t.applicationId),
  index('documents_declaration_idx').on(t.declarationId)
])
