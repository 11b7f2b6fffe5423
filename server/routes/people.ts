import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import rateLimit from '@fastify/rate-limit'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { bearer, errorResponses, IdParamsSchema } from '../../schemas/common.ts'
import {
  AcceptedSchema, ChangePasswordBodySchema, FirmUserListSchema, FirmUserParamsSchema, FirmUserPatchSchema, FirmUserSchema, InviteBodySchema,
  OutboxPageSchema, OutboxQuerySchema, PasswordResetBodySchema, PasswordResetConfirmBodySchema, TransferBodySchema, TransferReplySchema
} from '../../schemas/people.ts'
import { SIGNED_IN } from '../domain/access.ts'
import { errors } from '../domain/errors.ts'
import { normalizeEmail } from '../services/accounts.ts'
import { listOutbox } from '../services/outbox.ts'
import { changePassword, confirmPasswordReset, inviteColleague, listFirmUsers, requestPasswordReset, transferEnterprise, updateFirmUser } from '../services/people.ts'
import type { AppConfig } from '../config.ts'

/** Password reset (public): ask for a link, set a new password with its token (or an invitation's). */
export const publicPeople: FastifyPluginAsyncTypebox<{ config: AppConfig }> = async (app, { config }) => {
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_req, ctx) => errors.rateLimited(Math.ceil(ctx.ttl / 1000))
  })
  const window = config.loginRateLimit.windowMs
  const emailLimit = app.createRateLimit({
    max: Math.max(5, Math.ceil(config.loginRateLimit.max / 2)),
    timeWindow: 15 * 60_000,
    keyGenerator: (req) => 'reset:' + normalizeEmail(String((req.body as { email?: unknown } | undefined)?.email ?? ''))
  })
  const perEmail = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const limit = await emailLimit(request)
    if (!limit.isAllowed && limit.isExceeded) {
      const retryAfter = Math.max(1, Math.ceil(limit.ttl / 1000))
      reply.header('retry-after', retryAfter)
      throw errors.rateLimited(retryAfter)
    }
  }

  app.post('/v1/auth/password-reset', {
    // Per client, and per email so nobody floods one inbox.
    config: { rateLimit: { max: Math.max(5, config.loginRateLimit.max), timeWindow: window } },
    preHandler: perEmail,
    schema: {
      tags: ['accounts'], summary: 'Ask for a password reset link by email (202 whether or not the email has an account)',
      description: 'An enabled account gets an email with a one-time link (valid 30 minutes; a newer request replaces it). The answer is the same either way.',
      body: PasswordResetBodySchema,
      response: { 202: AcceptedSchema, ...errorResponses(400, 429) }
    }
  }, async (request, reply) => {
    await requestPasswordReset(app.db, request.body.email, request.auditContext())
    return reply.code(202).send({ accepted: true as const })
  })

  app.post('/v1/auth/password-reset/confirm', {
    config: { rateLimit: { max: Math.max(5, config.loginRateLimit.max), timeWindow: window } },
    schema: {
      tags: ['accounts'], summary: 'Set a new password with the one-time token of a reset link or an invitation',
      description: 'The token works once and before it expires; every existing token of the account ends.',
      body: PasswordResetConfirmBodySchema,
      response: { 204: Type.Null(), ...errorResponses(400, 429) }
    }
  }, async (request, reply) => {
    await confirmPasswordReset(app.db, request.body.token, request.body.newPassword, request.auditContext())
    return reply.code(204).send(null)
  })
}

/** People help themselves: passwords, a firm's colleagues, transfers; the admins' view of the email outbox. */
const people: FastifyPluginAsyncTypebox<{ config: AppConfig }> = async (app, { config }) => {
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_req, ctx) => errors.rateLimited(Math.ceil(ctx.ttl / 1000))
  })
  const window = config.loginRateLimit.windowMs

  app.post('/v1/me/password', {
    config: { roles: SIGNED_IN, rateLimit: { max: config.loginRateLimit.max, timeWindow: window } },
    schema: {
      tags: ['accounts'], summary: 'Change your password; every other token ends',
      description: 'Every token issued before ends; this session continues with the replacement token in the `x-access-token` response header.',
      security: bearer, body: ChangePasswordBodySchema,
      response: { 204: Type.Null(), ...errorResponses(400, 401, 429) }
    }
  }, async (request, reply) => {
    const user = await changePassword(app.db, request.user.id, request.body.currentPassword, request.body.newPassword, request.auditContext())
    app.sessions.forgetUser(user.id)
    const token = await app.issueToken(user)
    return reply.code(204).header('x-access-token', token.accessToken).send(null)
  })

  app.get('/v1/enterprises/:id/users', {
    config: { roles: ['enterprise', 'officer', 'admin'] },
    schema: {
      tags: ['enterprises'], summary: "The firm's accounts: owner and members (the firm's own accounts, officers, admins)", security: bearer,
      params: IdParamsSchema, response: { 200: FirmUserListSchema, ...errorResponses(400, 401, 403, 404) }
    }
  }, async (request) => await listFirmUsers(app.db, request.user, request.params.id))

  app.post('/v1/enterprises/:id/users', {
    config: { roles: ['enterprise'] },
    schema: {
      tags: ['enterprises'], summary: 'The owner invites a colleague (a member account; the emailed link sets its password)', security: bearer,
      params: IdParamsSchema, body: InviteBodySchema,
      response: { 201: FirmUserSchema, ...errorResponses(400, 401, 403, 404, 409) }
    }
  }, async (request, reply) => reply.code(201).send(await inviteColleague(app.db, request.user, request.params.id, request.body, request.auditContext())))

  app.patch('/v1/enterprises/:id/users/:userId', {
    config: { roles: ['enterprise'] },
    schema: {
      tags: ['enterprises'], summary: "The owner changes a colleague's firm role or disables the account", security: bearer,
      params: FirmUserParamsSchema, body: FirmUserPatchSchema,
      response: { 200: FirmUserSchema, ...errorResponses(400, 401, 403, 404, 409) }
    }
  }, async (request) => {
    const view = await updateFirmUser(app.db, request.user, request.params.id, request.params.userId, request.body, request.auditContext())
    app.sessions.forgetUser(request.params.userId)
    return view
  })

  app.post('/v1/enterprises/:id/transfer', {
    config: { roles: ['officer'] },
    schema: {
      tags: ['enterprises'], summary: "Give a disputed credit code's account to the firm that proves it (audited)",
      description: 'Every earlier account of the firm is disabled; `email` becomes its owner and is sent a link that sets the password.',
      security: bearer, params: IdParamsSchema, body: TransferBodySchema,
      response: { 200: TransferReplySchema, ...errorResponses(400, 401, 403, 404, 409) }
    }
  }, async (request) => {
    const { disabledIds, ...result } = await transferEnterprise(app.db, request.params.id, request.body, request.auditContext())
    for (const id of disabledIds) app.sessions.forgetUser(id)
    return result
  })

  app.get('/v1/admin/outbox', {
    config: { roles: ['admin'] },
    schema: {
      tags: ['admin'], summary: 'The email outbox: queued, sending, sent, failed, skipped; attempts and the last error', security: bearer,
      querystring: OutboxQuerySchema, response: { 200: OutboxPageSchema, ...errorResponses(400, 401, 403) }
    }
  }, async (request) => await listOutbox(app.db, request.query))
}
export default people
