import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { bearer, errorResponses, IdParamsSchema } from '../../schemas/common.ts'
import { AppealBodySchema, BatchDecisionBodySchema, BatchDecisionReplySchema, DecisionBodySchema, DecisionReplySchema, ReasonBodySchema } from '../../schemas/grading.ts'
import { appeal, decide, decideBatch, decisionView, returnForRevision } from '../services/decisions.ts'

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

  app.post('/v1/calls/:id/decisions', {
    config: { roles: ['officer'] },
    schema: {
      tags: ['decisions'],
      summary: 'Decide many applications of a call at once: all or nothing',
      description: 'Each decision is checked and audited as a single one. Admissions beyond the call\'s quota: 409 QUOTA_EXCEEDED and nothing changes; ' +
        'any failing decision (state, missing reason, an application of another call) rolls back the whole batch.',
      security: bearer,
      params: IdParamsSchema, body: BatchDecisionBodySchema,
      response: { 200: BatchDecisionReplySchema, ...errorResponses(400, 401, 403, 404, 409) }
    }
  }, async (request) => {
    const out = await decideBatch(app.db, request.params.id, request.body.decisions, request.auditContext())
    return { decided: out.decided.map(d => ({ ...decisionView(d.application), membershipId: d.membershipId })), admitted: out.admitted, rejected: out.rejected }
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
