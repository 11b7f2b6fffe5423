import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { bearer, errorResponses, PageQuerySchema, PageSchema } from '../../schemas/common.ts'
import { ConflictBodySchema, ConflictSchema } from '../../schemas/grading.ts'
import { listConflicts } from '../services/conflicts.ts'
import { declareReviewerConflict } from '../services/reviews.ts'

/** A reviewer's declared conflicts of interest. */
const conflictRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/v1/me/conflicts', {
    config: { roles: ['reviewer'] },
    schema: {
      tags: ['reviews'], summary: 'My conflicts of interest: my employer, declared ones and recusals', security: bearer,
      querystring: PageQuerySchema,
      response: { 200: PageSchema(ConflictSchema), ...errorResponses(400, 401, 403) }
    }
  }, async (request) => await listConflicts(app.db, request.user.id, request.query))

  app.post('/v1/me/conflicts', {
    config: { roles: ['reviewer'] },
    schema: {
      tags: ['reviews'],
      summary: 'Declare a conflict of interest with a firm',
      description: 'From then on the reviewer never sees, lists or grades the firm\'s applications; open assignments on them are recused, freeing the slots for the officer to reassign.',
      security: bearer,
      body: ConflictBodySchema,
      response: { 201: ConflictSchema, ...errorResponses(400, 401, 403, 409) }
    }
  }, async (request, reply) => {
    const view = await declareReviewerConflict(app.db, request.user.id, request.body, request.auditContext())
    return reply.code(201).send(view as NonNullable<typeof view>)
  })
}
export default conflictRoutes
