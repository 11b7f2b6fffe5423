import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { bearer, errorResponses, IdempotencyHeadersSchema, IdParamsSchema, PageSchema } from '../../schemas/common.ts'
import { RubricBodySchema, RubricListQuerySchema, RubricReplaceBodySchema, RubricSchema } from '../../schemas/rubrics.ts'
import { SIGNED_IN } from '../domain/access.ts'
import { runIdempotent } from '../lib/idempotency.ts'
import { createRubricVersion, getRubric, listRubrics, replaceRubric } from '../services/rubrics.ts'

/**
 * Rubrics: administrators manage versions per program; anyone signed in may
 * read one (reviewers grade with it, firms see what they are graded on).
 */
const rubricRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/v1/rubrics/:id', {
    config: { roles: SIGNED_IN },
    schema: {
      tags: ['rubrics'], summary: 'One rubric version', security: bearer,
      params: IdParamsSchema,
      response: { 200: RubricSchema, ...errorResponses(400, 401, 404) }
    }
  }, async (request) => await getRubric(app.db, request.params.id))

  app.get('/v1/admin/rubrics', {
    config: { roles: ['admin'] },
    schema: {
      tags: ['rubrics'], summary: 'Rubric versions, by program then version', security: bearer,
      querystring: RubricListQuerySchema,
      response: { 200: PageSchema(RubricSchema), ...errorResponses(400, 401, 403) }
    }
  }, async (request) => await listRubrics(app.db, request.query))

  app.get('/v1/admin/rubrics/:id', {
    config: { roles: ['admin'] },
    schema: {
      tags: ['rubrics'], summary: 'One rubric version', security: bearer,
      params: IdParamsSchema,
      response: { 200: RubricSchema, ...errorResponses(400, 401, 403, 404) }
    }
  }, async (request) => await getRubric(app.db, request.params.id))

  app.post('/v1/admin/rubrics', {
    config: { roles: ['admin'] },
    schema: {
      tags: ['rubrics'],
      summary: 'Create the next version of a program\'s rubric',
      description: 'Validated: unique indicator keys, auto indicators name a measure and list bands best first, no band pays more than the maximum, group minimums and the pass mark are reachable, grade bands descend to 0.',
      security: bearer,
      headers: IdempotencyHeadersSchema,
      body: RubricBodySchema,
      response: { 201: RubricSchema, ...errorResponses(400, 401, 403, 409, 422) }
    }
  }, async (request, reply) => {
    const out = await runIdempotent(app.db, { userId: request.user.id, key: request.headers['idempotency-key'], route: 'POST /v1/admin/rubrics', body: request.body },
      async (tx) => ({ statusCode: 201, body: await createRubricVersion(tx, request.body, request.auditContext()) }))
    return reply.code(201).send(out.body)
  })

  app.put('/v1/admin/rubrics/:id', {
    config: { roles: ['admin'] },
    schema: {
      tags: ['rubrics'],
      summary: 'Correct a rubric version that no call uses yet',
      description: 'Once a call grades with a version it is frozen: 409 CONFLICT; create a new version with POST instead.',
      security: bearer,
      params: IdParamsSchema,
      body: RubricReplaceBodySchema,
      response: { 200: RubricSchema, ...errorResponses(400, 401, 403, 404, 409) }
    }
  }, async (request) => await replaceRubric(app.db, request.params.id, request.body, request.auditContext()))
}
export default rubricRoutes
