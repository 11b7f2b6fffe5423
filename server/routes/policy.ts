import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { bearer, errorResponses } from '../../schemas/common.ts'
import { PolicyItemSchema, PolicyKeyParamsSchema, PolicyListSchema, PolicyPutBodySchema } from '../../schemas/policy.ts'
import { listPolicy, setPolicy } from '../services/policy.ts'

/** Policy values (policy_settings), one by one, for administrators. */
const policyRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const admin = { roles: ['admin'] } as const

  app.get('/v1/admin/policy', {
    config: admin,
    schema: {
      tags: ['admin'], summary: 'Every policy value with its description, and whether it is changed here', security: bearer,
      response: { 200: PolicyListSchema, ...errorResponses(401, 403) }
    }
  }, async () => await listPolicy(app.db))

  app.put('/v1/admin/policy/:key', {
    config: admin,
    schema: {
      tags: ['admin'], summary: 'Change one policy value (checked against the shape and range of its key; audited as policy.update)',
      description: 'Days and years are integers within their ranges; bodies and contacts are objects with Chinese and English text; ' +
        'graduation paths and direct routes name known programs and valid gates. 404 for a key that is not a policy value; ' +
        '409 POLICY_HAS_OWN_ENDPOINT for the eligibility gates, which PUT /v1/admin/eligibility-gates checks as a whole.',
      security: bearer,
      params: PolicyKeyParamsSchema, body: PolicyPutBodySchema,
      response: { 200: PolicyItemSchema, ...errorResponses(400, 401, 403, 404, 409) }
    }
  }, async (request) => await setPolicy(app.db, request.params.key, request.body.value, request.auditContext()))
}
export default policyRoutes
