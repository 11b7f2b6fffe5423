import { pgTable, text, bigserial, jsonb, timestamp, uuid, index, integer, primaryKey } from 'drizzle-orm/pg-core'

/**
 * Append-only, hash-chained audit trail. Each row carries the hash of the row
 * before it and the hash of its own canonical content (server/lib/audit.ts).
 * A trigger (migration 0001) refuses UPDATE and DELETE.
 */
export const auditLog = pgTable('audit_log', {
  id: bigserial({ mode: 'number' }).primaryKey(),
  at: timestamp({ withTimezone: true }).notNull(),
  actorId: uuid(),
  actorRole: text(),
  action: text().notNull(),
  objectType: text().notNull(),
  objectId: text().notNull(),
  before: jsonb(),
  after: jsonb(),
  requestId: text(),
  prevHash: text().notNull(),
  hash: text().notNull().unique()
}, (t) => [index('audit_object_idx').on(t.objectType, t.objectId), index('audit_actor_idx').on(t.actorId)])

/**
 * Idempotency keys for creating endpoints, scoped to the caller. The first
 * response is stored and replayed for the same key and request body.
 */
export const idempotencyKeys = pgTable('idempotency_keys', {
  userId: uuid().notNull(),
  key: text().notNull(),
  route: text().notNull(),
  requestHash: text().notNull(),
  statusCode: integer(),
  response: jsonb(),
  createdAt: timestamp({ withTimezone: true }).notNull().defaultNow()
}, (t) => [primaryKey({ columns: [t.userId, t.key] })])
