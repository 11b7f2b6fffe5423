import { randomUUID } from 'node:crypto'
import { and, count, desc, eq, inArray, lte, or, sql, type SQL } from 'drizzle-orm'
import { type Db, inTransaction } from '../../db/client.ts'
import { outboxMessages, type OutboxState } from '../../db/schema/index.ts'
import type { MailContent, MailLinks } from '../domain/mail.ts'
import { nextOutboxState, outboxBackoffMs, OUTBOX_MAX_ATTEMPTS } from '../domain/outbox-state.ts'
import { decodeCursor, page } from '../lib/pagination.ts'

/**
 * The email outbox (docs/people.md). A message is written in the same
 * transaction as the event it tells about, so an email exists exactly when
 * the event committed. The chores job sends due messages:
 *
 * 1. claim: one short transaction takes due rows with FOR UPDATE SKIP LOCKED
 *    (two senders never take the same row) and marks them `sending`;
 * 2. send over SMTP with the row's fixed Message-ID;
 * 3. mark `sent` (or back to `queued` with a backoff, or `failed`).
 *
 * A sender that dies between 1 and 3 leaves its rows `sending`; after the
 * claim lease they are claimed again. If it died before the SMTP server's
 * final "250 OK", nothing was delivered and the message goes once. If it
 * died in the instant between that reply and step 3, the message is sent a
 * second time with the same Message-ID: the one case SMTP cannot rule out,
 * and a receiving system can tell it is the same message.
 */

/** Links in stored emails start with this; the sender puts APP_URL in its place. */
export const APP_URL_PLACEHOLDER = '{{APP_URL}}'
export const STORED_LINKS: MailLinks = { appUrl: APP_URL_PLACEHOLDER }

/** Kinds whose body carries a one-time token: erased once sent. */
const SECRET_KINDS = new Set(['password_reset', 'invitation', 'transfer', 'email_confirmation'])

export interface MailToSend { kind: string, to: string, content: MailContent, userId?: string | null, notificationId?: string | null }

/** Writes messages to the outbox inside the caller's transaction. */
export async function enqueueMail (tx: Db, messages: readonly MailToSend[], now = new Date()): Promise<number> {
  if (messages.length === 0) return 0
  const rows = await tx.insert(outboxMessages).values(messages.map(m => ({
    messageId: `<${randomUUID()}@peiyu>`,
    kind: m.kind,
    toAddress: m.to,
    subject: m.content.subject,
    bodyText: m.content.text,
    userId: m.userId ?? null,
    notificationId: m.notificationId ?? null,
    nextAttemptAt: now
  }))).returning({ id: outboxMessages.id })
  return rows.length
}

/** One outgoing email as the transport sees it. */
export interface OutgoingMail { messageId: string, from: string, to: string, subject: string, text: string }

/** What sends mail (nodemailer over SMTP in production and tests: server/plugins/mail.ts). */
export interface MailTransport { send: (mail: OutgoingMail) => Promise<void> }

export interface SendOptions {
  from: string
  appUrl: string
  now?: Date
  /** Who claims (host:pid), for the admin view. */
  worker?: string
  /** At most this many messages per run. */
  batch?: number
  /** A `sending` row older than this is taken to belong to a dead sender. */
  leaseMs?: number
  /** Test seam: runs after the SMTP server accepted a message and before it is marked sent. */
  afterSend?: (messageId: string) => Promise<void> | void
}

export const DEFAULT_LEASE_MS = 5 * 60_000

type OutboxRow = typeof outboxMessages.$inferSelect

/** Claims due rows (queued and due, or `sending` past the lease) for this worker. */
export async function claimDueMail (db: Db, now: Date, worker: string, batch: number, leaseMs: number): Promise<OutboxRow[]> {
  return await inTransaction(db, async (tx) => {
    const staleBefore = new Date(now.getTime() - leaseMs)
    const due = await tx.select({ id: outboxMessages.id }).from(outboxMessages)
      .where(or(
        and(eq(outboxMessages.state, 'queued'), lte(outboxMessages.nextAttemptAt, now)),
        and(eq(outboxMessages.state, 'sending'), lte(outboxMessages.claimedAt, staleBefore))
      ))
      .orderBy(outboxMessages.nextAttemptAt, outboxMessages.id).limit(batch)
      .for('update', { skipLocked: true })
    if (due.length === 0) return []
    return await tx.update(outboxMessages)
      .set({ state: nextOutboxState('queued', 'claim'), claimedAt: now, claimedBy: worker, attempts: sql`${outboxMessages.attempts} + 1` })
      .where(inArray(outboxMessages.id, due.map(d => d.id))).returning()
  })
}

/** Permanent SMTP refusals (5xx) are not retried. */
function isPermanent (err: unknown): boolean {
  const code = (err as { responseCode?: number }).responseCode
  return typeof code === 'number' && code >= 500 && code < 600
}

/**
 * Sends what is due. Without a transport (no SMTP_URL) queued messages are
 * marked `skipped`: the inbox is the only channel then. Returns counts.
 */
export async function sendDueMail (db: Db, transport: MailTransport | null, opts: SendOptions): Promise<{
  sent: number, retried: number, failed: number,
  skipped: number
}> {
  const now = opts.now ?? new Date()
  const result = { sent: 0, retried: 0, failed: 0, skipped: 0 }
  if (transport == null) {
    const skipped = await db.update(outboxMessages).set({ state: nextOutboxState('queued', 'skip'), lastError: 'SMTP_URL is not set' })
      .where(eq(outboxMessages.state, 'queued')).returning({ id: outboxMessages.id })
    result.skipped = skipped.length
    return result
  }
  const worker = opts.worker ?? `pid:${process.pid}`
  const claimed = await claimDueMail(db, now, worker, opts.batch ?? 50, opts.leaseMs ?? DEFAULT_LEASE_MS)
  for (const m of claimed) {
    const mine = and(eq(outboxMessages.id, m.id), eq(outboxMessages.state, 'sending'), eq(outboxMessages.claimedBy, worker))
    try {
      await transport.send({
        messageId: m.messageId, from: opts.from, to: m.toAddress, subject: m.subject, text: m.bodyText.split(APP_URL_PLACEHOLDER)
          .join(opts.appUrl)
      })
    } catch (err) {
      const last = m.attempts >= OUTBOX_MAX_ATTEMPTS || isPermanent(err)
      const lastError = String((err as Error).message ?? err).slice(0, 500)
      await db.update(outboxMessages).set(last
        ? { state: nextOutboxState('sending', 'give_up'), lastError }
        : { state: nextOutboxState('sending', 'retry'), lastError, nextAttemptAt: new Date(now.getTime() + outboxBackoffMs(m.attempts)) }).where(mine)
      if (last) result.failed++
      else result.retried++
      continue
    }
    await opts.afterSend?.(m.messageId)
    await db.update(outboxMessages).set({
      state: nextOutboxState('sending', 'sent'), sentAt: new Date(), lastError: null,
      ...(SECRET_KINDS.has(m.kind) ? { bodyText: '[erased after sending: it carried a one-time link]' } : {})
    }).where(mine)
    result.sent++
  }
  return result
}

export interface OutboxQuery { limit: number, cursor?: string, state?: OutboxState }

/** The admin's view: newest first, with counts by state; never the body (it may carry a link). */
export async function listOutbox (db: Db, q: OutboxQuery) {
  const after = decodeCursor<{ t: string, id: string }>(q.cursor, ['t', 'id'])
  const where: SQL[] = []
  if (q.state != null) where.push(eq(outboxMessages.state, q.state))
  if (after != null) where.push(sql`(${outboxMessages.createdAt}, ${outboxMessages.id}) < (${after.t}::timestamptz, ${after.id}::uuid)`)
  const rows = await db.select({
    id: outboxMessages.id, messageId: outboxMessages.messageId, kind: outboxMessages.kind, to: outboxMessages.toAddress,
    subject: outboxMessages.subject, state: outboxMessages.state, attempts: outboxMessages.attempts, nextAttemptAt: outboxMessages.nextAttemptAt,
    lastError: outboxMessages.lastError, sentAt: outboxMessages.sentAt, createdAt: outboxMessages.createdAt
  }).from(outboxMessages).where(and(...where)).orderBy(desc(outboxMessages.createdAt), desc(outboxMessages.id)).limit(q.limit + 1)
  const p = page(rows, q.limit, r => ({ t: r.createdAt.toISOString(), id: r.id }))
  const counts = await db.select({ state: outboxMessages.state, n: count() }).from(outboxMessages).groupBy(outboxMessages.state)
  const byState: Record<OutboxState, number> = { queued: 0, sending: 0, sent: 0, failed: 0, skipped: 0 }
  for (const c of counts) byState[c.state] = c.n
  return {
    counts: byState,
    items: p.items.map(r => ({
      ...r, nextAttemptAt: r.nextAttemptAt.toISOString(), sentAt: r.sentAt?.toISOString() ?? null, createdAt: r.createdAt.toISOString()
    })),
    nextCursor: p.nextCursor
  }
}
