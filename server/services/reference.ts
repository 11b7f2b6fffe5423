import { asc, eq } from 'drizzle-orm'
import { type Db, inTransaction } from '../../db/client.ts'
import { districts, domains, programs, tiers } from '../../db/schema/index.ts'
import { recordAudit, type AuditContext } from '../lib/audit.ts'

/** Reference data: tiers, programs, focus domains, districts. */

export const listTiers = async (db: Db) => await db.select().from(tiers).orderBy(asc(tiers.rank))
export const listPrograms = async (db: Db) => await db.select().from(programs).orderBy(asc(programs.code))
export const listDomains = async (db: Db) => await db.select().from(domains).orderBy(asc(domains.code))
export const listDistricts = async (db: Db) => await db.select().from(districts).orderBy(asc(districts.code))

export type DistrictRow = typeof districts.$inferSelect

/** Creates or renames a district or pilot zone, audited. */
export async function putDistrict (db: Db, code: string, body: Omit<typeof districts.$inferInsert, 'code'>, ctx: AuditContext): Promise<DistrictRow> {
  return await inTransaction(db, async (tx) => {
    const [before] = await tx.select().from(districts).where(eq(districts.code, code))
    const [after] = await tx.insert(districts).values({ ...body, code })
      .onConflictDoUpdate({ target: districts.code, set: body }).returning()
    await recordAudit(tx, ctx, { action: before == null ? 'district.create' : 'district.update', objectType: 'district', objectId: code, before, after })
    return after
  })
}
