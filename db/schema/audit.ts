import { sql } from 'drizzle-orm'
import { pgTable, text, bigserial, bigint, jsonb, timestamp, uuid, index, uniqueIndex, integer, primaryKey } from 'drizzle-orm/pg-core'

/**
 * Append-only, hash-chained audit trail (server/lib/audit.ts). A write
 * inserts its entry with the hash of its own canonical content; the
 * sequencer then gives it its place in the chain (`seq`) and the chain hash
 * (`prevHash`, `hash`), once. A trigger (migrations 0001, 0013) refuses DELETE
 * and every UPDATE but that one.
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
  /** sha256 of the entry's canonical content; null only on entries chained before migration 0013. */
  contentHash: text(),
  /** Place in the chain, from 1; null until the sequencer reaches the entry. */
  seq: bigint({ mode: 'number' }),
  sequencedAt: timestamp({ withTimezone: true }),
  prevHash: text(),
  hash: text().unique()
}, (t) => [
  index('audit_object_idx').on(t.objectType, t.objectId),
  index('audit_actor_idx').on(t.actorId),
  uniqueIndex('audit_seq_idx').on(t.seq),
  index('audit_unsequenced_idx').on(t.id).where(sql`${t.seq} is null`)
])

/** Secrets the instances on one database share (the generated JWT secret outside production). */
export const serviceSecrets = pgTable('service_secrets', {
  name: text().primaryKey(),
  value: text().notNull(),
  createdAt: timestamp({ withTimezone: true }).notNull().defaultNow()
})

/** One row per background chore: the instance that moves last_run_at forward runs that tick. */
export const choreRuns = pgTable('chore_runs', {
  name: text().primaryKey(),
  lastRunAt: timestamp({ withTimezone: true }).notNull(),
  runBy: text()
})

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
