import { and, asc, between, count, desc, eq, gt, inArray, lt, sql, type SQL } from 'drizzle-orm'
import { type Db, type Tx, inTransaction } from '../../db/client.ts'
import {
  declarations, enterprises, poolEvaluations, poolMemberships, poolReevaluations, programs, publicNotices
} from '../../db/schema/index.ts'
import { noticeTransition, type NoticeState } from '../domain/notice-state.ts'
import { evaluateEligibility, type EligibilityGates, type FailedGate } from '../domain/eligibility.ts'
import { errors } from '../domain/errors.ts'
import {
  ADMITTED_STATE, GRADUATED_INTO_STATE, LIVE_MEMBERSHIP_STATES, MEMBERSHIP_STATES, REVIEWED_MEMBERSHIP_STATES, addYears, isMembershipState,
  membershipAdvice, membershipTransition, termEnd,
  type MembershipEvent, type MembershipNews, type MembershipState, type ReviewedMembershipState
} from '../domain/membership-state.ts'
import {
  computeReevaluation, nextReevaluationState, reevaluationFingerprint,
  type ChangeCounts, type MembershipChange, type MembershipUpdate, type MemberForReview, type PoolPolicy, type ReevaluationInput, type YearDeclaration
} from '../domain/reevaluation.ts'
import { recordAudit, type AuditContext } from '../lib/audit.ts'
import { decodeCursor, page } from '../lib/pagination.ts'
import { firmUserIds, notify } from './notifications.ts'
import { openAdmissionNotice } from './notices.ts'
import { integerPolicy, policyNumber, policyValues } from './policy.ts'

export const LIVE_STATUSES = LIVE_MEMBERSHIP_STATES
// Serialises re-evaluation runs (two officers pressing the button at once).
const REEVALUATION_LOCK_KEY = 7_274_005
const SYSTEM: AuditContext = { actorId: null, actorRole: 'system', requestId: null }
const DAY_MS = 24 * 3600 * 1000
const isoDay = (d: Date): string => d.toISOString().slice(0, 10)

export interface PoolFilters { program?: string, tier?: string, status?: string, direct?: boolean }

function statusList (raw: string | undefined): string[] {
  if (raw == null || raw === '') return [...LIVE_STATUSES]
  const list = [...new Set(raw.split(','))]
  const bad = list.find(s => !isMembershipState(s))
  if (bad != null) throw errors.validation([{ field: 'query.status', message: `unknown status ${bad} (one of ${MEMBERSHIP_STATES.join(', ')})` }])
  return list
}

function conditions (f: PoolFilters): SQL[] {
  const where: SQL[] = [inArray(poolMemberships.status, statusList(f.status))]
  if (f.program != null) where.push(eq(poolMemberships.programCode, f.program))
  if (f.tier != null) where.push(eq(poolMemberships.currentTier, f.tier))
  if (f.direct != null) where.push(eq(poolMemberships.direct, f.direct))
  return where
}

const memberColumns = {
  id: poolMemberships.id,
  enterpriseId: poolMemberships.enterpriseId,
  enterpriseName: enterprises.name,
  uscc: enterprises.uscc,
  program: poolMemberships.programCode,
  tierAtAdmission: poolMemberships.tierAtAdmission,
  currentTier: poolMemberships.currentTier,
  status: poolMemberships.status,
  statusReason: poolMemberships.statusReason,
  missingYears: poolMemberships.missingYears,
  admittedOn: poolMemberships.admittedOn,
  lastEvaluatedYear: poolMemberships.lastEvaluatedYear,
  validFrom: poolMemberships.validFrom,
  validUntil: poolMemberships.validUntil,
  direct: poolMemberships.direct,
  admissionBasis: poolMemberships.admissionBasis,
  barredUntil: poolMemberships.barredUntil
}
export type PoolMember = Omit<{ [K in keyof typeof memberColumns]: (typeof memberColumns)[K]['_']['data'] }, 'status' | 'statusReason' | 'lastEvaluatedYear' | 'admissionBasis' | 'barredUntil'> & {
  status: MembershipState
  statusReason: string | null
  lastEvaluatedYear: number | null
  admissionBasis: string | null
  barredUntil: string | null
}

/** Members with the firm's name, keyset-paged by membership id; `limit` null = all (CSV). */
export async function listMembers (db: Db, f: PoolFilters, limit: number | null, cursor?: string) {
  const after = decodeCursor<{ id: string }>(cursor, ['id'])
  const where = conditions(f)
  if (after != null) where.push(gt(poolMemberships.id, after.id))
  const q = db.select(memberColumns).from(poolMemberships)
    .innerJoin(enterprises, eq(enterprises.id, poolMemberships.enterpriseId))
    .where(and(...where)).orderBy(asc(poolMemberships.id))
  const rows = (limit == null ? await q : await q.limit(limit + 1)) as PoolMember[]
  return limit == null ? { items: rows, nextCursor: null } : page(rows, limit, r => ({ id: r.id }))
}

/** Counts by program, tier, status and route (direct or by call): what analysts may see of the pool. */
export async function memberAggregates (db: Db, f: PoolFilters) {
  const rows = await db.select({
    program: poolMemberships.programCode, tier: poolMemberships.currentTier, status: poolMemberships.status, direct: poolMemberships.direct, members: count()
  }).from(poolMemberships).where(and(...conditions(f)))
    .groupBy(poolMemberships.programCode, poolMemberships.currentTier, poolMemberships.status, poolMemberships.direct)
    .orderBy(poolMemberships.programCode, poolMemberships.currentTier, poolMemberships.status, poolMemberships.direct)
  return { aggregates: rows, members: rows.reduce((s, r) => s + r.members, 0) }
}

// ---------------------------------------------------------------------------
// Policy.

export interface DirectRoute { basis: string, nameZh?: string, nameEn?: string, conditions: EligibilityGates[string] }

const POLICY_KEYS = ['membership_term_years', 'pool_exit_failed_reviews', 'pool_exit_missing_years', 'eligibility_gates', 'graduation_paths'] as const

/** The policy a re-evaluation reads (policy_settings; defaults when a key is missing). */
export async function readPoolPolicy (db: Db): Promise<PoolPolicy> {
  const v = await policyValues(db, POLICY_KEYS)
  const paths = v.get('graduation_paths')
  return {
    termYears: integerPolicy(v.get('membership_term_years'), 3, 1, 20),
    exitAfterFailures: integerPolicy(v.get('pool_exit_failed_reviews') ?? v.get('pool_exit_missing_years'), 2, 1, 10),
    gates: (v.get('eligibility_gates') ?? {}) as EligibilityGates,
    graduationPaths: paths != null && typeof paths === 'object' && !Array.isArray(paths)
      ? Object.fromEntries(Object.entries(paths as Record<string, unknown>).filter((e): e is [string, string] => typeof e[1] === 'string'))
      : { startup: 'innovative_growth', innovative_growth: 'leading_platform' }
  }
}

// ---------------------------------------------------------------------------
// Re-evaluation: preview, then apply.

/**
 * Everything a re-evaluation of `year` rests on, read in `tx`: the active and
 * warned members, their firms' declarations for the years a failure streak
 * can reach, and the programs each firm holds. With `lock`, the member rows
 * are locked for update and the declarations for share until the end of
 * `tx` (apply); a preview reads without locks.
 */
export async function loadReevaluationInput (tx: Db, year: number, policy: PoolPolicy, today: string, lock = false): Promise<ReevaluationInput> {
  const q = tx.select({
    id: poolMemberships.id,
    enterpriseId: poolMemberships.enterpriseId,
    enterpriseName: enterprises.name,
    programCode: poolMemberships.programCode,
    currentTier: poolMemberships.currentTier,
    status: poolMemberships.status,
    statusReason: poolMemberships.statusReason,
    missingYears: poolMemberships.missingYears,
    admittedOn: poolMemberships.admittedOn,
    foundedOn: enterprises.foundedOn,
    validFrom: poolMemberships.validFrom,
    validUntil: poolMemberships.validUntil
  }).from(poolMemberships)
    .innerJoin(enterprises, eq(enterprises.id, poolMemberships.enterpriseId))
    .where(inArray(poolMemberships.status, [...REVIEWED_MEMBERSHIP_STATES]))
    .orderBy(asc(poolMemberships.id))
  const rows = lock ? await q.for('update', { of: poolMemberships }) : await q
  const members: MemberForReview[] = rows.map(r => ({ ...r, status: r.status as ReviewedMembershipState }))

  const firms = [...new Set(members.map(m => m.enterpriseId))]
  const declared = new Map<string, Map<number, YearDeclaration>>()
  const livePrograms = new Map<string, Set<string>>()
  for (let i = 0; i < firms.length; i += 5000) {
    const chunk = firms.slice(i, i + 5000)
    const dq = tx.select({
      enterpriseId: declarations.enterpriseId, year: declarations.year, tierCode: declarations.tierCode,
      operatingRevenue: declarations.operatingRevenue, rdExpense: declarations.rdExpense
    }).from(declarations).where(and(inArray(declarations.enterpriseId, chunk), between(declarations.year, year - policy.exitAfterFailures + 1, year)))
      .orderBy(asc(declarations.enterpriseId), asc(declarations.year))
    for (const r of lock ? await dq.for('share') : await dq) {
      let byYear = declared.get(r.enterpriseId)
      if (byYear == null) declared.set(r.enterpriseId, (byYear = new Map()))
      byYear.set(r.year, { tierCode: r.tierCode, operatingRevenue: r.operatingRevenue, rdExpense: r.rdExpense })
    }
    const live = await tx.select({ enterpriseId: poolMemberships.enterpriseId, program: poolMemberships.programCode }).from(poolMemberships)
      .where(and(inArray(poolMemberships.enterpriseId, chunk), inArray(poolMemberships.status, [...LIVE_MEMBERSHIP_STATES])))
    for (const r of live) {
      let set = livePrograms.get(r.enterpriseId)
      if (set == null) livePrograms.set(r.enterpriseId, (set = new Set()))
      set.add(r.program)
    }
  }
  return { year, today, members, declarations: declared, livePrograms, policy }
}

type ReevaluationRow = typeof poolReevaluations.$inferSelect

export function reevaluationView (r: ReevaluationRow) {
  return {
    id: r.id,
    year: r.year,
    state: r.state as 'previewed' | 'applied',
    evaluated: r.evaluated,
    unchanged: r.unchanged,
    counts: r.counts as ChangeCounts,
    changes: r.changes as MembershipChange[],
    createdAt: r.createdAt.toISOString(),
    appliedAt: r.appliedAt?.toISOString() ?? null
  }
}
export type ReevaluationView = ReturnType<typeof reevaluationView>

async function lastAppliedYear (tx: Db): Promise<number | null> {
  const [latest] = await tx.select({ year: poolEvaluations.year }).from(poolEvaluations).orderBy(desc(poolEvaluations.year)).limit(1)
  return latest?.year ?? null
}

async function refuseEarlierYear (tx: Db, year: number): Promise<void> {
  const latest = await lastAppliedYear(tx)
  if (latest != null && year < latest) {
    throw errors.invalidState(`evaluated ${latest}`, `the pool was already re-evaluated for ${latest}; an earlier year cannot be re-run`)
  }
}

/**
 * Computes the whole report for `year` and stores it as a preview. Changes
 * nothing in the pool; a year may be previewed any number of times.
 */
export async function previewReevaluation (db: Db, year: number, ctx: AuditContext, now = new Date()): Promise<ReevaluationView> {
  return await inTransaction(db, async (tx) => await previewIn(tx, year, ctx, now))
}

async function previewIn (tx: Tx, year: number, ctx: AuditContext, now: Date): Promise<ReevaluationView> {
  if (year > now.getUTCFullYear()) throw errors.validation([{ field: 'body.year', message: 'must not be in the future' }])
  await refuseEarlierYear(tx, year)
  const policy = await readPoolPolicy(tx)
  const input = await loadReevaluationInput(tx, year, policy, isoDay(now))
  const result = computeReevaluation(input)
  const [row] = await tx.insert(poolReevaluations).values({
    year, fingerprint: reevaluationFingerprint(input), evaluated: result.evaluated, unchanged: result.unchanged,
    counts: result.counts, changes: result.changes, updates: result.updates, createdBy: ctx.actorId, createdAt: now
  }).returning()
  await recordAudit(tx, ctx, { action: 'pool.reevaluation.preview', objectType: 'pool_reevaluation', objectId: row.id, after: { year, evaluated: result.evaluated, counts: result.counts } })
  return reevaluationView(row)
}

export async function getReevaluation (db: Db, id: string): Promise<ReevaluationView> {
  const [row] = await db.select().from(poolReevaluations).where(eq(poolReevaluations.id, id))
  if (row == null) throw errors.notFound()
  return reevaluationView(row)
}

const AUDIT_ACTION: Record<MembershipEvent, string> = {
  activate: 'pool.activate', uphold_objection: 'pool.revoke', renew: 'pool.renew', warn: 'pool.warn', exit: 'pool.exit',
  graduate: 'pool.graduate', expire: 'pool.expire', revoke: 'pool.revoke', retier: 'pool.retier'
}

type MembershipRow = typeof poolMemberships.$inferSelect
const membershipImage = (m: Pick<MembershipRow, 'status' | 'statusReason' | 'currentTier' | 'missingYears' | 'lastEvaluatedYear' | 'validFrom' | 'validUntil'>) => ({
  status: m.status, statusReason: m.statusReason, currentTier: m.currentTier, missingYears: m.missingYears,
  lastEvaluatedYear: m.lastEvaluatedYear, validFrom: m.validFrom, validUntil: m.validUntil
})

/** Tells the firm's accounts about a change of one of its memberships, with the reason and what it can do. */
export async function notifyMembershipChange (tx: Db, enterpriseId: string, news: {
  membershipId: string, program: string, kind: MembershipNews, reason: string, reasonZh?: string, from?: string, to?: string,
  validUntil?: string | null, appealBy?: string, barredUntil?: string | null, dedupeKey?: string
}): Promise<void> {
  const [advice, adviceZh] = membershipAdvice(news.kind, news)
  const { dedupeKey, ...payload } = news
  await notify(tx, await firmUserIds(tx, enterpriseId), 'membership_changed', { ...payload, advice, adviceZh }, dedupeKey != null ? { dedupeKey } : {})
}

/**
 * Applies exactly the stored report, once: refused with 409 STALE_PREVIEW if
 * the members, declarations or policy it was computed from changed since.
 * Applying an applied report returns it and changes nothing.
 */
export async function applyReevaluation (db: Db, id: string, ctx: AuditContext, now = new Date()): Promise<ReevaluationView> {
  return await inTransaction(db, async (tx) => await applyIn(tx, id, ctx, now))
}

async function applyIn (tx: Tx, id: string, ctx: AuditContext, now: Date): Promise<ReevaluationView> {
  await tx.execute(sql`select pg_advisory_xact_lock(${REEVALUATION_LOCK_KEY})`)
  const [report] = await tx.select().from(poolReevaluations).where(eq(poolReevaluations.id, id)).for('update')
  if (report == null) throw errors.notFound()
  const next = nextReevaluationState(report.state as 'previewed' | 'applied', 'apply')
  if (next == null) return reevaluationView(report)
  await refuseEarlierYear(tx, report.year)
  const policy = await readPoolPolicy(tx)
  const input = await loadReevaluationInput(tx, report.year, policy, isoDay(now), true)
  if (reevaluationFingerprint(input) !== report.fingerprint) throw errors.stalePreview()

  const changesOf = new Map<string, MembershipChange[]>()
  for (const c of report.changes as MembershipChange[]) changesOf.set(c.membershipId, [...(changesOf.get(c.membershipId) ?? []), c])
  for (const u of report.updates as MembershipUpdate[]) {
    const [before] = await tx.select().from(poolMemberships).where(eq(poolMemberships.id, u.membershipId))
    const after = {
      status: u.status, statusReason: u.statusReason, currentTier: u.currentTier, missingYears: u.missingYears,
      lastEvaluatedYear: u.lastEvaluatedYear, validFrom: u.validFrom, validUntil: u.validUntil
    }
    // The domain computed `after` through the state machine; check it against the row once more.
    let state = before.status as MembershipState
    for (const e of u.events) state = membershipTransition(state, e)
    if (state !== u.status) throw errors.stalePreview()
    await tx.update(poolMemberships).set({ ...after, updatedAt: now }).where(eq(poolMemberships.id, u.membershipId))
    for (const action of u.events.length === 0 ? ['pool.review'] : u.events.map(e => AUDIT_ACTION[e])) {
      await recordAudit(tx, ctx, { action, objectType: 'pool_membership', objectId: u.membershipId, before: membershipImage(before), after: { ...after, reevaluationId: id } })
    }
    if (u.graduateTo != null) {
      const [m] = await tx.insert(poolMemberships).values({
        enterpriseId: u.enterpriseId, programCode: u.graduateTo.program, tierAtAdmission: u.graduateTo.tier, currentTier: u.graduateTo.tier,
        admittedOn: isoDay(now), status: GRADUATED_INTO_STATE, statusReason: `Graduated from ${before.programCode} (re-evaluation of ${report.year})`,
        validFrom: u.graduateTo.validFrom, validUntil: u.graduateTo.validUntil, graduatedFrom: u.membershipId, lastEvaluatedYear: report.year
      }).returning()
      await recordAudit(tx, ctx, { action: 'pool.admit_graduate', objectType: 'pool_membership', objectId: m.id, after: { ...m, reevaluationId: id } })
    }
    for (const c of changesOf.get(u.membershipId) ?? []) {
      await notifyMembershipChange(tx, u.enterpriseId, {
        membershipId: c.membershipId, program: c.program, kind: c.kind, reason: c.reason, reasonZh: c.reasonZh, from: c.from, to: c.to,
        validUntil: c.validUntil ?? u.validUntil, dedupeKey: `reevaluation:${id}:${c.membershipId}:${c.kind}`
      })
    }
  }
  const [applied] = await tx.update(poolReevaluations).set({ state: next, appliedBy: ctx.actorId, appliedAt: now }).where(eq(poolReevaluations.id, id))
    .returning()
  const changes = (report.changes as MembershipChange[]).length
  await tx.insert(poolEvaluations).values({
    year: report.year, runBy: ctx.actorId, runAt: now, changes, report: {
      reevaluationId: id,
      counts: report.counts, evaluated: report.evaluated
    }
  })
  await recordAudit(tx, ctx, {
    action: 'pool.reevaluate', objectType: 'pool_reevaluation', objectId: id,
    before: { state: report.state }, after: { state: next, year: report.year, evaluated: report.evaluated, changes, counts: report.counts }
  })
  return reevaluationView(applied)
}

/** The original one-step re-evaluation: a preview applied at once (both recorded). */
export async function reevaluatePool (db: Db, year: number, ctx: AuditContext, now = new Date()): Promise<ReevaluationView> {
  return await inTransaction(db, async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${REEVALUATION_LOCK_KEY})`)
    const preview = await previewIn(tx, year, ctx, now)
    return await applyIn(tx, preview.id, ctx, now)
  })
}

// ---------------------------------------------------------------------------
// Expiry (the chores timer).

/**
 * Every active or warned membership whose term ended before `now`'s day
 * becomes `expired`, and the firm is told. Idempotent (an expired membership
 * is final); returns the memberships expired.
 */
export async function expireMemberships (db: Db, now: Date): Promise<string[]> {
  const today = isoDay(now)
  const due = await db.select({ id: poolMemberships.id }).from(poolMemberships)
    .where(and(inArray(poolMemberships.status, [...REVIEWED_MEMBERSHIP_STATES]), lt(poolMemberships.validUntil, today)))
    .orderBy(asc(poolMemberships.validUntil), asc(poolMemberships.id))
  const expired: string[] = []
  for (const { id } of due) {
    await inTransaction(db, async (tx) => {
      const [m] = await tx.select().from(poolMemberships).where(eq(poolMemberships.id, id)).for('update')
      if (!(REVIEWED_MEMBERSHIP_STATES as readonly string[]).includes(m.status) || m.validUntil >= today) return
      const reason = `The term ended on ${m.validUntil} without a passed re-review`
      const status = membershipTransition(m.status as MembershipState, 'expire')
      const [after] = await tx.update(poolMemberships).set({ status, statusReason: reason, updatedAt: now }).where(eq(poolMemberships.id, id)).returning()
      await recordAudit(tx, SYSTEM, { action: 'pool.expire', objectType: 'pool_membership', objectId: id, before: membershipImage(m), after: membershipImage(after) })
      await notifyMembershipChange(tx, m.enterpriseId, {
        membershipId: id, program: m.programCode, kind: 'expired', from: m.status, to: status, reason,
        reasonZh: `有效期已于 ${m.validUntil} 届满,未通过复核;可再次申报`, validUntil: m.validUntil, dedupeKey: `membership:${id}:expired`
      })
      expired.push(id)
    })
  }
  return expired
}

// ---------------------------------------------------------------------------
// Bars, direct admission, revocation.

/** The day a revocation bar on the firm ends (it may apply from then on), or null when it is not barred on `today`. */
export async function barEnd (tx: Db, enterpriseId: string, today: string): Promise<string | null> {
  const [row] = await tx.select({ until: sql<string | null>`max(${poolMemberships.barredUntil})::text` }).from(poolMemberships)
    .where(and(eq(poolMemberships.enterpriseId, enterpriseId), gt(poolMemberships.barredUntil, today)))
  return row?.until ?? null
}

/** 409 APPLICANT_BARRED, with the day the bar ends, when a revocation bars the firm. */
export async function assertNotBarred (tx: Db, enterpriseId: string, now = new Date()): Promise<void> {
  const until = await barEnd(tx, enterpriseId, isoDay(now))
  if (until != null) throw errors.applicantBarred(until)
}

/** The term a new membership gets from `from` (policy membership_term_years). */
export async function newTerm (tx: Db, from: string): Promise<{ validFrom: string, validUntil: string }> {
  const years = integerPolicy(await policyNumber(tx, 'membership_term_years', 3), 3, 1, 20)
  return { validFrom: from, validUntil: termEnd(from, years) }
}

export interface DirectRouteFailure { condition: string, message: string, messageZh: string, required?: string | number, actual?: string | number | null }

const gateFailure = (g: FailedGate): DirectRouteFailure => ({
  condition: g.gate, message: g.message, messageZh: g.messageZh, required: g.required,
  actual: g.actual
})

export async function directRoutes (tx: Db): Promise<Record<string, DirectRoute[]>> {
  const v = (await policyValues(tx, ['direct_routes'])).get('direct_routes')
  return v != null && typeof v === 'object' && !Array.isArray(v) ? v as Record<string, DirectRoute[]> : {}
}

/**
 * Direct admission (直通): an officer admits a firm to a program without a
 * call when one of the program's direct routes (policy direct_routes) holds
 * on the firm's latest declaration. Like any admission it starts under
 * public notice. Otherwise 409 NOT_ELIGIBLE_FOR_DIRECT_ROUTE naming every
 * failed condition.
 */
export async function admitDirectly (tx: Tx, input: { enterpriseId: string, program: string, basis: string, reason: string }, ctx: AuditContext,
  now = new Date()) {
  const [program] = await tx.select({ code: programs.code }).from(programs).where(eq(programs.code, input.program))
  if (program == null) throw errors.unknownReference('program', input.program)
  const [firm] = await tx.select().from(enterprises).where(eq(enterprises.id, input.enterpriseId)).for('update')
  if (firm == null) throw errors.unknownReference('enterpriseId', input.enterpriseId)
  await assertNotBarred(tx, firm.id, now)
  const [live] = await tx.select({ id: poolMemberships.id }).from(poolMemberships)
    .where(and(eq(poolMemberships.enterpriseId, firm.id), eq(poolMemberships.programCode, input.program), inArray(poolMemberships.status,
      [...LIVE_MEMBERSHIP_STATES])))
  if (live != null) throw errors.alreadyInPool()

  const routes = (await directRoutes(tx))[input.program] ?? []
  const route = routes.find(r => r.basis === input.basis)
  if (route == null) {
    const known = routes.map(r => r.basis)
    throw errors.notEligibleForDirectRoute([{
      condition: 'basis',
      message: known.length === 0 ? `${input.program} has no direct route` : `${input.program} has no direct route ${input.basis} (routes: ${known.join(', ')})`,
      messageZh: known.length === 0 ? `${input.program} 计划未设直通条件` : `${input.program} 计划无 ${input.basis} 直通条件(可用:${known.join('、')})`,
      required: known.join(', '), actual: input.basis
    }])
  }
  const [latest] = await tx.select().from(declarations).where(eq(declarations.enterpriseId, firm.id)).orderBy(desc(declarations.year)).limit(1)
  if (latest == null) {
    throw errors.notEligibleForDirectRoute([{ condition: 'declaration', message: 'The firm has not declared any annual figures', messageZh: '企业尚未填报年度经营数据' }])
  }
  const { passed, failedGates } = evaluateEligibility(route.conditions ?? [], {
    callYear: now.getUTCFullYear(), foundedOn: firm.foundedOn, tierCode: latest.tierCode, operatingRevenue: latest.operatingRevenue, rdExpense: latest.rdExpense
  })
  if (!passed) throw errors.notEligibleForDirectRoute(failedGates.map(gateFailure))

  const today = isoDay(now)
  const [m] = await tx.insert(poolMemberships).values({
    enterpriseId: firm.id, programCode: input.program, tierAtAdmission: latest.tierCode, currentTier: latest.tierCode, admittedOn: today,
    status: ADMITTED_STATE, statusReason: `Direct admission (${input.basis}): ${input.reason}`, direct: true, admissionBasis: input.basis,
    ...await newTerm(tx, today)
  }).returning()
  await recordAudit(tx, ctx, { action: 'pool.admit_direct', objectType: 'pool_membership', objectId: m.id, after: { ...m, declarationYear: latest.year } })
  const notice = await openAdmissionNotice(tx, m, null, ctx, now)
  await notifyMembershipChange(tx, firm.id, {
    membershipId: m.id, program: m.programCode, kind: 'admitted', to: 'notice', validUntil: m.validUntil,
    reason: `Admitted directly to ${m.programCode} (${input.basis}): ${input.reason}`, reasonZh: `经直通方式(${route.nameZh ?? input.basis})入库 ${m.programCode}:${input.reason}`
  })
  return { membership: await membershipById(tx, m.id), noticeId: notice.id, noticeEndsAt: notice.endsAt.toISOString() }
}

export async function membershipById (db: Db, id: string): Promise<PoolMember> {
  const [row] = await db.select(memberColumns).from(poolMemberships).innerJoin(enterprises, eq(enterprises.id, poolMemberships.enterpriseId))
    .where(eq(poolMemberships.id, id))
  if (row == null) throw errors.notFound()
  return row as PoolMember
}

/**
 * An officer revokes a live membership (falsified data, serious incidents,
 * dishonest conduct): `revoked`, a notice still running is revoked too, and
 * the firm may not apply to any call for `barYears` (policy
 * revocation_bar_years). The firm is told why, and until when it may appeal.
 */
export async function revokeMembership (db: Db, id: string, input: { reason: string, barYears?: number }, ctx: AuditContext, now = new Date()) {
  return await inTransaction(db, async (tx) => await revokeIn(tx, id, input, ctx, now))
}

async function revokeIn (tx: Tx, id: string, input: { reason: string, barYears?: number }, ctx: AuditContext, now: Date) {
  const [m] = await tx.select().from(poolMemberships).where(eq(poolMemberships.id, id)).for('update')
  if (m == null) throw errors.notFound()
  const status = membershipTransition(m.status as MembershipState, 'revoke')
  const barYears = input.barYears ?? integerPolicy(await policyNumber(tx, 'revocation_bar_years', 3), 3, 0, 20)
  const today = isoDay(now)
  const barredUntil = barYears > 0 ? addYears(today, barYears) : null
  const statusReason = `Revoked: ${input.reason}`
  const [after] = await tx.update(poolMemberships).set({ status, statusReason, barredUntil, updatedAt: now }).where(eq(poolMemberships.id, id)).returning()
  await recordAudit(tx, ctx, { action: 'pool.revoke', objectType: 'pool_membership', objectId: id, before: { ...membershipImage(m), barredUntil: m.barredUntil }, after: { ...membershipImage(after), barredUntil, barYears } })
  const [notice] = await tx.select().from(publicNotices).where(and(eq(publicNotices.membershipId, id), eq(publicNotices.status, 'open'))).for('update')
  if (notice != null) {
    const noticeStatus = noticeTransition(notice.status as NoticeState, 'revoke')
    await tx.update(publicNotices).set({ status: noticeStatus }).where(eq(publicNotices.id, notice.id))
    await recordAudit(tx, ctx, { action: 'notice.revoke', objectType: 'public_notice', objectId: notice.id, before: { status: notice.status }, after: { status: noticeStatus } })
  }
  const appealDays = await policyNumber(tx, 'appeal_window_days', 15)
  await notifyMembershipChange(tx, m.enterpriseId, {
    membershipId: id, program: m.programCode, kind: 'revoked', from: m.status, to: status, reason: statusReason,
    reasonZh: `培育资格已撤销:${input.reason}`, appealBy: isoDay(new Date(now.getTime() + appealDays * DAY_MS)), barredUntil
  })
  return await membershipById(tx, id)
}
