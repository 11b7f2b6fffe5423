import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { bearer, errorResponses, IdParamsSchema, PageQuerySchema, PageSchema } from '../../schemas/common.ts'
import { HistoryItemSchema, LetterSchema } from '../../schemas/commission.ts'
import { applicationHistory } from '../services/history.ts'
import { letterData, renderLetter } from '../services/letters.ts'

/** The commission's year beyond grading (issue 13): an application's history and its decision letter. */
const commissionRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/v1/applications/:id/history', {
    config: { roles: ['enterprise', 'officer', 'admin'] },
    schema: {
      tags: ['applications'],
      summary: 'The application\'s history from the audit trail, oldest first',
      description: 'Officers and admins: every entry of the application, its reviews and its documents, with who acted. ' +
        'The owning firm: its own timeline without reviewer identities (no review entries; names only of its own users). Reviewers: 403. Paged.',
      security: bearer,
      params: IdParamsSchema, querystring: PageQuerySchema,
      response: { 200: PageSchema(HistoryItemSchema), ...errorResponses(400, 401, 403, 404) }
    }
  }, async (request) => await applicationHistory(app.db, request.user, request.params.id, request.query))

  app.get('/v1/applications/:id/letter', {
    config: { roles: ['enterprise', 'officer'] },
    schema: {
      tags: ['applications'],
      summary: 'The decision letter: a PDF in Chinese',
      description: 'For the owning firm and officers once the application is admitted or rejected (409 INVALID_STATE before): the firm, its credit code, ' +
        'the program and call, the decision and its reason, the date and the issuing body (policy letter_issuing_body).',
      security: bearer,
      params: IdParamsSchema,
      response: { 200: LetterSchema, ...errorResponses(400, 401, 403, 404, 409) }
    }
  }, async (request, reply) => {
    const data = await letterData(app.db, request.user, request.params.id)
    const pdf = await renderLetter(data)
    return await reply.type('application/pdf')
      .header('content-disposition', `attachment; filename="letter-${data.applicationId}.pdf"`)
      .header('cache-control', 'private, no-store')
      .send(pdf)
  })
}
export default commissionRoutes
