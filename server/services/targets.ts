import { asc, inArray } from 'drizzle-orm'
import { type Db, inTransaction } from '../../db/client.ts'
import { districts, domains, planTargets } from '../../db/schema/index.ts'
import { errors } from '../domain/errors.ts'
import {
  evaluateTarget, MEASURE_UNITS, targetProblems, type Comparator, type MeasureInputs, type TargetInput, type TargetMeasure, type TierSums
} from '../domain/targets.ts'
import { recordAudit, type AuditContext } from '../lib/audit.ts'
import { districtDomainShares, districtSums, primaryDomainShares, tierSums } from './analytics.ts'

/**
 * The plan's targets (plan_targets): the stored set, its report for a year
 * against the analytics rollup (tierSums), for the city or broken down to the
 * districts (层层分解), and the administrators' replacement. The rule a set
 * must meet is targetProblems (server/domain/targets.ts).
 */

export type PlanTargetRow = typeof planTargets.$inferSelect

/** A stored goal ("0.5000", "25.0000") without trailing zeros: "0.5", "25". */
export function plainDecimal (s: string): string {
  return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s
}

export function targetView (t: PlanTargetRow) {
  return {
    key: t.key,
    measure: t.measure,
    tierCode: t.tierCode ?? null,
    comparator: t.comparator as Comparator,
    goal: plainDecimal(t.goal),
    unit: t.unit,
    dueYear: t.dueYear,
    labelZh: t.labelZh,
    labelEn: t.labelEn,
    district: t.districtCode ?? null,
    domains: t.domains ?? null
  }
}
type TargetView = ReturnType<typeof targetView>

export async function listTargets (db: Db) {
  return (await db.select().from(planTargets).orderBy(asc(planTargets.dueYear), asc(planTargets.id))).map(targetView)
}

function evaluateAll (targets: TargetView[], sums: TierSums[], inputs: MeasureInputs) {
  return targets.map(t => {
    const r = evaluateTarget(t, sums, inputs)
    return { ...t, ...r, suppressed: r.suppressed ?? false }
  })
}

export interface TargetsReportQuery {
  year: number
  /** One district's own targets against its own figures. */
  district?: string
  /** Every district's own targets side by side, beside the city's. */
  byDistrict?: boolean
  /** The reader may see single firms (officers, administrators): exact district figures; else the protected table's. */
  exact: boolean
}

/**
 * The city's targets against the year's city-wide sums (exact: they cover
 * the whole industry, like the tier bands the protected table publishes);
 * a district's targets against that district's figures, which for
 * aggregate-only readers come from the protected table like every other
 * figure (a target needing a withheld figure has value null, suppressed).
 */
export async function targetsReport (db: Db, q: TargetsReportQuery) {
  if (q.district != null) {
    const [known] = await db.select({ code: districts.code }).from(districts).where(inArray(districts.code, [q.district]))
    if (known == null) throw errors.unknownReference('query.district', q.district)
  }
  const [targets, sums, domainShares] = await Promise.all([listTargets(db), tierSums(db, q.year), primaryDomainShares(db, q.year, q.exact)])
  const firms = sums.reduce((a, s) => a + s.firms, 0)
  const city = targets.filter(t => t.district == null)
  const base = { year: q.year, firms, exact: q.exact }
  if (q.district == null && q.byDistrict !== true) {
    return { ...base, targets: evaluateAll(city, sums, { primaryDomainRevenue: domainShares.revenue }) }
  }
  const perDistrict = await districtSums(db, q.year, q.exact)
  const published = (d: string) => perDistrict.get(d)?.withheld.has('operatingRevenue') !== true
  const domainsBy = await districtDomainShares(db, q.year, q.exact, published)
  const report = (district: string) => {
    const own = perDistrict.get(district)
    return {
      district,
      firms: own?.firms ?? 0,
      targets: evaluateAll(targets.filter(t => t.district === district), own?.sums ?? [], {
        withheld: own?.withheld ?? new Set(),
        primaryDomainRevenue: domainsBy.get(district)?.revenue ?? (() => ({ part: 0n, all: 0n }))
      })
    }
  }
  if (q.district != null) {
    const one = report(q.district)
    return { ...base, district: q.district, firms: one.firms, targets: one.targets }
  }
  const codes = (await db.select({ code: districts.code }).from(districts).orderBy(asc(districts.code))).map(d => d.code)
  return {
    ...base,
    by: 'district',
    targets: evaluateAll(city, sums, { primaryDomainRevenue: domainShares.revenue }),
    districts: codes.map(report)
  }
}

/** District codes and domain codes named by the targets must be known (400 UNKNOWN_REFERENCE). */
async function checkReferences (db: Db, targets: TargetInput[]): Promise<void> {
  const wantedDistricts = [...new Set(targets.flatMap(t => t.district != null ? [t.district] : []))]
  const wantedDomains = [...new Set(targets.flatMap(t => t.domains ?? []))]
  const knownDistricts = new Set(wantedDistricts.length === 0
    ? []
    : (await db.select({ code: districts.code }).from(districts).where(inArray(districts.code, wantedDistricts))).map(r => r.code))
  const knownDomains = new Set(wantedDomains.length === 0
    ? []
    : (await db.select({ code: domains.code }).from(domains).where(inArray(domains.code, wantedDomains))).map(r => r.code))
  for (const [i, t] of targets.entries()) {
    if (t.district != null && !knownDistricts.has(t.district)) throw errors.unknownReference(`body.targets.${i}.district`, t.district)
    const unknown = (t.domains ?? []).find(d => !knownDomains.has(d))
    if (unknown != null) throw errors.unknownReference(`body.targets.${i}.domains`, unknown)
  }
}

/** Replaces the whole target set, audited in the same transaction. */
export async function replaceTargets (db: Db, targets: TargetInput[], ctx: AuditContext) {
  const problems = targetProblems(targets)
  if (problems.length > 0) throw errors.validation(problems)
  await checkReferences(db, targets)
  return await inTransaction(db, async (tx) => {
    const before = (await tx.select().from(planTargets).orderBy(asc(planTargets.id)).for('update')).map(targetView)
    await tx.delete(planTargets)
    if (targets.length > 0) {
      await tx.insert(planTargets).values(targets.map(x => ({
        key: x.key,
        measure: x.measure,
        tierCode: x.tierCode ?? null,
        comparator: x.comparator,
        goal: x.goal,
        unit: MEASURE_UNITS[x.measure as TargetMeasure],
        dueYear: x.dueYear,
        labelZh: x.labelZh,
        labelEn: x.labelEn,
        districtCode: x.district ?? null,
        domains: x.domains == null ? null : [...new Set(x.domains)].sort()
      })))
    }
    const after = (await tx.select().from(planTargets).orderBy(asc(planTargets.dueYear), asc(planTargets.id))).map(targetView)
    await recordAudit(tx, ctx, { action: 'targets.replace', objectType: 'plan_targets', objectId: 'all', before, after })
    return after
  })
}
