import { and, asc, between, count, desc, eq, gt, inArray, sql, type SQL } from 'drizzle-orm'
import { type Db, inTransaction } from '../../db/client.ts'
import { declarations, enterprises, poolEvaluations, poolMemberships, policySettings } from '../../db/schema/index.ts'
import { errors } from '../domain/errors.ts'
import type { GateDefinition } from '../domain/eligibility.ts'
import { changesMembership, missingStreak, reevaluateMember, type MemberForReview, type ReevaluationPolicy, type YearDeclaration } from '../domain/reevaluation.ts'
import { recordAudit, type AuditContext } from '../lib/audit.ts'
import { decodeCursor, page } from '../lib/pagination.ts'
import type { ReevaluationReport } from '../../schemas/pool.ts'

export const LIVE_STATUSES = ['notice', 'active', 'warned'] as const
const ALL_STATUSES = ['notice', 'active', 'warned', 'exited', 'revoked']
// Serialises re-evaluation runs (two officers pressing the button at once).
const REEVALUATION_LOCK_KEY = 7_274_005

export interface PoolFilters { program?: string, tier?: string, status?: string }

function statusList (raw: string | undefined): string[] {
  if (raw == null || raw === '') return [...LIVE_STATUSES]
  const list = [...new Set(raw.split(','))]
  const bad = list.find(s => !ALL_STATUSES.includes(s))
  if (bad != null) throw errors.validation([{ field: 'query.status', message: `unknown status ${bad}` }])
  return list
}

function conditions (f: PoolFilters): SQL[] {
  const where: SQL[] = [inArray(poolMemberships.status, statusList(f.status))]
  if (f.program != null) where.push(eq(poolMemberships.programCode, f.program))
  if (f.tier != null) where.push(eq(poolMemberships.currentTier, f.tier))
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
  lastEvaluatedYear: poolMemberships.lastEvaluatedYear
}
export type PoolMember = Omit<{ [K in keyof typeof memberColumns]: (typeof memberColumns)[K]['_']['data'] }, 'status' | 'statusReason' | 'lastEvaluatedYear'> & {
  status: 'notice' | 'active' | 'warned' | 'exited' | 'revoked'
  statusReason: string | null
  lastEvaluatedYear: number | null
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

/** Counts by program, tier and status: what analysts may see of the pool. */
export async function memberAggregates (db: Db, f: PoolFilters) {
  const rows = await db.select({
    program: poolMemberships.programCode, tier: poolMemberships.currentTier, status: poolMemberships.status, members: count()
  }).from(poolMemberships).where(and(...conditions(f)))
    .groupBy(poolMemberships.programCode, poolMemberships.currentTier, poolMemberships.status)
    .orderBy(poolMemberships.programCode, poolMemberships.currentTier, poolMemberships.status)
  return { aggregates: rows, members: rows.reduce((s, r) => s + r.members, 0) }
}

async function readPolicy (db: Db): Promise<ReevaluationPolicy> {
  const rows = await db.select().from(policySettings).where(inArray(policySettings.key, ['pool_exit_missing_years', 'eligibility_gates']))
  const value = (key: string) => rows.find(r => r.key === key)?.value
  const exit = Number(value('pool_exit_missing_years') ?? 2)
  return {
    exitMissingYears: Number.isInteger(exit) && exit >= 1 ? exit : 2,
    gates: (value('eligibility_gates') ?? {}) as Record<string, GateDefinition[]>
  }
}

/**
 * Re-evaluates every active and warned member with `year`'s declarations, in
 * one transaction: the membership changes, one audit entry per change and the
 * run's record commit together. Returns the report.
 */
export async function reevaluatePool (db: Db, year: number, ctx: AuditContext, today = new Date()): Promise<ReevaluationReport> {
  if (year > today.getUTCFullYear()) throw errors.validation([{ field: 'body.year', message: 'must not be in the future' }])
  return await inTransaction(db, async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${REEVALUATION_LOCK_KEY})`)
    const [latest] = await tx.select({ year: poolEvaluations.year }).from(poolEvaluations).orderBy(desc(poolEvaluations.year)).limit(1)
    if (latest != null && year < latest.year) {
      throw errors.invalidState(`evaluated ${latest.year}`, `the pool was already re-evaluated for ${latest.year}; an earlier year cannot be re-run`)
    }
    const policy = await readPolicy(tx)
    const members = await tx.select({
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
      lastEvaluatedYear: poolMemberships.lastEvaluatedYear
    }).from(poolMemberships)
      .innerJoin(enterprises, eq(enterprises.id, poolMemberships.enterpriseId))
      .where(inArray(poolMemberships.status, ['active', 'warned']))
      .orderBy(asc(poolMemberships.id))
      .for('update', { of: poolMemberships })

    // The declarations that matter: the year itself and the years a missing streak can reach back to.
    const firms = [...new Set(members.map(m => m.enterpriseId))]
    const declared = new Map<string, Map<number, YearDeclaration>>()
    for (let i = 0; i < firms.length; i += 5000) {
      const rows = await tx.select({
        enterpriseId: declarations.enterpriseId, year: declarations.year, tierCode: declarations.tierCode,
        operatingRevenue: declarations.operatingRevenue, rdExpense: declarations.rdExpense
      }).from(declarations).where(and(
        inArray(declarations.enterpriseId, firms.slice(i, i + 5000)),
        between(declarations.year, year - policy.exitMissingYears + 1, year)))
      for (const r of rows) {
        let byYear = declared.get(r.enterpriseId)
        if (byYear == null) declared.set(r.enterpriseId, (byYear = new Map()))
        byYear.set(r.year, r)
      }
    }

    const report: ReevaluationReport = { year, evaluated: members.length, promoted: [], demoted: [], warned: [], reinstated: [], exited: [], unchanged: 0 }
    for (const m of members) {
      const member: MemberForReview = { ...m, status: m.status as 'active' | 'warned' }
      const years = declared.get(m.enterpriseId) ?? new Map<number, YearDeclaration>()
      const decl = years.get(year) ?? null
      const streak = decl == null ? missingStreak(year, new Set(years.keys()), m.admittedOn, policy.exitMissingYears) : 0
      const outcome = reevaluateMember(member, year, decl, streak, policy)
      if (!changesMembership(member, outcome)) {
        report.unchanged++
        continue
      }
      const base = { membershipId: m.id, enterpriseId: m.enterpriseId, enterpriseName: m.enterpriseName, program: m.programCode }
      const before = { currentTier: m.currentTier, status: m.status, statusReason: m.statusReason, missingYears: m.missingYears, lastEvaluatedYear: m.lastEvaluatedYear }
      const statusReason = outcome.status == null
        ? m.statusReason
        : outcome.status.reason === 'failed_gates'
          ? `failed gates in ${year}: ${outcome.failedGates.map(g => g.gate).join(', ')}`
          : outcome.status.reason === 'declared_again' ? null : `no declaration for ${outcome.missingYears} year(s) up to ${year}`
      const after = {
        currentTier: outcome.tier?.to ?? m.currentTier,
        status: outcome.status?.to ?? m.status,
        statusReason,
        missingYears: outcome.missingYears,
        lastEvaluatedYear: year
      }
      await tx.update(poolMemberships).set({ ...after, updatedAt: new Date() }).where(eq(poolMemberships.id, m.id))
      const audit = async (action: string) => await recordAudit(tx, ctx, { action, objectType: 'pool_membership', objectId: m.id, before, after: { ...after, year } })
      if (outcome.tier != null) {
        report[outcome.tier.change].push({ ...base, from: outcome.tier.from, to: outcome.tier.to })
        await audit(outcome.tier.change === 'promoted' ? 'pool.promote' : 'pool.demote')
      }
      if (outcome.status?.to === 'exited') {
        const reason = outcome.status.reason === 'failed_gates' ? 'failed_gates' : 'missing_declarations'
        report.exited.push({
          ...base, reason, missingYears: outcome.missingYears,
          failedGates: outcome.failedGates.map(g => ({ gate: g.gate, message: g.message, required: g.required, actual: g.actual }))
        })
        await audit('pool.exit')
      } else if (outcome.status?.to === 'warned') {
        report.warned.push({ ...base, missingYears: outcome.missingYears })
        await audit('pool.warn')
      } else if (outcome.status?.to === 'active') {
        report.reinstated.push(base)
        await audit('pool.reinstate')
      } else if (outcome.tier == null) {
        // Only the missing-year count moved (a warned member missing another year below the exit threshold).
        report.warned.push({ ...base, missingYears: outcome.missingYears })
        await audit('pool.warn')
      }
    }
    const changes = report.promoted.length + report.demoted.length + report.warned.length + report.reinstated.length + report.exited.length
    const [run] = await tx.insert(poolEvaluations).values({ year, runBy: ctx.actorId, changes, report }).returning({ id: poolEvaluations.id })
    await recordAudit(tx, ctx, { action: 'pool.reevaluate', objectType: 'pool_evaluation', objectId: String(run.id), after: { year, evaluated: report.evaluated, changes, unchanged: report.unchanged } })
    return report
  })
}
