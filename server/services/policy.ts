import { eq } from 'drizzle-orm'
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
