import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { bearer, errorResponses, IdParamsSchema, PageSchema } from '../../schemas/common.ts'
import { ApplicationSchema, DistrictQueueItemSchema, DistrictQueueQuerySchema, DistrictReviewBodySchema } from '../../schemas/applications.ts'
import { versionEtag } from '../lib/versioning.ts'
import { districtQueue, districtReview } from '../services/district-review.ts'

/**
 * District officers: the pre-screen of their district's applications to
 * calls with `districtReview`, and its queue. What else they may read (their
 * district's firms, declarations, applications, documents) is declared on
 * those routes.
 */
const districtRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const districtOfficer = { roles: ['district_officer'] } as const

  app.get('/v1/district-review/queue', {
    config: districtOfficer,
    schema: {
      tags: ['districts'], summary: 'The district officer\'s pre-screen queue: its district\'s submitted applications waiting for it', security: bearer,
      description: 'Oldest submission first. `all=true` adds those it has pre-screened. Items add firmName, uscc, district and callTitle.',
      querystring: DistrictQueueQuerySchema,
      response: { 200: PageSchema(DistrictQueueItemSchema), ...errorResponses(400, 401, 403) }
    }
  }, async (request) => await districtQueue(app.db, request.user, request.query))

  app.post('/v1/applications/:id/district-review', {
    config: districtOfficer,
    schema: {
      tags: ['districts'],
      summary: 'The district\'s pre-screen of a submitted application (calls with districtReview)',
      description: 'recommend: true → district_reviewed (the city may assign reviewers); false → rejected at district level, with the opinion as ' +
        'the reason; the firm may appeal it like any rejection. 409 DISTRICT_REVIEW_NOT_REQUIRED when the call has no pre-screen, 409 ' +
        'INVALID_STATE unless submitted. Another district\'s application is 404.',
      security: bearer,
      params: IdParamsSchema, body: DistrictReviewBodySchema,
      response: { 200: ApplicationSchema, ...errorResponses(400, 401, 403, 404, 409) }
    }
  }, async (request, reply) => {
    const view = await districtReview(app.db, request.user, request.params.id, request.body, request.auditContext())
    return reply.header('etag', versionEtag(view.version)).send(view)
  })
}
export default districtRoutes
