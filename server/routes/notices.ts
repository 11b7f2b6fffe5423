import rateLimit from '@fastify/rate-limit'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { bearer, errorResponses, IdParamsSchema, PageQuerySchema, PageSchema } from '../../schemas/common.ts'
import { ObjectionBodySchema, ObjectionQuerySchema, ObjectionReceiptSchema, ObjectionSchema, PublicNoticeSchema, ReasonBodySchema } from '../../schemas/grading.ts'
import { errors } from '../domain/errors.ts'
import { listObjections, listPublicNotices, lodgeObjection, resolveObjection } from '../services/notices.ts'

/** Public notice (公示) of admissions and objections to them: no sign-in, rate limited. */
export const publicNotices: FastifyPluginAsyncTypebox = async (app) => {
  await app.register(rateLimit, {
    global: false,
    ...app.rateLimitStore('notices'),
    errorResponseBuilder: (_req, ctx) => errors.rateLimited(Math.ceil(ctx.ttl / 1000))
  })

  app.get('/v1/public/notices', {
    schema: {
      tags: ['notices'], summary: 'Admissions under public notice: firm, credit code, program, tier, period (no sign-in)',
      querystring: PageQuerySchema,
      response: { 200: PageSchema(PublicNoticeSchema), ...errorResponses(400) }
    }
  }, async (request) => await listPublicNotices(app.db, request.query))

  app.post('/v1/public/notices/:id/objections', {
    // Anonymous writes: a few per client per ten minutes is plenty for a real objection.
    config: { rateLimit: { max: 5, timeWindow: 10 * 60 * 1000 } },
    schema: {
      tags: ['notices'], summary: 'Object to an admission during its notice period (no sign-in)',
      params: IdParamsSchema, body: ObjectionBodySchema,
      response: { 201: ObjectionReceiptSchema, ...errorResponses(400, 404, 429) }
    }
  }, async (request, reply) => {
    const receipt = await lodgeObjection(app.db, request.params.id, request.body, { actorId: null, actorRole: 'public', requestId: request.id })
    return reply.code(201).send(receipt)
  })
}

const officer = { roles: ['officer'] } as const

/** Officers resolve the objections. */
const noticeRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/v1/objections', {
    config: officer,
    schema: {
      tags: ['notices'], summary: 'Objections to admissions, oldest first', security: bearer,
      querystring: ObjectionQuerySchema,
      response: { 200: PageSchema(ObjectionSchema), ...errorResponses(400, 401, 403) }
    }
  }, async (request) => await listObjections(app.db, request.query))

  app.post('/v1/objections/:id/uphold', {
    config: officer,
    schema: {
      tags: ['notices'], summary: 'Uphold an objection: the admission is reversed (membership revoked, decision becomes a rejection)', security: bearer,
      params: IdParamsSchema, body: ReasonBodySchema,
      response: { 200: ObjectionSchema, ...errorResponses(400, 401, 403, 404, 409) }
    }
  }, async (request) => await resolveObjection(app.db, request.params.id, 'upheld', request.body.reason, request.auditContext()))

  app.post('/v1/objections/:id/dismiss', {
    config: officer,
    schema: {
      tags: ['notices'], summary: 'Dismiss an objection', security: bearer,
      params: IdParamsSchema, body: ReasonBodySchema,
      response: { 200: ObjectionSchema, ...errorResponses(400, 401, 403, 404, 409) }
    }
  }, async (request) => await resolveObjection(app.db, request.params.id, 'dismissed', request.body.reason, request.auditContext()))
}
export default noticeRoutes
