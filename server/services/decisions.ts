import { and, eq, inArray, sql } from 'drizzle-orm'
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

/** Locks the call's row (serialising its decisions) and returns its quota. */
async function lockCallQuota (tx: Db, callId: string): Promise<number | null> {
  const [call] = await tx.select({ quota: calls.quota }).from(calls).where(eq(calls.id, callId)).for('update')
  return call?.quota ?? null
}

/** Admissions the call has made that still stand. */
async function admittedCount (tx: Db, callId: string): Promise<number> {
  const [{ n }] = await tx.select({ n: sql<number>`count(*)::int` }).from(applications)
    .where(and(eq(applications.callId, callId), eq(applications.state, 'admitted')))
  return Number(n)
}

export interface BatchDecision { applicationId: string, decision: 'admit' | 'reject', reason?: string }

/**
 * The commission's meeting decides a call at once: every decision, or none.
 * Each one is the single decision (decide: same checks, same audit entries,
 * same membership and notice); admissions beyond the call's quota are 409
 * QUOTA_EXCEEDED before anything is written. The caller's transaction rolls
 * everything back when any one fails.
 */
export async function decideBatch (db: Db, callId: string, items: BatchDecision[], actor: AuditContext, now = new Date()) {
  return await inTransaction(db, async (tx) => await decideBatchIn(tx, callId, items, actor, now))
}

async function decideBatchIn (tx: Tx, callId: string, items: BatchDecision[], actor: AuditContext, now: Date) {
  const quota = await lockCallQuotaOrNotFound(tx, callId)
  const ids = items.map(i => i.applicationId)
  const twice = ids.map((id, i) => ({ id, i })).filter(({ id, i }) => ids.indexOf(id) !== i)
  if (twice.length > 0) throw errors.validation(twice.map(({ id, i }) => ({ field: `body.decisions/${i}/applicationId`, message: `${id} is decided twice in this batch` })))
  const rows = ids.length === 0
    ? []
    : await tx.select({ id: applications.id }).from(applications)
      .where(and(eq(applications.callId, callId), inArray(applications.id, ids)))
  const ofCall = new Set(rows.map(r => r.id))
  const foreign = items.map((item, i) => ({ item, i })).filter(({ item }) => !ofCall.has(item.applicationId))
  if (foreign.length > 0) throw errors.validation(foreign.map(({ item, i }) => ({ field: `body.decisions/${i}/applicationId`, message: `${item.applicationId} is not an application of this call` })))
  const admits = items.filter(i => i.decision === 'admit').length
  if (quota != null) {
    const admitted = await admittedCount(tx, callId)
    if (admitted + admits > quota) throw errors.quotaExceeded(quota, admitted + admits)
  }
  const decided = []
  for (const item of items) decided.push(await decideIn(tx, item.applicationId, item, actor, now))
  return { decided, admitted: admits, rejected: items.length - admits }
}

async function lockCallQuotaOrNotFound (tx: Db, callId: string): Promise<number | null> {
  const [call] = await tx.select({ id: calls.id, quota: calls.quota }).from(calls).where(eq(calls.id, callId)).for('update')
  if (call == null) throw errors.notFound()
  return call.quota ?? null
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
  // The call first, then the application: every decision of a call takes the
  // call's row lock in this order, so the quota count below is exact.
  const [ref] = await tx.select({ callId: applications.callId }).from(applications).where(eq(applications.id, id))
  if (ref == null) throw errors.notFound()
  const quota = await lockCallQuota(tx, ref.callId)
  const a = await lockApplication(tx, id)
  if (input.decision === 'admit' && quota != null) {
    const admitted = await admittedCount(tx, a.callId)
    if (admitted + 1 > quota) throw errors.quotaExceeded(quota, admitted + 1)
  }
  const next = transition(a.state as ApplicationState, input.decision)
  const score = a.score as { pass?: boolean, total?: string } | null
  const pass = score?.pass === true
  const override = (input.decision === 'admit') !== pass
  const reason = input.reason?.trim() ?? ''
  if (override && reason === '') {
    const message = input.decision === 'admit'
      ? 'admitting an application that did not pass overrides the rubric: give a reason'
      : 'rejecting an application that passed overrides the rubric: give a reason'
    throw errors.validation([{ field: 'body.reason', message }])
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
