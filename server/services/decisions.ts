import { and, eq, inArray } from 'drizzle-orm'
import { type Db, type Tx, inTransaction } from '../../db/client.ts'
import { applications, calls, poolMemberships } from '../../db/schema/index.ts'
import { transition, type ApplicationState } from '../domain/application-state.ts'
import { errors } from '../domain/errors.ts'
import { revisionDeadline } from '../domain/submission.ts'
import { recordAudit, type AuditContext } from '../lib/audit.ts'
import type { Principal } from '../domain/access.ts'
import { ADMITTED_STATE, LIVE_MEMBERSHIP_STATES } from '../domain/membership-state.ts'
import { firmUserIds, notify, roleUserIds } from './notifications.ts'
import { openAdmissionNotice } from './notices.ts'
import { policyNumber } from './policy.ts'
import { assertNotBarred, newTerm } from './pool.ts'
import { assignApplications } from './assignment.ts'

/**
 * Decisions (issue 4): admit or reject a scored application, return one for
 * revision, and the firm's one appeal. Admission puts the firm in the pool
 * under public notice (公示) first.
 */

type ApplicationRow = typeof applications.$inferSelect
const DAY_MS = 24 * 3600 * 1000

/** The reply of the decision routes: the application's decision fields. */
export function decisionView (a: ApplicationRow) {
  return {
    id: a.id,
    state: a.state,
    version: a.version,
    decision: (a.decision as 'admit' | 'reject' | null) ?? null,
    decisionReason: a.decisionReason ?? null,
    decisionOverride: a.decisionOverride != null,
    returnReason: a.returnReason ?? null,
    revisionDueAt: a.revisionDueAt?.toISOString() ?? null,
    appealCount: a.appealCount
  }
}

const decisionImage = (a: ApplicationRow) => ({
  state: a.state, version: a.version, decision: a.decision, decisionReason: a.decisionReason,
  decisionOverride: a.decisionOverride, returnReason: a.returnReason, revisionDueAt: a.revisionDueAt?.toISOString() ?? null, appealCount: a.appealCount,
  appealGrounds: a.appealGrounds
})

async function lockApplication (tx: Db, id: string): Promise<ApplicationRow> {
  const [a] = await tx.select().from(applications).where(eq(applications.id, id)).for('update')
  if (a == null) throw errors.notFound()
  return a
}

/**
 * An officer admits or rejects. Admitting a failing application or rejecting
 * a passing one overrides the rubric: it needs a reason and is flagged.
 * Admission creates the pool membership (status `notice`) and its public
 * notice for policy notice_period_days.
 */
export async function decide (db: Db, id: string, input: { decision: 'admit' | 'reject', reason?: string }, actor: AuditContext, now = new Date()) {
  return await inTransaction(db, async (tx) => await decideIn(tx, id, input, actor, now))
}

async function decideIn (tx: Tx, id: string, input: { decision: 'admit' | 'reject', reason?: string }, actor: AuditContext, now: Date) {
  const a = await lockApplication(tx, id)
  const next = transition(a.state as ApplicationState, input.decision)
  const score = a.score as { pass?: boolean, total?: string } | null
  const pass = score?.pass === true
  const override = (input.decision === 'admit') !== pass
  const reason = input.reason?.trim() ?? ''
  if (override && reason === '') {
    throw errors.validation([{ field: 'body.reason', message: `${input.decision === 'admit' ? 'admitting an application that did not pass' : 'rejecting an application that passed'} overrides the rubric: give a reason` }])
  }
  const [call] = await tx.select().from(calls).where(eq(calls.id, a.callId))
  const [after] = await tx.update(applications).set({
    state: next,
    decision: input.decision,
    decisionReason: reason === '' ? null : reason,
    decisionOverride: override ? { pass, total: score?.total ?? null, decision: input.decision } : null,
    decidedAt: now,
    decidedBy: actor.actorId,
    version: a.version + 1,
    updatedAt: now
  }).where(eq(applications.id, id)).returning()
  await recordAudit(tx, actor, { action: `application.${input.decision}`, objectType: 'application', objectId: id, before: decisionImage(a), after: decisionImage(after) })

  let membershipId: string | null = null
  if (input.decision === 'admit') {
    const [member] = await tx.select({ id: poolMemberships.id }).from(poolMemberships)
      .where(and(eq(poolMemberships.enterpriseId, a.enterpriseId), eq(poolMemberships.programCode, call.programCode), inArray(poolMemberships.status,
        [...LIVE_MEMBERSHIP_STATES])))
    if (member != null) throw errors.alreadyInPool()
    await assertNotBarred(tx, a.enterpriseId, now)
    const tier = (a.snapshot as { declaration?: { tierCode?: string } } | null)?.declaration?.tierCode ?? 'below_scale'
    const today = now.toISOString().slice(0, 10)
    const [m] = await tx.insert(poolMemberships).values({
      enterpriseId: a.enterpriseId, programCode: call.programCode, applicationId: a.id,
      tierAtAdmission: tier, currentTier: tier, admittedOn: today, status: ADMITTED_STATE, ...await newTerm(tx, today)
    }).returning()
    membershipId = m.id
    await recordAudit(tx, actor, { action: 'pool.admit', objectType: 'pool_membership', objectId: m.id, after: m })
    await openAdmissionNotice(tx, m, a.id, actor, now)
  }
  await notify(tx, await firmUserIds(tx, a.enterpriseId), 'decision_made', { applicationId: id, callId: a.callId, decision: input.decision })
  return { application: after, membershipId }
}

/**
 * An officer sends the application back for revision with a reason the firm
 * sees; it may be resubmitted within the call's revisionDays (even after the
 * call closed), and the deadline is in the application and the notification.
 */
export async function returnForRevision (db: Db, id: string, reason: string, actor: AuditContext) {
  return await inTransaction(db, async (tx) => await returnIn(tx, id, reason, actor))
}

async function returnIn (tx: Tx, id: string, reason: string, actor: AuditContext) {
  const a = await lockApplication(tx, id)
  const next = transition(a.state as ApplicationState, 'return')
  const [call] = await tx.select({ revisionDays: calls.revisionDays }).from(calls).where(eq(calls.id, a.callId))
  const now = new Date()
  const revisionDueAt = revisionDeadline(now, call.revisionDays)
  // The revision is graded afresh (a new round); the old score no longer stands.
  const [after] = await tx.update(applications).set({
    state: next, returnReason: reason, returnedAt: now, revisionDueAt, score: null, version: a.version + 1, updatedAt: now
  }).where(eq(applications.id, id)).returning()
  await recordAudit(tx, actor, { action: 'application.return', objectType: 'application', objectId: id, before: decisionImage(a), after: decisionImage(after) })
  await notify(tx, await firmUserIds(tx, a.enterpriseId), 'application_returned', { applicationId: id, callId: a.callId, reason, revisionDueAt: revisionDueAt.toISOString(), revisionDays: call.revisionDays })
  return after
}

/**
 * The firm appeals a rejection: once, within policy appeal_window_days of the
 * decision. Officers are told; reviewers are assigned afresh (the first
 * round's reviewers only when nobody else is left). The next decision is
 * final: a second appeal is refused.
 */
export async function appeal (db: Db, user: Principal, id: string, grounds: string, actor: AuditContext, now = new Date()) {
  return await inTransaction(db, async (tx) => await appealIn(tx, user, id, grounds, actor, now))
}

async function appealIn (tx: Tx, user: Principal, id: string, grounds: string, actor: AuditContext, now: Date) {
  const a = await lockApplication(tx, id)
  if (user.role !== 'enterprise' || a.enterpriseId !== user.enterpriseId) throw errors.notFound()
  if (a.appealCount > 0) throw errors.appealUsed()
  const next = transition(a.state as ApplicationState, 'appeal')
  const days = await policyNumber(tx, 'appeal_window_days', 15)
  if (a.decidedAt == null || now.getTime() > a.decidedAt.getTime() + days * DAY_MS) throw errors.appealWindowClosed(days)
  const [appealed] = await tx.update(applications).set({
    state: next, appealGrounds: grounds, appealedAt: now, appealCount: a.appealCount + 1, score: null, version: a.version + 1, updatedAt: now
  }).where(eq(applications.id, id)).returning()
  await recordAudit(tx, actor, { action: 'application.appeal', objectType: 'application', objectId: id, before: decisionImage(a), after: decisionImage(appealed) })
  await notify(tx, await roleUserIds(tx, 'officer'), 'appeal_received', { applicationId: id, callId: a.callId })
  const [call] = await tx.select({ perApplication: calls.reviewersPerApplication }).from(calls).where(eq(calls.id, a.callId))
  const plan = await assignApplications(tx, [appealed], call.perApplication, { ...actor })
  const [after] = await tx.select().from(applications).where(eq(applications.id, id))
  return { application: after, assigned: plan.assigned, short: plan.short }
}
