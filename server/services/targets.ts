import { asc } from 'drizzle-orm'
import { type Db, inTransaction } from '../../db/client.ts'
import { planTargets } from '../../db/schema/index.ts'
import { errors } from '../domain/errors.ts'
import { evaluateTarget, MEASURE_UNITS, targetProblems, type Comparator, type TargetInput, type TargetMeasure } from '../domain/targets.ts'
import { recordAudit, type AuditContext } from '../lib/audit.ts'
import { tierSums } from './analytics.ts'

/**
 * The plan's targets (plan_targets): the stored set, its report for a year
 * against the analytics rollup (tierSums), and the administrators'
 * replacement. The rule a set must meet is targetProblems
 * (server/domain/targets.ts).
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
    labelEn: t.labelEn
  }
}

export async function listTargets (db: Db) {
  return (await db.select().from(planTargets).orderBy(asc(planTargets.dueYear), asc(planTargets.id))).map(targetView)
}

export async function targetsReport (db: Db, year: number) {
  const [targets, sums] = await Promise.all([listTargets(db), tierSums(db, year)])
  const firms = sums.reduce((a, s) => a + s.firms, 0)
  return {
    year,
    firms,
    targets: targets.map(t => ({ ...t, ...evaluateTarget({ ...t, goal: t.goal }, sums) }))
  }
}

/** Replaces the whole target set, audited in the same transaction. */
export async function replaceTargets (db: Db, targets: TargetInput[], ctx: AuditContext) {
  const problems = targetProblems(targets)
  if (problems.length > 0) throw errors.validation(problems)
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
        labelEn: x.labelEn
      })))
    }
    const after = (await tx.select().from(planTargets).orderBy(asc(planTargets.dueYear), asc(planTargets.id))).map(targetView)
    await recordAudit(tx, ctx, { action: 'targets.replace', objectType: 'plan_targets', objectId: 'all', before, after })
    return after
  })
}
