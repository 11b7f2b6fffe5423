import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { asc, eq } from 'drizzle-orm'
import { tiers, programs, domains, districts } from '../../db/schema/index.ts'
import type { Db } from '../../db/client.ts'
import { bearer, errorResponses } from '../../schemas/common.ts'
import { DistrictBodySchema, DistrictParamsSchema, DistrictSchema, DomainSchema, ProgramSchema, TierSchema } from '../../schemas/reference.ts'
import { recordAudit } from '../lib/audit.ts'

/** Reference data: public to read; districts editable by administrators. */
const reference: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/v1/reference/tiers', {
    schema: { tags: ['reference'], summary: 'Revenue tiers, lowest first', response: { 200: Type.Array(TierSchema) } }
  }, async () => await app.db.select().from(tiers).orderBy(asc(tiers.rank)))

  app.get('/v1/reference/programs', {
    schema: { tags: ['reference'], summary: 'Support programs', response: { 200: Type.Array(ProgramSchema) } }
  }, async () => await app.db.select().from(programs).orderBy(asc(programs.code)))

  app.get('/v1/reference/domains', {
    schema: { tags: ['reference'], summary: 'Focus domains', response: { 200: Type.Array(DomainSchema) } }
  }, async () => await app.db.select().from(domains).orderBy(asc(domains.code)))

  app.get('/v1/reference/districts', {
    schema: { tags: ['reference'], summary: 'Districts, counties and pilot zones', response: { 200: Type.Array(DistrictSchema) } }
  }, async () => (await app.db.select().from(districts).orderBy(asc(districts.code))) as Array<typeof DistrictSchema.static>)

  const admin: FastifyPluginAsyncTypebox = async (app) => {
    app.addHook('onRequest', app.authenticate)
    app.addHook('preHandler', app.requireRole('admin'))
    app.put('/v1/admin/districts/:code', {
      schema: {
        tags: ['admin'], summary: 'Create or rename a district or pilot zone', security: bearer,
        params: DistrictParamsSchema, body: DistrictBodySchema,
        response: { 200: DistrictSchema, ...errorResponses(400, 401, 403) }
      }
    }, async (request) => {
      const { code } = request.params
      return await app.db.transaction(async (t) => {
        const tx = t as unknown as Db
        const [before] = await tx.select().from(districts).where(eq(districts.code, code))
        const [after] = await tx.insert(districts).values({ code, ...request.body })
          .onConflictDoUpdate({ target: districts.code, set: request.body }).returning()
        await recordAudit(tx, request.auditContext(), { action: before == null ? 'district.create' : 'district.update', objectType: 'district', objectId: code, before, after })
        return after as typeof DistrictSchema.static
      })
    })
  }
  await app.register(admin)
}
export default reference
