import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { bearer, errorResponses } from '../../schemas/common.ts'
import { DistrictBodySchema, DistrictParamsSchema, DistrictSchema, DomainSchema, ProgramSchema, TierSchema } from '../../schemas/reference.ts'
import { listDistricts, listDomains, listPrograms, listTiers, putDistrict } from '../services/reference.ts'

/** Reference data: public to read. */
export const publicReference: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/v1/reference/tiers', {
    schema: { tags: ['reference'], summary: 'Revenue tiers, lowest first', response: { 200: Type.Array(TierSchema) } }
  }, async () => await listTiers(app.db))

  app.get('/v1/reference/programs', {
    schema: { tags: ['reference'], summary: 'Support programs', response: { 200: Type.Array(ProgramSchema) } }
  }, async () => await listPrograms(app.db))

  app.get('/v1/reference/domains', {
    schema: { tags: ['reference'], summary: 'Focus domains', response: { 200: Type.Array(DomainSchema) } }
  }, async () => await listDomains(app.db))

  app.get('/v1/reference/districts', {
    schema: { tags: ['reference'], summary: 'Districts, counties and pilot zones', response: { 200: Type.Array(DistrictSchema) } }
  }, async () => (await listDistricts(app.db)) as Array<typeof DistrictSchema.static>)
}

/** Districts are editable by administrators. */
const reference: FastifyPluginAsyncTypebox = async (app) => {
  app.put('/v1/admin/districts/:code', {
    config: { roles: ['admin'] },
    schema: {
      tags: ['admin'], summary: 'Create or rename a district or pilot zone', security: bearer,
      params: DistrictParamsSchema, body: DistrictBodySchema,
      response: { 200: DistrictSchema, ...errorResponses(400, 401, 403) }
    }
  }, async (request) => await putDistrict(app.db, request.params.code, request.body, request.auditContext()) as typeof DistrictSchema.static)
}
export default reference
