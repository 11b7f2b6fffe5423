import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { bearer, errorResponses, IdParamsSchema, PageQuerySchema, PageSchema } from '../../schemas/common.ts'
import { HistoryItemSchema } from '../../schemas/commission.ts'
import { applicationHistory } from '../services/history.ts'

/** The commission's year beyond grading (issue 13): an application's history. */
const commissionRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.addHook('onRequest', app.authenticate)

  app.get('/v1/applications/:id/history', {
    preHandler: app.requireRole('enterprise', 'officer', 'admin'),
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
}
export default commissionRoutes
