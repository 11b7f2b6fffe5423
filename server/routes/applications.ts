import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply } from 'fastify'
import { bearer, errorResponses, IdempotencyHeadersSchema, IdParamsSchema, IfMatchHeadersSchema, PageSchema } from '../../schemas/common.ts'
import {
  ApplicationListItemSchema, ApplicationSchema, CreateApplicationBodySchema, IfMatchOptionalSchema,
  ListApplicationsQuerySchema, SelfCheckSchema, UpdateApplicationBodySchema
} from '../../schemas/applications.ts'
import { errors } from '../domain/errors.ts'
import { exportFormat } from '../lib/export.ts'
import { runIdempotent } from '../lib/idempotency.ts'
import { expectedVersion, versionEtag } from '../lib/versioning.ts'
import { RenderedCache } from '../lib/rendered-cache.ts'
import {
  applicationViewKind, checkApplication, createApplication, listApplications, readerApplicationStamp, readerStampedApplication, submitApplication,
  updateApplication, withdrawApplication
} from '../services/applications.ts'
import { listMeeting, sendMeetingExport } from '../services/meeting.ts'

/** Sends JSON that is already serialized (with the route's own schema): Fastify passes a string with a JSON type through. */
const sendJsonText = (reply: FastifyReply, body: string) => reply.type('application/json; charset=utf-8').send(body)

/**
 * Applications: the firm creates, edits, submits and withdraws its own;
 * officers and admins read all; reviewers the ones assigned to them;
 * district officers those of their district's firms.
 * Analysts see aggregates only, never one application.
 */
const applicationsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const readers = { roles: ['enterprise', 'reviewer', 'officer', 'admin', 'district_officer'] } as const
  const applicant = { roles: ['enterprise'] } as const
  /** Serialized single reads (GET /v1/applications/:id), a few MB at most. */
  const rendered = new RenderedCache(5000)

  app.post('/v1/applications', {
    config: applicant,
    schema: {
      tags: ['applications'], summary: 'Start a draft application to an open call', security: bearer,
      description: 'One live (not withdrawn) application per firm and call: 409 APPLICATION_EXISTS. Honours Idempotency-Key.',
      headers: IdempotencyHeadersSchema, body: CreateApplicationBodySchema,
      response: { 201: ApplicationSchema, ...errorResponses(400, 401, 403, 409, 422) }
    }
  }, async (request, reply) => {
    const result = await runIdempotent(app.db, {
      userId: request.user.id, key: request.headers['idempotency-key'], route: 'POST /v1/applications', body: request.body
    }, async (tx) => ({ statusCode: 201, body: await createApplication(tx, request.user, request.body, request.auditContext()) }))
    if (result.replayed) reply.header('idempotent-replayed', 'true')
    return reply.code(result.statusCode as 201).header('etag', versionEtag(result.body.version)).send(result.body)
  })

  app.get('/v1/applications', {
    config: readers,
    schema: {
      tags: ['applications'], summary: 'Applications the caller may see, newest first', security: bearer,
      description: 'Enterprise: its own. Reviewer: assigned to them, no conflict of interest. District officer: its district\'s firms\'. Officer, admin: all, as the meeting list — items add ' +
        '`firmName, uscc, district, tier, total, grade, disagreement, rank`; `sort=-score`; `format=csv|xlsx` (or Accept) exports the whole filter ' +
        '(xlsx: one sheet per state). Filters: callId, state, program, enterpriseId. `sort` and `format` are 403 for anyone else.',
      querystring: ListApplicationsQuerySchema,
      response: { 200: PageSchema(ApplicationListItemSchema), ...errorResponses(400, 401, 403) }
    }
  }, async (request, reply) => {
    const { sort, format, ...query } = request.query
    const user = request.user
    if (user.role !== 'officer' && user.role !== 'admin') {
      // The firms' and reviewers' list stays as it was: no score order (a firm does not see scores before the decision), no export.
      if (sort != null || (format != null && format !== 'json')) throw errors.forbidden()
      return await listApplications(app.db, user, query)
    }
    const as = exportFormat(format, request.headers.accept)
    if (as != null) return await sendMeetingExport(app.db, request, reply, user, { ...query, sort }, as)
    return await listMeeting(app.db, user, { ...query, sort })
  })

  app.get('/v1/applications/:id', {
    config: { ...readers, sessionInRead: true },
    schema: {
      tags: ['applications'], summary: 'One application (ETag = version)', security: bearer,
      params: IdParamsSchema,
      response: { 200: ApplicationSchema, ...errorResponses(400, 401, 403, 404) }
    }
  }, async (request, reply) => {
    // The rendered reply is kept per application and kind of viewer, and sent
    // again only while the rows' stamp is unchanged (server/lib/rendered-cache.ts).
    // When the session cache does not know the token, the read (or the stamp)
    // checks the session in the same statement (sessionInRead): one round trip.
    const { id } = request.params
    const deferred = request.deferredSession
    const reader = deferred == null ? { user: request.user } : { deferred }
    const key = `${id}|${applicationViewKind(deferred ?? request.user)}`
    const kept = rendered.get(key)
    if (kept != null) {
      const { stamp } = await readerApplicationStamp(app.db, reader, id)
      if (stamp == null) throw errors.notFound()
      if (stamp === kept.stamp) return sendJsonText(reply.header('etag', kept.etag), kept.body)
    }
    // After a stamp read the session is settled: the caller is request.user.
    const { view, stamp } = await readerStampedApplication(app.db, kept == null ? reader : { user: request.user }, id)
    const body = String(reply.serialize(view))
    const etag = versionEtag(view.version)
    rendered.set(key, { stamp, body, etag })
    return sendJsonText(reply.header('etag', etag), body)
  })

  app.patch('/v1/applications/:id', {
    config: applicant,
    schema: {
      tags: ['applications'], summary: 'Edit a draft or returned application', security: bearer,
      description: 'If-Match with the version is required (428 without, 412 when stale). Only the statement may be set here; documents have their own routes.',
      params: IdParamsSchema, headers: IfMatchHeadersSchema, body: UpdateApplicationBodySchema,
      response: { 200: ApplicationSchema, ...errorResponses(400, 401, 403, 404, 409, 412, 428) }
    }
  }, async (request, reply) => {
    const expected = expectedVersion(request.headers['if-match'], { required: true })
    const view = await updateApplication(app.db, request.user, request.params.id, request.body, expected, request.auditContext())
    return reply.header('etag', versionEtag(view.version)).send(view)
  })

  app.post('/v1/applications/:id/submit', {
    config: applicant,
    schema: {
      tags: ['applications'], summary: 'Submit inside the call window: freeze, check eligibility', security: bearer,
      description: 'Outside the window: 409 CALL_CLOSED (a returned application: within its revision days, else 409 REVISION_CLOSED). A required document missing: 409 MISSING_DOCUMENTS. Without a declaration of a year up to the call year: 409 DECLARATION_REQUIRED. Ends in `submitted`, or `ineligible` with every failed gate.',
      params: IdParamsSchema, headers: IfMatchOptionalSchema,
      response: { 200: ApplicationSchema, ...errorResponses(400, 401, 403, 404, 409, 412) }
    }
  }, async (request, reply) => {
    const view = await submitApplication(app.db, request.user, request.params.id, expectedVersion(request.headers['if-match']), request.auditContext())
    return reply.header('etag', versionEtag(view.version)).send(view)
  })

  app.post('/v1/applications/:id/check', {
    config: applicant,
    schema: {
      tags: ['applications'], summary: 'Self-check: what submit would say now, changing nothing', security: bearer,
      description: 'The owner\'s draft or returned application: failed eligibility gates, required documents still missing, the automatic scores, and whether the window accepts a submit.',
      params: IdParamsSchema,
      response: { 200: SelfCheckSchema, ...errorResponses(400, 401, 403, 404, 409) }
    }
  }, async (request) => await checkApplication(app.db, request.user, request.params.id))

  app.post('/v1/applications/:id/withdraw', {
    config: applicant,
    schema: {
      tags: ['applications'], summary: 'Withdraw before a decision', security: bearer,
      params: IdParamsSchema, headers: IfMatchOptionalSchema,
      response: { 200: ApplicationSchema, ...errorResponses(400, 401, 403, 404, 409, 412) }
    }
  }, async (request, reply) => {
    const view = await withdrawApplication(app.db, request.user, request.params.id, expectedVersion(request.headers['if-match']), request.auditContext())
    return reply.header('etag', versionEtag(view.version)).send(view)
  })
}
export default applicationsRoutes
