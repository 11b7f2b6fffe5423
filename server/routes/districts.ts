import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { bearer, errorResponses, IdParamsSchema } from '../../schemas/common.ts'
import { ApplicationSchema, DistrictReviewBodySchema } from '../../schemas/applications.ts'
import { versionEtag } from '../lib/versioning.ts'
import { districtReview } from '../services/district-review.ts'

/** District officers: the pre-screen of their district's applications (what they may read is in the applications and enterprises routes). */
const districtRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.addHook('onRequest', app.authenticate)

  app.post('/v1/applications/:id/district-review', {
    preHandler: app.requireRole('district_officer'),
    schema: {
      tags: ['districts'],
      summary: 'The district\'s pre-screen of a submitted application (calls with districtReview)',
      description: 'recommend: true → district_reviewed (the city may assign reviewers); false → rejected at district level, appealable. 409 DISTRICT_REVIEW_NOT_REQUIRED when the call has no pre-screen, 409 INVALID_STATE unless submitted. Another district\'s application is 404.',
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
