import { eq, inArray } from 'drizzle-orm'
import { type Db, inTransaction } from '../../db/client.ts'
import { policySettings, programs } from '../../db/schema/index.ts'
import { gateConfigProblems, type EligibilityGates } from '../domain/eligibility.ts'
import { errors } from '../domain/errors.ts'
import { recordAudit, type AuditContext } from '../lib/audit.ts'

/**
 * Policy data (policy_settings): the one reader and writer of the table.
 * Each setting is a JSON value under a key; docs/domain.md lists them.
 */

/** The stored value of a setting, undefined when it is not set. */
export async function policyValue (db: Db, key: string): Promise<unknown> {
  const [row] = await db.select({ value: policySettings.value }).from(policySettings).where(eq(policySettings.key, key))
  return row?.value ?? undefined
}

/** A numeric policy value, or `fallback` when it is missing or not a number. */
export async function policyNumber (db: Db, key: string, fallback: number): Promise<number> {
  const value = await policyValue(db, key)
  const n = Number(value)
  return value == null || !Number.isFinite(n) ? fallback : n
}

/** The gates of every program (eligibility_gates), checked at submit and at pool re-evaluation. */
export async function loadEligibilityGates (db: Db): Promise<EligibilityGates> {
  return ((await policyValue(db, 'eligibility_gates')) as EligibilityGates | undefined) ?? {}
}

/**
 * Replaces the gates of every program (PUT /v1/admin/eligibility-gates, and
 * adopting a simulation): checked against the known programs, audited with
 * before and after in the transaction. Submitted applications keep theirs.
 */
export async function replaceEligibilityGates (db: Db, config: EligibilityGates, ctx: AuditContext): Promise<EligibilityGates> {
  return await inTransaction(db, async (tx) => {
    const known = (await tx.select({ code: programs.code }).from(programs)).map(p => p.code)
    const problems = gateConfigProblems(config, known)
    if (problems.length > 0) throw errors.validation(problems.map(p => ({ field: `body.${p.field}`, message: p.message })))
    const [before] = await tx.select({ value: policySettings.value }).from(policySettings)
      .where(eq(policySettings.key, 'eligibility_gates')).for('update')
    await tx.insert(policySettings).values({ key: 'eligibility_gates', value: config, description: 'Eligibility gates checked at submit, per program' })
      .onConflictDoUpdate({ target: policySettings.key, set: { value: config } })
    await recordAudit(tx, ctx, {
      action: 'eligibility_gates.update', objectType: 'policy_setting', objectId: 'eligibility_gates', before: before?.value ?? null, after: config
    })
    return config
  })
}

/** Several policy values in one read: key → stored JSON value (absent keys are missing). */
export async function policyValues (db: Db, keys: readonly string[]): Promise<Map<string, unknown>> {
  const rows = await db.select().from(policySettings).where(inArray(policySettings.key, [...keys]))
  return new Map(rows.map(r => [r.key, r.value]))
}

/** An integer policy value within [min, max], else `fallback`. */
export function integerPolicy (value: unknown, fallback: number, min = 0, max = 100): number {
  const n = Number(value)
  return value != null && Number.isInteger(n) && n >= min && n <= max ? n : fallback
}
