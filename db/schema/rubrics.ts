import { pgTable, text, integer, numeric, timestamp, uuid, jsonb, unique } from 'drizzle-orm/pg-core'
import { programs } from './reference.ts'
import { users } from './accounts.ts'

/**
 * A grading rubric for one program, versioned: admins add versions, a call
 * keeps the version it was opened with. The indicator list, group minimums
 * and grade bands are JSON validated by schemas/rubrics.ts and interpreted by
 * server/domain/rubrics.ts.
 */
export const rubrics = pgTable('rubrics', {
  id: uuid().primaryKey().defaultRandom(),
  programCode: text().notNull().references(() => programs.code),
  version: integer().notNull(),
  title: text().notNull().default(''),
  indicators: jsonb().notNull(),
  groupMinimums: jsonb().notNull(),
  passMark: numeric({ precision: 8, scale: 2 }).notNull(),
  gradeBands: jsonb().notNull(),
  createdBy: uuid().references(() => users.id),
  createdAt: timestamp({ withTimezone: true }).notNull().defaultNow()
}, (t) => [unique('rubrics_program_version_key').on(t.programCode, t.version)])
