import { asc, eq, inArray } from 'drizzle-orm'
import { type Db, inTransaction, type Tx } from '../../db/client.ts'
import { policySettings, programs } from '../../db/schema/index.ts'
import { gateConfigProblems, type EligibilityGates } from '../domain/eligibility.ts'
import { errors, type FieldError } from '../domain/errors.ts'
import { POLICY_SETTINGS, POLICY_WITH_OWN_ENDPOINT, policyValueProblems } from '../domain/policy-settings.ts'
import { recordAudit, type AuditContext } from '../lib/audit.ts'

/**
 * Policy data (policy_settings): the one reader and writer of the table
 * (test/layout.test.ts holds every other file off it). Each setting is a JSON
 * value under a key; docs/domain.md lists them, server/domain/policy-settings.ts
 * defines and checks the ones an administrator changes one by one.
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
    const before = await writeSetting(tx, 'eligibility_gates', config, 'Eligibility gates checked at submit, per program')
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

/**
 * Locks the rows of `keys` until the end of `tx`, so no policy writer changes
 * them meanwhile (adopting a simulation checks its fingerprint under it).
 */
export async function lockPolicyValues (tx: Tx, keys: readonly string[]): Promise<void> {
  await tx.select({ key: policySettings.key }).from(policySettings).where(inArray(policySettings.key, [...keys])).for('update')
}

/** Stores one value under `key` (the description only when the key is new); the row as it was, locked, or undefined. */
async function writeSetting (tx: Tx, key: string, value: unknown, description: string): Promise<{ value: unknown } | undefined> {
  const [before] = await tx.select({ value: policySettings.value }).from(policySettings).where(eq(policySettings.key, key)).for('update')
  await tx.insert(policySettings).values({ key, value: value as object, description })
    .onConflictDoUpdate({ target: policySettings.key, set: { value: value as object } })
  return before
}

// ---------------------------------------------------------------------------
// The administrator's screen: every value, and one value at a time (GET and PUT /v1/admin/policy).

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
    const description = POLICY_SETTINGS[key].description
    const before = await writeSetting(tx, key, value, description)
    await recordAudit(tx, ctx, { action: 'policy.update', objectType: 'policy_setting', objectId: key, before: before == null ? null : { value: before.value }, after: { value } })
    return { key, value, description, editable: true, endpoint: null, stored: true }
  })
}
