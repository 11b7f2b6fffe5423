import { eq, sql } from 'drizzle-orm'
import { queryRows, type Db } from '../../db/client.ts'
import { applications } from '../../db/schema/index.ts'
import { errors } from '../domain/errors.ts'
import { decodeCursor, page } from '../lib/pagination.ts'
import type { Principal } from '../domain/access.ts'
import { findVisibleApplication } from './application-reads.ts'

/**
 * An application's history (issue 13): its timeline read from the audit
 * trail — the application's own entries, its reviews' (assignment, drafts,
 * submission, recusal, reassignment) and its attached documents' — oldest
 * first, paged.
 *
 * Officers and admins see every entry with who acted (name, id, role). The
 * owning firm sees its own timeline without reviewer identities: no review
 * entries at all (who reviewed, when, with what scores), and names only of
 * its own firm's users; every other actor is shown by role alone. Entries
 * never carry the audit images themselves (scores, figures): only the state
 * moved from and to and the reason given.
 */

interface AuditRow {
  id: string | number
  at: Date | string
  action: string
  actor_id: string | null
  actor_role: string | null
  object_type: string
  object_id: string
  before: Record<string, unknown> | null
  after: Record<string, unknown> | null
  actor_name: string | null
  actor_enterprise_id: string | null
}

/** The reason an entry records, by what it did. */
const REASON_KEYS: Record<string, string> = {
  'application.return': 'returnReason',
  'application.admit': 'decisionReason',
  'application.reject': 'decisionReason',
  'application.appeal': 'appealGrounds',
  'application.district_recommend': 'districtOpinion',
  'application.district_reject': 'districtOpinion',
  'review.recuse': 'recuseReason',
  'review.reassign': 'reassignReason'
}

export interface HistoryItem {
  at: string
  action: string
  actorRole: string | null
  actorName?: string
  actorId?: string
  objectType: string
  objectId?: string
  reason?: string
  from?: string
  to?: string
}

const str = (v: unknown): string | undefined => typeof v === 'string' && v !== '' ? v : undefined

export async function applicationHistory (db: Db, user: Principal, id: string, q: { limit: number, cursor?: string }) {
  const staff = user.role === 'officer' || user.role === 'admin'
  let enterpriseId: string
  if (staff) {
    const [a] = await db.select({ enterpriseId: applications.enterpriseId }).from(applications).where(eq(applications.id, id))
    if (a == null) throw errors.notFound()
    enterpriseId = a.enterpriseId
  } else if (user.role === 'enterprise') {
    const { application } = await findVisibleApplication(db, user, id)
    if (application.enterpriseId !== user.enterpriseId) throw errors.notFound()
    enterpriseId = application.enterpriseId
  } else {
    throw errors.forbidden()
  }
  const after = decodeCursor<{ t: string, id: number }>(q.cursor, ['t', 'id'])
  if (after != null && (!Number.isSafeInteger(after.id) || Number.isNaN(Date.parse(String(after.t))))) {
    throw errors.validation([{ field: 'cursor', message: 'is not a cursor this endpoint returned' }])
  }
  // Each branch is an indexed lookup on (object_type, object_id).
  const reviewsOf = staff ? sql`or (l.object_type = 'review' and l.object_id in (select r.id::text from reviews r where r.application_id = ${id}::uuid))` : sql``
  const rows = await queryRows<AuditRow>(db, sql`
    select l.id, l.at, l.action, l.actor_id, l.actor_role, l.object_type, l.object_id, l.before, l.after,
      u.name as actor_name, u.enterprise_id as actor_enterprise_id
    from audit_log l left join users u on u.id = l.actor_id
    where ((l.object_type = 'application' and l.object_id = ${id})
      or (l.object_type = 'document' and l.object_id in (select d.id::text from documents d where d.application_id = ${id}::uuid))
      ${reviewsOf})
      ${after == null ? sql`` : sql`and (l.at, l.id) > (${new Date(after.t).toISOString()}::timestamptz, ${after.id}::bigint)`}
    order by l.at, l.id
    limit ${q.limit + 1}`)
  const p = page(rows, q.limit, r => ({ t: new Date(r.at).toISOString(), id: Number(r.id) }))
  return { items: p.items.map(r => historyItem(r, staff, enterpriseId)), nextCursor: p.nextCursor }
}

function historyItem (r: AuditRow, staff: boolean, enterpriseId: string): HistoryItem {
  const item: HistoryItem = { at: new Date(r.at).toISOString(), action: r.action, actorRole: r.actor_role, objectType: r.object_type }
  const ownFirm = r.actor_enterprise_id != null && r.actor_enterprise_id === enterpriseId
  if (r.actor_name != null && (staff || ownFirm)) item.actorName = r.actor_name
  if (staff) {
    if (r.actor_id != null) item.actorId = r.actor_id
    item.objectId = r.object_id
  }
  const from = str(r.before?.state)
  const to = str(r.after?.state)
  if (from != null) item.from = from
  if (to != null) item.to = to
  const reasonKey = REASON_KEYS[r.action]
  const reason = reasonKey == null ? undefined : str(r.after?.[reasonKey])
  if (reason != null) item.reason = reason
  return item
}
