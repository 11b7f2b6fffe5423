import { createHash } from 'node:crypto'
import { and, asc, desc, gt, isNotNull, isNull, sql, type SQLWrapper } from 'drizzle-orm'
import { inTransaction, queryRows, type Db, type Tx } from '../../db/client.ts'
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
/**
 * Held (as a transaction-level advisory lock, so it also works through a
 * transaction pooler) by the one sequencer that chains entries at a time.
 * Writers never take it.
 */
const SEQUENCER_LOCK_KEY = 7_274_001

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

/** The content hash an entry is written with: sha256 of its canonical JSON. */
export function auditContentHash (c: HashedContent): string {
  return createHash('sha256').update(canonicalJson({ ...c, at: c.at.toISOString() })).digest('hex')
}

/** The chain hash of an entry: its predecessor's chain hash and its own content hash. */
export function auditChainHash (prevHash: string, contentHash: string): string {
  return createHash('sha256').update(prevHash).update('\n').update(contentHash).digest('hex')
}

/** The chain hash of entries written before content hashes (migration 0013): the predecessor and the content itself. */
export function legacyAuditEntryHash (prevHash: string, c: HashedContent): string {
  const content = canonicalJson({ ...c, at: c.at.toISOString() })
  return createHash('sha256').update(prevHash).update('\n').update(content).digest('hex')
}

/** Plain JSON (Dates to strings, undefined dropped) as jsonb will return it. */
function toJsonValue (v: unknown): unknown {
  return v === undefined ? null : JSON.parse(JSON.stringify(v))
}

/**
 * Appends one entry to the trail with the hash of its own content. Call it
 * inside the transaction that makes the change, so the record and the change
 * commit or fail together. No lock: writers do not wait for each other here;
 * the sequencer ({@link sequenceAudit}) chains the entry after it commits.
 */
export async function recordAudit (tx: Db, ctx: AuditContext, entry: AuditEntry): Promise<void> {
  const content = auditContent(ctx, entry)
  await tx.insert(auditLog).values({ ...content, contentHash: auditContentHash(content) })
}

/**
 * One change and its audit entry in one statement (one round trip instead of
 * two): `write` is an insert or update of one row with a `returning` clause,
 * run as a data-modifying WITH; the entry is inserted once per row it
 * returns, and anything but one row fails the transaction. The entry is the
 * one {@link recordAudit} would write — the caller knows the row's `after`
 * before writing it — with its content hash, in the same transaction.
 */
export async function writeAudited (tx: Tx, ctx: AuditContext, write: SQLWrapper, entry: AuditEntry): Promise<void> {
  const c = auditContent(ctx, entry)
  const json = (v: unknown) => v == null ? sql`null::jsonb` : sql`${JSON.stringify(v)}::jsonb`
  const rows = await queryRows<{ one: number }>(tx, sql`
    with written as (${write.getSQL()})
    insert into ${auditLog} (at, actor_id, actor_role, action, object_type, object_id, before, after, request_id, content_hash)
    select ${c.at.toISOString()}::timestamptz, ${c.actorId}::uuid, ${c.actorRole}::text, ${c.action}::text, ${c.objectType}::text, ${c.objectId}::text,
      ${json(c.before)}, ${json(c.after)}, ${c.requestId}::text, ${auditContentHash(c)}::text
    from written
    returning 1 as one`)
  if (rows.length !== 1) throw new Error(`writeAudited: the write changed ${rows.length} rows, not one (${entry.action} ${entry.objectId})`)
}

function auditContent (ctx: AuditContext, entry: AuditEntry): HashedContent {
  return {
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
}

/**
 * One pass of the sequencer: if no other sequencer holds the lock, gives the
 * committed entries not yet in the chain (up to `batch`, oldest first) the
 * next places and their chain hashes, in one transaction. An entry whose
 * transaction has not committed yet is not visible and waits for a later
 * pass, so the chain's order is the order entries became visible to the
 * sequencer. Returns how many it chained (0 when another sequencer runs).
 */
export async function sequenceAudit (db: Db, batch = 5000): Promise<number> {
  return await inTransaction(db, async (tx) => {
    const [lock] = await queryRows<{ locked: boolean }>(tx, sql`select pg_try_advisory_xact_lock(${SEQUENCER_LOCK_KEY}) as locked`)
    if (lock?.locked !== true) return 0
    const pending = await tx.select({ id: auditLog.id, contentHash: auditLog.contentHash })
      .from(auditLog).where(isNull(auditLog.seq)).orderBy(asc(auditLog.id)).limit(batch)
    if (pending.length === 0) return 0
    const [last] = await tx.select({ seq: auditLog.seq, hash: auditLog.hash })
      .from(auditLog).where(isNotNull(auditLog.seq)).orderBy(desc(auditLog.seq)).limit(1)
    let prev = last?.hash ?? AUDIT_GENESIS
    let seq = last?.seq ?? 0
    const placed = pending.map(p => {
      const hash = auditChainHash(prev, p.contentHash!)
      const row = { id: p.id, seq: ++seq, prev_hash: prev, hash }
      prev = hash
      return row
    })
    await tx.execute(sql`
      update audit_log as a set seq = v.seq, prev_hash = v.prev_hash, hash = v.hash, sequenced_at = now()
      from jsonb_to_recordset(${JSON.stringify(placed)}::jsonb) as v(id bigint, seq bigint, prev_hash text, hash text)
      where a.id = v.id and a.seq is null`)
    return placed.length
  })
}

/** Runs the sequencer until nothing is left (tests, scripts, and the periodic pass). */
export async function sequenceAllAudit (db: Db): Promise<number> {
  let total = 0
  for (;;) {
    const n = await sequenceAudit(db)
    total += n
    if (n < 5000) return total
  }
}

export type AuditVerification =
  | { intact: true, entries: number, lastHash: string, unsequenced: number, overdue: number }
  | {
    intact: false, entries: number, unsequenced: number, overdue: number,
    brokenAt: { id: number, reason: 'content_hash_mismatch' | 'previous_hash_mismatch' }
  }

type Row = typeof auditLog.$inferSelect

function contentOf (r: Row): HashedContent {
  return {
    at: r.at,
    actorId: r.actorId,
    actorRole: r.actorRole,
    action: r.action,
    objectType: r.objectType,
    objectId: r.objectId,
    before: r.before,
    after: r.after,
    requestId: r.requestId
  }
}

/**
 * Walks the chain in its order and names the first entry that does not
 * verify: each entry's content must match its content hash, its link the
 * chain hash before it, its own chain hash both. Then checks the content
 * hash of every entry not yet chained, and counts those that have waited
 * longer than `boundMs` (`overdue`: the sequencer is not keeping up, or not running).
 */
export async function verifyAuditChain (db: Db, opts: { boundMs?: number, now?: Date, batchSize?: number } = {}): Promise<AuditVerification> {
  const batchSize = opts.batchSize ?? 2000
  let prev = AUDIT_GENESIS
  let lastSeq = 0
  let count = 0
  const counts = async (): Promise<{ unsequenced: number, overdue: number }> => {
    const cutoff = new Date((opts.now ?? new Date()).getTime() - (opts.boundMs ?? 10_000))
    const [row] = await queryRows<{ unsequenced: number, overdue: number }>(db, sql`
      select count(*)::int as unsequenced, (count(*) filter (where at < ${cutoff.toISOString()}::timestamptz))::int as overdue
      from audit_log where seq is null`)
    return { unsequenced: Number(row?.unsequenced ?? 0), overdue: Number(row?.overdue ?? 0) }
  }
  const broken = async (id: number, reason: 'content_hash_mismatch' | 'previous_hash_mismatch'): Promise<AuditVerification> =>
    ({ intact: false, entries: count, ...(await counts()), brokenAt: { id, reason } })
  for (;;) {
    const rows = await db.select().from(auditLog).where(gt(auditLog.seq, lastSeq)).orderBy(asc(auditLog.seq)).limit(batchSize)
    if (rows.length === 0) break
    for (const r of rows) {
      if (r.prevHash !== prev) return await broken(r.id, 'previous_hash_mismatch')
      const expected = r.contentHash == null
        ? legacyAuditEntryHash(prev, contentOf(r))
        : auditContentHash(contentOf(r)) === r.contentHash ? auditChainHash(prev, r.contentHash) : undefined
      if (expected !== r.hash) return await broken(r.id, 'content_hash_mismatch')
      prev = r.hash!
      lastSeq = r.seq!
      count++
    }
  }
  let lastId = 0
  for (;;) {
    const rows = await db.select().from(auditLog).where(and(isNull(auditLog.seq), gt(auditLog.id, lastId))).orderBy(asc(auditLog.id)).limit(batchSize)
    if (rows.length === 0) break
    for (const r of rows) {
      if (r.contentHash == null || auditContentHash(contentOf(r)) !== r.contentHash) return await broken(r.id, 'content_hash_mismatch')
      lastId = r.id
      count++
    }
  }
  return { intact: true, entries: count, lastHash: prev, ...(await counts()) }
}
