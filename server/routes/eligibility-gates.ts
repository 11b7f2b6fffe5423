import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { bearer, errorResponses } from '../../schemas/common.ts'
import { EligibilityGatesSchema } from '../../schemas/applications.ts'
import type { EligibilityGates } from '../domain/eligibility.ts'
import { loadEligibilityGates, replaceEligibilityGates } from '../services/policy.ts'

const admin = { roles: ['admin'] } as const

/** The eligibility gates per program (policy data): administrators read and replace them. */
const eligibilityGatesRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/v1/admin/eligibility-gates', {
    config: admin,
    schema: {
      tags: ['admin'], summary: 'Eligibility gates per program', security: bearer,
      response: { 200: EligibilityGatesSchema, ...errorResponses(401, 403) }
    }
  }, async () => await loadEligibilityGates(app.db))

  app.put('/v1/admin/eligibility-gates', {
    config: admin,
    schema: {
      tags: ['admin'], summary: 'Replace the eligibility gates of every program', security: bearer,
      description: 'Applies to submissions from now on; applications already submitted keep the result they got.',
      body: EligibilityGatesSchema,
      response: { 200: EligibilityGatesSchema, ...errorResponses(400, 401, 403) }
    }
  }, async (request) => await replaceEligibilityGates(app.db, request.body as EligibilityGates, request.auditContext()))
}
export default eligibilityGatesRoutes
