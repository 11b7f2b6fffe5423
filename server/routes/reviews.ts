import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { bearer, errorResponses, IdempotencyHeadersSchema, IdParamsSchema, IfMatchHeadersSchema, PageSchema } from '../../schemas/common.ts'
import {
  AssignBodySchema, AssignReplySchema, CallAssignReplySchema, ProgressSchema, ReasonBodySchema,
  ReviewBodySchema, ReviewDetailSchema, ReviewListItemSchema, ReviewListQuerySchema, ReviewSchema
} from '../../schemas/grading.ts'
import { runIdempotent } from '../lib/idempotency.ts'
import { expectedVersion, versionEtag } from '../lib/versioning.ts'
import { assignReviewers, autoAssignCall } from '../services/assignment.ts'
import { callProgress, getReview, listMyReviews, reassignReview, recuseReview, saveReview, submitReview } from '../services/reviews.ts'

/** Assignment of reviewers (officers), reviews (reviewers) and a call's progress. */
const reviewRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const officer = { roles: ['officer'] } as const
  const reviewer = { roles: ['reviewer'] } as const

  app.post('/v1/applications/:id/assignments', {
    config: officer,
    schema: {
      tags: ['reviews'],
      summary: 'Assign reviewers to one application',
      description: 'A reviewer with a conflict of interest with the firm (declared, recused or their employer) is 409 CONFLICT_OF_INTEREST. Moves a submitted application to under_review.',
      security: bearer,
      params: IdParamsSchema, headers: IdempotencyHeadersSchema, body: AssignBodySchema,
      response: { 201: AssignReplySchema, ...errorResponses(400, 401, 403, 404, 409, 422) }
    }
  }, async (request, reply) => {
    const out = await runIdempotent(app.db, { userId: request.user.id, key: request.headers['idempotency-key'], route: `POST /v1/applications/${request.params.id}/assignments`, body: request.body },
      async (tx) => ({ statusCode: 201, body: await assignReviewers(tx, request.params.id, request.body.reviewerIds, request.auditContext()) }))
    return reply.code(201).send(out.body)
  })

  app.post('/v1/calls/:id/assign', {
    config: officer,
    schema: {
      tags: ['reviews'],
      summary: 'Assign reviewers to every application of a call waiting for them',
      description: 'Each application gets the call\'s number of reviewers; loads as even as possible (existing assignments count); never a conflicted reviewer. `short` lists the applications that could not get enough.',
      security: bearer,
      params: IdParamsSchema,
      response: { 200: CallAssignReplySchema, ...errorResponses(400, 401, 403, 404) }
    }
  }, async (request) => await autoAssignCall(app.db, request.params.id, request.auditContext()))

  app.get('/v1/calls/:id/progress', {
    config: officer,
    schema: {
      tags: ['reviews'], summary: 'A call\'s progress: applications by state, reviews done / assigned per application and per reviewer', security: bearer,
      params: IdParamsSchema,
      response: { 200: ProgressSchema, ...errorResponses(400, 401, 403, 404) }
    }
  }, async (request) => await callProgress(app.db, request.params.id))

  app.get('/v1/reviews', {
    config: reviewer,
    schema: {
      tags: ['reviews'], summary: 'My assignments (never a firm I have a conflict with), oldest first',
      description: 'Each item carries what a workbench lists: the firm\'s name, the program, the call and its review due date (`dueAt`). A review I was replaced on (`reassigned`) is not listed.',
      security: bearer,
      querystring: ReviewListQuerySchema,
      response: { 200: PageSchema(ReviewListItemSchema), ...errorResponses(400, 401, 403) }
    }
  }, async (request) => await listMyReviews(app.db, request.user.id, request.query))

  app.get('/v1/reviews/:id', {
    config: { roles: ['reviewer', 'officer'] },
    schema: {
      tags: ['reviews'],
      summary: 'One review, with the application\'s frozen figures and auto scores',
      description: 'Other reviewers\' scores only after this reviewer has submitted. ETag carries the version.',
      security: bearer,
      params: IdParamsSchema,
      response: { 200: ReviewDetailSchema, ...errorResponses(400, 401, 403, 404) }
    }
  }, async (request, reply) => {
    const review = await getReview(app.db, request.user, request.params.id)
    reply.header('etag', versionEtag(review.version))
    return review
  })

  app.put('/v1/reviews/:id', {
    config: reviewer,
    schema: {
      tags: ['reviews'],
      summary: 'Save my scores and comment as a draft (If-Match)',
      description: 'Scores may be partial; each in 0..max of its judged indicator. A stale If-Match is 412 VERSION_MISMATCH; none is 428.',
      security: bearer,
      params: IdParamsSchema, headers: IfMatchHeadersSchema, body: ReviewBodySchema,
      response: { 200: ReviewSchema, ...errorResponses(400, 401, 403, 404, 409, 412, 428) }
    }
  }, async (request, reply) => {
    const expected = expectedVersion(request.headers['if-match'], { required: true })
    const review = await saveReview(app.db, request.user, request.params.id, request.body, expected, request.auditContext())
    reply.header('etag', versionEtag(review.version))
    return review
  })

  app.post('/v1/reviews/:id/submit', {
    config: reviewer,
    schema: {
      tags: ['reviews'],
      summary: 'Submit my review (final)',
      description: 'Every judged indicator must be scored in range. The last review of a round scores the application.',
      security: bearer,
      params: IdParamsSchema, headers: IfMatchHeadersSchema,
      response: { 200: ReviewSchema, ...errorResponses(400, 401, 403, 404, 409, 412) }
    }
  }, async (request) => await submitReview(app.db, request.user, request.params.id, expectedVersion(request.headers['if-match']), request.auditContext()))

  app.post('/v1/reviews/:id/reassign', {
    config: officer,
    schema: {
      tags: ['reviews'],
      summary: 'Replace a reviewer: the open review ends reassigned and a replacement is assigned',
      description: 'The replacement is chosen by the assignment rules (conflict-free, balanced, by expertise; never someone already on the round). ' +
        'The reassigned review\'s scores never count. 409 NO_REVIEWER_AVAILABLE (nothing changed) when nobody is left; 409 INVALID_STATE for a review no longer open.',
      security: bearer,
      params: IdParamsSchema, body: ReasonBodySchema,
      response: { 201: ReviewSchema, ...errorResponses(400, 401, 403, 404, 409) }
    }
  }, async (request, reply) => {
    const out = await reassignReview(app.db, request.params.id, request.body.reason, request.auditContext())
    return reply.code(201).send(out.review)
  })

  app.post('/v1/reviews/:id/recuse', {
    config: reviewer,
    schema: {
      tags: ['reviews'],
      summary: 'Step down from a review: declares a conflict with the firm; officers are told and a replacement is assigned',
      security: bearer,
      params: IdParamsSchema, body: ReasonBodySchema,
      response: { 200: ReviewSchema, ...errorResponses(400, 401, 403, 404, 409) }
    }
  }, async (request) => await recuseReview(app.db, request.user, request.params.id, request.body.reason, request.auditContext()))
}
export default reviewRoutes
