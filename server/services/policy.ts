import { eq, inArray } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import { policySettings } from '../../db/schema/index.ts'

/** A numeric policy value (policy_settings), or `fallback` when it is missing or not a number. */
export async function policyNumber (db: Db, key: string, fallback: number): Promise<number> {
  const [row] = await db.select({ value: policySettings.value }).from(policySettings).where(eq(policySettings.key, key))
  const n = Number(row?.value)
  return row == null || !Number.isFinite(n) ? fallback : n
}

/** A policy value as stored (JSON), or undefined when it is missing. */
export async function policyValue (db: Db, key: string): Promise<unknown> {
  const [row] = await db.select({ value: policySettings.value }).from(policySettings).where(eq(policySettings.key, key))
  return row?.value
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
