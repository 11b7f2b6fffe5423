import { createHash } from 'node:crypto'
import { asc, desc, gt, sql } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import { auditLog } from '../../db/schema/index.ts'

/** Who did it, from the request (or a script). */
export interface AuditContext {
  actorId: string | null
  actorRole: string | null
  requestId: string | null
}

export interface AuditEntry {
  /** Verb in the domain's words: `enterprise.register`, `application.submit` … */
  action: string
  objectType: string
  objectId: string
  before?: unknown
  after?: unknown
}

export const AUDIT_GENESIS = '0'.repeat(64)
// Serialises audit writers so the chain never forks; held to the end of the
// writing transaction, which is what makes "previous" well defined.
const AUDIT_LOCK_KEY = 7_274_001

/** JSON with object keys sorted at every level: the same content always hashes the same. */
export function canonicalJson (value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null)
  if (Array.isArray(value)) return '[' + value.map(canonicalJson).join(',') + ']'
  const obj = value as Record<string, unknown>
  return '{' + Object.keys(obj).filter(k => obj[k] !== undefined).sort()
    .map(k => JSON.stringify(k) + ':' + canonicalJson(obj[k])).join(',') + '}'
}

interface HashedContent {
  at: Date
  actorId: string | null
  actorRole: string | null
  action: string
  objectType: string
  objectId: string
  before: unknown
  after: unknown
  requestId: string | null
}

export function auditEntryHash (prevHash: string, c: HashedContent): string {
  const content = canonicalJson({ ...c, at: c.at.toISOString() })
  return createHash('sha256').update(prevHash).update('\n').update(content).digest('hex')
}

/** Plain JSON (Dates to strings, undefined dropped) as jsonb will return it. */
function toJsonValue (v: unknown): unknown {
  return v === undefined ? null : JSON.parse(JSON.stringify(v))
}

/**
 * Appends one entry to the hash chain. Call it inside the transaction that
 * makes the change, so the record and the change commit or fail together.
 */
export async function recordAudit (tx: Db, ctx: AuditContext, entry: AuditEntry): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(${AUDIT_LOCK_KEY})`)
  const [last] = await tx.select({ hash: auditLog.hash }).from(auditLog).orderBy(desc(auditLog.id)).limit(1)
  const prevHash = last?.hash ?? AUDIT_GENESIS
  const content: HashedContent = {
    at: new Date(),
    actorId: ctx.actorId,
    actorRole: ctx.actorRole,
    action: entry.action,
    objectType: entry.objectType,
    objectId: entry.objectId,
    before: toJsonValue(entry.before),
    after: toJsonValue(entry.after),
    requestId: ctx.requestId
  }
  await tx.insert(auditLog).values({ ...content, prevHash, hash: auditEntryHash(prevHash, content) })
}

export type AuditVerification =
  | { intact: true, entries: number, lastHash: string }
  | { intact: false, entries: number, brokenAt: { id: number, reason: 'content_hash_mismatch' | 'previous_hash_mismatch' } }

/** Walks the chain from the start and names the first entry that does not verify. */
export async function verifyAuditChain (db: Db, batchSize = 2000): Promise<AuditVerification> {
  let prev = AUDIT_GENESIS
  let lastId = 0
  let count = 0
  for (;;) {
    const rows = await db.select().from(auditLog).where(gt(auditLog.id, lastId)).orderBy(asc(auditLog.id)).limit(batchSize)
    if (rows.length === 0) break
    for (const r of rows) {
      if (r.prevHash !== prev) return { intact: false, entries: count, brokenAt: { id: r.id, reason: 'previous_hash_mismatch' } }
      const expected = auditEntryHash(r.prevHash, {
        at: r.at,
        actorId: r.actorId,
        actorRole: r.actorRole,
        action: r.action,
        objectType: r.objectType,
        objectId: r.objectId,
        before: r.before,
        after: r.after,
        requestId: r.requestId
      })
      if (expected !== r.hash) return { intact: false, entries: count, brokenAt: { id: r.id, reason: 'content_hash_mismatch' } }
      prev = r.hash
      lastId = r.id
      count++
    }
  }
  return { intact: true, entries: count, lastHash: prev }
}
