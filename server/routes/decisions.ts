import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { bearer, errorResponses, IdParamsSchema } from '../../schemas/common.ts'
import { AppealBodySchema, DecisionBodySchema, DecisionReplySchema, ReasonBodySchema } from '../../schemas/grading.ts'
import { appeal, decide, decisionView, returnForRevision } from '../services/decisions.ts'

/** Officers decide and return applications; firms appeal a rejection once. */
const decisionRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post('/v1/applications/:id/decision', {
    config: { roles: ['officer'] },
    schema: {
      tags: ['decisions'],
      summary: 'Admit or reject a scored application',
      description: 'Going against the rubric (admitting a failing application, rejecting a passing one) needs a reason and is flagged decisionOverride. Admission creates the pool membership under public notice.',
      security: bearer,
      params: IdParamsSchema, body: DecisionBodySchema,
      response: { 200: DecisionReplySchema, ...errorResponses(400, 401, 403, 404, 409) }
    }
  }, async (request) => {
    const out = await decide(app.db, request.params.id, request.body, request.auditContext())
    return { ...decisionView(out.application), membershipId: out.membershipId }
  })

  app.post('/v1/applications/:id/return', {
    config: { roles: ['officer'] },
    schema: {
      tags: ['decisions'], summary: 'Return an application to the firm for revision, with a reason it sees', security: bearer,
      params: IdParamsSchema, body: ReasonBodySchema,
      response: { 200: DecisionReplySchema, ...errorResponses(400, 401, 403, 404, 409) }
    }
  }, async (request) => decisionView(await returnForRevision(app.db, request.params.id, request.body.reason, request.auditContext())))

  app.post('/v1/applications/:id/appeal', {
    config: { roles: ['enterprise'] },
    schema: {
      tags: ['decisions'],
      summary: 'Appeal a rejection (once, within the appeal window)',
      description: 'Policy appeal_window_days (15 by default) after the decision; 409 APPEAL_WINDOW_CLOSED after it, 409 APPEAL_ALREADY_USED for a second appeal. Reviewers are assigned afresh.',
      security: bearer,
      params: IdParamsSchema, body: AppealBodySchema,
      response: { 200: DecisionReplySchema, ...errorResponses(400, 401, 403, 404, 409) }
    }
  }, async (request) => {
    const out = await appeal(app.db, request.user, request.params.id, request.body.grounds, request.auditContext())
    return { ...decisionView(out.application), assigned: out.assigned, short: out.short }
  })
}
export default decisionRoutes
