import { and, asc, eq, gt, inArray, lte, sql, type SQL } from 'drizzle-orm'
import { type Db, inTransaction } from '../../db/client.ts'
import { applications, enterprises, noticeObjections, poolMemberships, publicNotices } from '../../db/schema/index.ts'
import { errors } from '../domain/errors.ts'
import { transition, type ApplicationState } from '../domain/application-state.ts'
import { membershipAdvice, membershipTransition, type MembershipState } from '../domain/membership-state.ts'
import { BLOCKING_OBJECTION_STATES, noticeTransition, objectionTransition, type NoticeState, type ObjectionState } from '../domain/notice-state.ts'
import { recordAudit, type AuditContext } from '../lib/audit.ts'
import { decodeCursor, page } from '../lib/pagination.ts'
import { firmUserIds, notify, roleUserIds } from './notifications.ts'
import { enqueueMail, STORED_LINKS } from './outbox.ts'
import { normalizeEmail } from './accounts.ts'
import { objectionOutcomeMail, objectionReceiptMail } from '../domain/mail.ts'
import { randomBytes } from 'node:crypto'
import { policyNumber } from './policy.ts'

/**
 * Public notice (公示) of admissions: who was admitted to which program and
 * tier, for the notice period, never the figures. Anyone may object; an
 * upheld objection reverses the admission; otherwise the membership becomes
 * active when the period ends (activateExpiredNotices, run by the timer).
 */

const SYSTEM: AuditContext = { actorId: null, actorRole: 'system', requestId: null }
const DAY_MS = 24 * 3600 * 1000

/**
 * Publishes a new membership's admission for policy notice_period_days, from
 * `now`: every admission goes through it, by a call's decision or directly
 * (`applicationId` null).
 */
export async function openAdmissionNotice (tx: Db, m: typeof poolMemberships.$inferSelect, applicationId: string | null, actor: AuditContext, now: Date) {
  const days = await policyNumber(tx, 'notice_period_days', 7)
  const [notice] = await tx.insert(publicNotices).values({
    membershipId: m.id, applicationId, enterpriseId: m.enterpriseId, programCode: m.programCode, tierCode: m.tierAtAdmission,
    startsAt: now, endsAt: new Date(now.getTime() + days * DAY_MS)
  }).returning()
  await recordAudit(tx, actor, { action: 'notice.publish', objectType: 'public_notice', objectId: notice.id, after: notice })
  return notice
}

/** The firm's inbox entry for a membership change (the pool service's notifyMembershipChange, without its import cycle). */
async function tellFirm (tx: Db, enterpriseId: string, payload: { membershipId: string, program: string, kind: 'activated' | 'revoked', from: string, to: string, reason: string, reasonZh: string, validUntil?: string }) {
  const [advice, adviceZh] = membershipAdvice(payload.kind, payload)
  await notify(tx, await firmUserIds(tx, enterpriseId), 'membership_changed', { ...payload, advice, adviceZh })
}

export async function listPublicNotices (db: Db, q: { limit: number, cursor?: string }, now = new Date()) {
  const after = decodeCursor<{ t: string, id: string }>(q.cursor, ['t', 'id'])
  const where: SQL[] = [eq(publicNotices.status, 'open'), lte(publicNotices.startsAt, now), gt(publicNotices.endsAt, now)]
  if (after != null) where.push(sql`(${publicNotices.startsAt}, ${publicNotices.id}) > (${after.t}::timestamptz, ${after.id}::uuid)`)
  const rows = await db.select({
    id: publicNotices.id, firmName: enterprises.name, uscc: enterprises.uscc, program: publicNotices.programCode,
    tier: publicNotices.tierCode, startsAt: publicNotices.startsAt, endsAt: publicNotices.endsAt
  }).from(publicNotices).innerJoin(enterprises, eq(enterprises.id, publicNotices.enterpriseId))
    .where(and(...where)).orderBy(asc(publicNotices.startsAt), asc(publicNotices.id)).limit(q.limit + 1)
  const p = page(rows, q.limit, r => ({ t: r.startsAt.toISOString(), id: r.id }))
  return { items: p.items.map(r => ({ ...r, startsAt: r.startsAt.toISOString(), endsAt: r.endsAt.toISOString() })), nextCursor: p.nextCursor }
}

type ObjectionRow = typeof noticeObjections.$inferSelect
const objectionView = (o: ObjectionRow) => ({
  id: o.id, noticeId: o.noticeId, reason: o.reason, contact: o.contact, reference: o.reference, email: o.email ?? null, state: o.state as 'pending' | 'upheld' | 'dismissed',
  resolution: o.resolution ?? null, resolvedBy: o.resolvedBy ?? null, resolvedAt: o.resolvedAt?.toISOString() ?? null, createdAt: o.createdAt.toISOString()
})

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/

/** A receipt reference people can read out: YY- and ten characters without 0/O, 1/I. */
export function objectionReference (): string {
  const alphabet = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ'
  const bytes = randomBytes(10)
  return 'YY-' + [...bytes].map(b => alphabet[b % alphabet.length]).join('')
}

/**
 * Anyone lodges an objection while the notice runs. Officers and the firm
 * are told (inbox and email); the objector gets a receipt with a reference
 * at the email it gave (or its contact, when that is an email address).
 */
export async function lodgeObjection (db: Db, noticeId: string, input: { reason: string, contact: string, email?: string }, actor: AuditContext,
  now = new Date()) {
  return await inTransaction(db, async (tx) => {
    const [notice] = await tx.select().from(publicNotices).where(eq(publicNotices.id, noticeId)).for('share')
    // Outside its period a notice is not public: the same 404 as a missing one.
    if (notice == null || notice.status !== 'open' || now < notice.startsAt || now >= notice.endsAt) throw errors.notFound()
    const email = input.email != null ? normalizeEmail(input.email) : EMAIL.test(input.contact.trim()) ? normalizeEmail(input.contact) : null
    const reference = objectionReference()
    const [row] = await tx.insert(noticeObjections).values({ noticeId, reason: input.reason, contact: input.contact, reference, email }).returning()
    await recordAudit(tx, actor, { action: 'objection.lodge', objectType: 'notice_objection', objectId: row.id, after: objectionView(row) })
    const about = { objectionId: row.id, noticeId, applicationId: notice.applicationId, reference }
    await notify(tx, await roleUserIds(tx, 'officer'), 'objection_received', about)
    await notify(tx, await firmUserIds(tx, notice.enterpriseId), 'objection_received', { ...about, forFirm: true })
    if (email != null) {
      const [firm] = await tx.select({ name: enterprises.name }).from(enterprises).where(eq(enterprises.id, notice.enterpriseId))
      await enqueueMail(tx, [{ kind: 'objection_receipt', to: email, content: objectionReceiptMail(reference, firm.name, STORED_LINKS) }])
    }
    return { id: row.id, noticeId, reference, state: 'pending' as const, emailed: email != null, createdAt: row.createdAt.toISOString() }
  })
}

export async function listObjections (db: Db, q: { limit: number, cursor?: string, state?: string, noticeId?: string }) {
  const after = decodeCursor<{ t: string, id: string }>(q.cursor, ['t', 'id'])
  const where: SQL[] = []
  if (q.state != null) where.push(eq(noticeObjections.state, q.state))
  if (q.noticeId != null) where.push(eq(noticeObjections.noticeId, q.noticeId))
  if (after != null) where.push(sql`(${noticeObjections.createdAt}, ${noticeObjections.id}) > (${after.t}::timestamptz, ${after.id}::uuid)`)
  const rows = await db.select().from(noticeObjections).where(and(...where)).orderBy(asc(noticeObjections.createdAt), asc(noticeObjections.id))
    .limit(q.limit + 1)
  const p = page(rows, q.limit, r => ({ t: r.createdAt.toISOString(), id: r.id }))
  return { items: p.items.map(objectionView), nextCursor: p.nextCursor }
}

/**
 * An officer resolves a pending objection. Upholding it reverses the
 * admission: the notice is revoked, the membership `revoked`, and the
 * application's decision becomes a rejection with the reason (the firm may
 * still appeal it once, like any rejection).
 */
export async function resolveObjection (db: Db, id: string, outcome: 'upheld' | 'dismissed', reason: string, actor: AuditContext, now = new Date()) {
  return await inTransaction(db, async (tx) => {
    const [o] = await tx.select().from(noticeObjections).where(eq(noticeObjections.id, id)).for('update')
    if (o == null) throw errors.notFound()
    const state = objectionTransition(o.state as ObjectionState, outcome === 'upheld' ? 'uphold' : 'dismiss')
    const [notice] = await tx.select().from(publicNotices).where(eq(publicNotices.id, o.noticeId)).for('update')
    // Upholding revokes the notice: its machine must allow that (the notice is still open).
    const noticeAfter = outcome === 'upheld' ? noticeTransition(notice.status as NoticeState, 'revoke') : null
    const [after] = await tx.update(noticeObjections).set({ state, resolution: reason, resolvedBy: actor.actorId, resolvedAt: now })
      .where(eq(noticeObjections.id, id)).returning()
    await recordAudit(tx, actor, { action: `objection.${outcome === 'upheld' ? 'uphold' : 'dismiss'}`, objectType: 'notice_objection', objectId: id, before: objectionView(o), after: objectionView(after) })
    // The firm and the objector learn the outcome (inbox and email; the objector by email only).
    await notify(tx, await firmUserIds(tx, notice.enterpriseId), 'objection_resolved',
      { objectionId: id, noticeId: notice.id, applicationId: notice.applicationId, reference: o.reference, outcome })
    if (o.email != null) {
      const [firm] = await tx.select({ name: enterprises.name }).from(enterprises).where(eq(enterprises.id, notice.enterpriseId))
      await enqueueMail(tx, [{ kind: 'objection_outcome', to: o.email, content: objectionOutcomeMail(o.reference, firm.name, outcome, STORED_LINKS) }])
    }
    if (noticeAfter != null) {
      await tx.update(publicNotices).set({ status: noticeAfter }).where(eq(publicNotices.id, notice.id))
      await recordAudit(tx, actor, { action: 'notice.revoke', objectType: 'public_notice', objectId: notice.id, before: { status: notice.status }, after: { status: noticeAfter } })
      const [m] = await tx.select().from(poolMemberships).where(eq(poolMemberships.id, notice.membershipId)).for('update')
      const status = membershipTransition(m.status as MembershipState, 'uphold_objection')
      await tx.update(poolMemberships).set({ status, statusReason: `objection upheld: ${reason}`, updatedAt: now }).where(eq(poolMemberships.id, m.id))
      await recordAudit(tx, actor, { action: 'pool.revoke', objectType: 'pool_membership', objectId: m.id, before: { status: m.status }, after: { status, statusReason: `objection upheld: ${reason}` } })
      await tellFirm(tx, m.enterpriseId, {
        membershipId: m.id, program: m.programCode, kind: 'revoked', from: m.status, to: status,
        reason: `An objection to the admission was upheld: ${reason}`, reasonZh: `公示期间异议成立,入库决定撤销:${reason}`
      })
      // A direct admission has no application to reverse.
      if (notice.applicationId == null) return objectionView(after)
      const [a] = await tx.select().from(applications).where(eq(applications.id, notice.applicationId)).for('update')
      // The application machine's reverse_admission: admitted → rejected, with the objection as the reason.
      const next = transition(a.state as ApplicationState, 'reverse_admission')
      const reversal = {
        state: next, decision: 'reject', decisionReason: `admission reversed after an upheld objection: ${reason}`,
        decisionOverride: { reversedAdmission: true, objectionId: id }, decidedAt: now, decidedBy: actor.actorId, version: a.version + 1, updatedAt: now
      }
      await tx.update(applications).set(reversal).where(eq(applications.id, a.id))
      await recordAudit(tx, actor, {
        action: 'application.reverse_admission', objectType: 'application', objectId: a.id,
        before: { state: a.state, decision: a.decision, version: a.version },
        after: { state: next, decision: 'reject', decisionReason: reversal.decisionReason, version: reversal.version }
      })
      await notify(tx, await firmUserIds(tx, a.enterpriseId), 'decision_made', { applicationId: a.id, callId: a.callId, decision: 'reject', reversedAdmission: true })
    }
    return objectionView(after)
  })
}

/**
 * Every notice whose period has ended without a pending or upheld objection:
 * the notice closes and the membership becomes `active`. Idempotent; returns
 * the memberships activated.
 */
export async function activateExpiredNotices (db: Db, now: Date): Promise<string[]> {
  const due = await db.select({ id: publicNotices.id }).from(publicNotices)
    .where(and(eq(publicNotices.status, 'open'), lte(publicNotices.endsAt, now),
      sql`not exists (select 1 from ${noticeObjections} o where o.notice_id = ${publicNotices.id} and o.state in (${sql.join(BLOCKING_OBJECTION_STATES.map(st => sql`${st}`), sql`, `)}))`))
    .orderBy(asc(publicNotices.endsAt), asc(publicNotices.id))
  const activated: string[] = []
  for (const { id } of due) {
    await inTransaction(db, async (tx) => {
      const [n] = await tx.select().from(publicNotices).where(eq(publicNotices.id, id)).for('update')
      if (n.status !== 'open') return // closed or revoked meanwhile: nothing to do
      const [pending] = await tx.select({ id: noticeObjections.id }).from(noticeObjections)
        .where(and(eq(noticeObjections.noticeId, id), inArray(noticeObjections.state, [...BLOCKING_OBJECTION_STATES]))).limit(1)
      if (pending != null) return
      const closed = noticeTransition(n.status as NoticeState, 'close')
      await tx.update(publicNotices).set({ status: closed }).where(eq(publicNotices.id, id))
      await recordAudit(tx, SYSTEM, { action: 'notice.close', objectType: 'public_notice', objectId: id, before: { status: n.status }, after: { status: closed } })
      const [before] = await tx.select().from(poolMemberships).where(eq(poolMemberships.id, n.membershipId)).for('update')
      if (before?.status !== 'notice') return
      const status = membershipTransition(before.status, 'activate')
      const [m] = await tx.update(poolMemberships).set({ status, updatedAt: now }).where(eq(poolMemberships.id, before.id)).returning()
      await recordAudit(tx, SYSTEM, { action: 'pool.activate', objectType: 'pool_membership', objectId: m.id, before: { status: before.status }, after: { status } })
      await tellFirm(tx, m.enterpriseId, {
        membershipId: m.id, program: m.programCode, kind: 'activated', from: before.status, to: status, validUntil: m.validUntil,
        reason: 'The public notice ended without an upheld objection: the membership is active', reasonZh: '公示期满无成立异议,培育资格正式生效'
      })
      activated.push(m.id)
    })
  }
  return activated
}
