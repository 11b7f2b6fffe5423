import { and, desc, eq, gt, inArray, isNotNull, isNull, lte, or, sql, type SQL } from 'drizzle-orm'
import { type Db, inTransaction } from '../../db/client.ts'
import { applications, calls, notifications, users, type NotificationKind } from '../../db/schema/index.ts'
import { errors } from '../domain/errors.ts'
import { recordAudit, type AuditContext } from '../lib/audit.ts'
import { decodeCursor, page } from '../lib/pagination.ts'
import { notificationMail } from '../domain/mail.ts'
import { enqueueMail, STORED_LINKS } from './outbox.ts'
import type { NotificationView } from '../../schemas/grading.ts'

type NotificationRow = typeof notifications.$inferSelect

export function notificationView (n: NotificationRow): NotificationView {
  return { id: n.id, kind: n.kind, payload: n.payload, readAt: n.readAt?.toISOString() ?? null, createdAt: n.createdAt.toISOString() }
}

/**
 * Puts a notification in each user's inbox and its email in the outbox
 * (server/services/outbox.ts). An account whose address is not confirmed yet
 * is mailed too, unless a confirmed account holds that address: then the
 * address belongs to somebody else and the unconfirmed account gets the inbox
 * entry only, so a registration with a stranger's address never mails the
 * stranger about a firm that is not theirs. Call it inside the transaction of the change
 * it tells about, so all commit or none. With `dedupeKey`, a user gets it
 * at most once. Returns how many were written.
 */
export async function notify (tx: Db, userIds: readonly string[], kind: NotificationKind, payload: Record<string, unknown>,
  opts: { dedupeKey?: string } = {}): Promise<number> {
  const unique = [...new Set(userIds)]
  if (unique.length === 0) return 0
  const rows = await tx.insert(notifications)
    .values(unique.map(userId => ({ userId, kind, payload, dedupeKey: opts.dedupeKey ?? null })))
    .onConflictDoNothing().returning({ id: notifications.id, userId: notifications.userId })
  if (rows.length > 0) {
    const recipients = await tx.select({ id: users.id, email: users.email }).from(users)
      .where(and(inArray(users.id, rows.map(r => r.userId)), eq(users.disabled, false), or(isNotNull(users.emailConfirmedAt),
        sql`not exists (select 1 from users o where o.email = ${users.email} and o.email_confirmed_at is not null)`)))
    const email = new Map(recipients.map(u => [u.id, u.email]))
    const content = notificationMail(kind, payload, STORED_LINKS)
    await enqueueMail(tx, rows.filter(r => email.has(r.userId))
      .map(r => ({ kind, to: email.get(r.userId)!, content, userId: r.userId, notificationId: r.id })))
  }
  return rows.length
}

/** The enterprise accounts acting for a firm (they get its notifications). */
export async function firmUserIds (db: Db, enterpriseId: string): Promise<string[]> {
  const rows = await db.select({ id: users.id }).from(users).where(and(eq(users.enterpriseId, enterpriseId), eq(users.disabled, false)))
  return rows.map(r => r.id)
}

/** Active accounts of a role (e.g. every officer, told of an appeal). */
export async function roleUserIds (db: Db, role: 'officer' | 'admin'): Promise<string[]> {
  const rows = await db.select({ id: users.id }).from(users).where(and(eq(users.role, role), eq(users.disabled, false)))
  return rows.map(r => r.id)
}

/** Within this many days of closing, a firm with a draft is reminded. */
export const CALL_CLOSING_DAYS = 3

/**
 * Reminds every firm with a draft (or returned) application in a call that
 * closes within CALL_CLOSING_DAYS: once per call and firm user, however
 * often it runs. Run by the grading timer; tests call it with their `now`.
 */
export async function notifyClosingCalls (db: Db, now: Date): Promise<number> {
  const horizon = new Date(now.getTime() + CALL_CLOSING_DAYS * 24 * 3600 * 1000)
  const rows = await db.select({ callId: calls.id, title: calls.title, closesAt: calls.closesAt, applicationId: applications.id, userId: users.id })
    .from(calls)
    .innerJoin(applications, eq(applications.callId, calls.id))
    .innerJoin(users, and(eq(users.enterpriseId, applications.enterpriseId), eq(users.disabled, false)))
    .where(and(gt(calls.closesAt, now), lte(calls.closesAt, horizon), lte(calls.opensAt, now), inArray(applications.state, ['draft', 'returned'])))
  let written = 0
  for (const r of rows) {
    written += await inTransaction(db, async (tx) => await notify(tx, [r.userId], 'call_closing',
      { callId: r.callId, title: r.title, closesAt: r.closesAt.toISOString(), applicationId: r.applicationId },
      { dedupeKey: `call_closing:${r.callId}` }))
  }
  return written
}

export async function listNotifications (db: Db, userId: string, q: { limit: number, cursor?: string, unread?: boolean }) {
  const after = decodeCursor<{ t: string, id: string }>(q.cursor, ['t', 'id'])
  const where: SQL[] = [eq(notifications.userId, userId)]
  if (q.unread === true) where.push(isNull(notifications.readAt))
  if (after != null) where.push(sql`(${notifications.createdAt}, ${notifications.id}) < (${after.t}::timestamptz, ${after.id}::uuid)`)
  const rows = await db.select().from(notifications).where(and(...where))
    .orderBy(desc(notifications.createdAt), desc(notifications.id)).limit(q.limit + 1)
  const p = page(rows, q.limit, r => ({ t: r.createdAt.toISOString(), id: r.id }))
  return { items: p.items.map(notificationView), nextCursor: p.nextCursor }
}

/** Marks one of the caller's own notifications read; anyone else's is 404. */
export async function markRead (db: Db, userId: string, id: string, actor: AuditContext, now = new Date()): Promise<NotificationView> {
  return await inTransaction(db, async (tx) => {
    const [before] = await tx.select().from(notifications).where(and(eq(notifications.id, id), eq(notifications.userId, userId))).for('update')
    if (before == null) throw errors.notFound()
    if (before.readAt != null) return notificationView(before)
    const [after] = await tx.update(notifications).set({ readAt: now }).where(eq(notifications.id, id)).returning()
    await recordAudit(tx, actor, { action: 'notification.read', objectType: 'notification', objectId: id, before: { readAt: null }, after: { readAt: now.toISOString() } })
    return notificationView(after)
  })
}
