import { asc, eq } from 'drizzle-orm'
import { type Db, inTransaction } from '../../db/client.ts'
import { policySettings, programs } from '../../db/schema/index.ts'
import { gateConfigProblems, type EligibilityGates } from '../domain/eligibility.ts'
import { errors, type FieldError } from '../domain/errors.ts'
import { POLICY_SETTINGS, POLICY_WITH_OWN_ENDPOINT, policyValueProblems } from '../domain/policy-settings.ts'
import { recordAudit, type AuditContext } from '../lib/audit.ts'

/** One policy value as the administrator's screen shows it. */
export interface PolicyItem { key: string, value: unknown, description: string, editable: boolean, endpoint: string | null, stored: boolean }

/**
 * Every policy value: the stored ones, and the editable ones not stored yet
 * (null: the code's default applies until one is set).
 */
export async function listPolicy (db: Db): Promise<{ items: PolicyItem[] }> {
  const rows = await db.select().from(policySettings).orderBy(asc(policySettings.key))
  const stored = new Map(rows.map(r => [r.key, r]))
  const keys = [...new Set([...rows.map(r => r.key), ...Object.keys(POLICY_SETTINGS)])].sort()
  return {
    items: keys.map(key => {
      const row = stored.get(key)
      return {
        key,
        value: row?.value ?? null,
        description: POLICY_SETTINGS[key]?.description ?? row?.description ?? '',
        editable: POLICY_SETTINGS[key] != null,
        endpoint: POLICY_WITH_OWN_ENDPOINT[key] ?? null,
        stored: row != null
      }
    })
  }
}

/** Sets one policy value after checking its shape and, for direct routes, each route's gates; audited as policy.update. */
export async function setPolicy (db: Db, key: string, value: unknown, ctx: AuditContext): Promise<PolicyItem> {
  const endpoint = POLICY_WITH_OWN_ENDPOINT[key]
  if (endpoint != null) throw errors.policyHasOwnEndpoint(key, endpoint)
  if (POLICY_SETTINGS[key] == null) throw errors.notFound()
  const problems: FieldError[] = policyValueProblems(key, value)
  return await inTransaction(db, async (tx) => {
    const known = (await tx.select({ code: programs.code }).from(programs)).map(p => p.code)
    if (problems.length === 0 && (key === 'direct_routes' || key === 'graduation_paths')) {
      const map = value as Record<string, unknown>
      for (const program of Object.keys(map)) {
        if (!known.includes(program)) problems.push({ field: `body.value.${program}`, message: 'is not a program' })
      }
      if (key === 'graduation_paths') {
        for (const [from, to] of Object.entries(map)) {
          if (!known.includes(String(to))) problems.push({ field: `body.value.${from}`, message: `${String(to)} is not a program` })
          if (from === to) problems.push({ field: `body.value.${from}`, message: 'a program cannot graduate into itself' })
        }
      } else {
        for (const [program, routes] of Object.entries(map as Record<string, Array<{ conditions: unknown[] }>>)) {
          routes.forEach((route, i) => {
            for (const p of gateConfigProblems({ [program]: route.conditions } as unknown as EligibilityGates, known)) {
              problems.push({ field: `body.value.${program}.${i}.conditions.${p.field.replace(/^[a-z_]+\.?/, '')}`, message: p.message })
            }
          })
        }
      }
    }
    if (problems.length > 0) throw errors.validation(problems)
    const [before] = await tx.select().from(policySettings).where(eq(policySettings.key, key)).for('update')
    const description = POLICY_SETTINGS[key].description
    await tx.insert(policySettings).values({ key, value: value as object, description })
      .onConflictDoUpdate({ target: policySettings.key, set: { value: value as object } })
    await recordAudit(tx, ctx, { action: 'policy.update', objectType: 'policy_setting', objectId: key, before: before == null ? null : { value: before.value }, after: { value } })
    return { key, value, description, editable: true, endpoint: null, stored: true }
  })
}
