import { and, desc, eq, lt, type SQL } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import { auditLog } from '../../db/schema/index.ts'
import { decodeCursor, page } from '../lib/pagination.ts'

export { verifyAuditChain } from '../lib/audit.ts'

export interface AuditQuery { limit: number, cursor?: string, objectType?: string, objectId?: string, actorId?: string, action?: string }

/** The audit trail, newest first, filtered by object, actor and action. */
export async function listAuditEntries (db: Db, q: AuditQuery) {
  const after = decodeCursor<{ id: number }>(q.cursor, ['id'])
  const where: SQL[] = []
  if (q.objectType != null) where.push(eq(auditLog.objectType, q.objectType))
  if (q.objectId != null) where.push(eq(auditLog.objectId, q.objectId))
  if (q.actorId != null) where.push(eq(auditLog.actorId, q.actorId))
  if (q.action != null) where.push(eq(auditLog.action, q.action))
  if (after != null) where.push(lt(auditLog.id, Number(after.id)))
  const rows = await db.select().from(auditLog).where(and(...where)).orderBy(desc(auditLog.id)).limit(q.limit + 1)
  const p = page(rows, q.limit, r => ({ id: r.id }))
  return { items: p.items.map(({ sequencedAt: _s, ...r }) => ({ ...r, at: r.at.toISOString() })), nextCursor: p.nextCursor }
}
