import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { bearer, errorResponses } from '../../schemas/common.ts'
import { PutTargetsBodySchema, TargetSchema } from '../../schemas/analytics.ts'
import { listTargets, replaceTargets } from '../services/targets.ts'

/** The plan's targets are policy data: administrators read and replace them. */
const targets: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/v1/admin/targets', {
    config: { roles: ['admin'] },
    schema: {
      tags: ['admin'], summary: 'The plan targets', security: bearer,
      response: { 200: Type.Object({ targets: Type.Array(TargetSchema) }), ...errorResponses(401, 403) }
    }
  }, async () => ({ targets: await listTargets(app.db) }))

  app.put('/v1/admin/targets', {
    config: { roles: ['admin'] },
    schema: {
      tags: ['admin'], summary: 'Replace the plan targets (a new plan brings new ones)', security: bearer,
      body: PutTargetsBodySchema,
      response: { 200: Type.Object({ targets: Type.Array(TargetSchema) }), ...errorResponses(400, 401, 403) }
    }
  }, async (request) => ({ targets: await replaceTargets(app.db, request.body.targets, request.auditContext()) }))
}
export default targets
