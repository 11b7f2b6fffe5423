import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import rateLimit from '@fastify/rate-limit'
import { bearer, errorResponses } from '../../schemas/common.ts'
import {
  ConfirmEmailBodySchema, ConfirmEmailReplySchema, LoginBodySchema, MeReplySchema, RegisterBodySchema, RegisterReplySchema, TokenReplySchema, UpdateMeBodySchema
} from '../../schemas/accounts.ts'
import { SIGNED_IN } from '../domain/access.ts'
import { errors } from '../domain/errors.ts'
import { checkCredentials, confirmEmail, getMe, meView, normalizeEmail, registerEnterprise, updateOwnDomains } from '../services/accounts.ts'
import { revokeToken } from '../plugins/auth.ts'
import type { AppConfig } from '../config.ts'

/** Registration and sign-in: public, rate limited. */
export const publicAuth: FastifyPluginAsyncTypebox<{ config: AppConfig }> = async (app, { config }) => {
  // Login and registration are rate limited per client IP (X-Forwarded-For only
  // behind a configured TRUST_PROXY) and, for login, per account as well.
  await app.register(rateLimit, {
    global: false,
    ...app.rateLimitStore('auth'),
    errorResponseBuilder: (_req, ctx) => errors.rateLimited(Math.ceil(ctx.ttl / 1000))
  })
  // createRateLimit, not rateLimit(): the library runs one rateLimit() hook per
  // request, so after the per-IP route limit the per-account one was skipped.
  const accountLimit = app.createRateLimit({
    max: config.loginRateLimit.max,
    timeWindow: config.loginRateLimit.windowMs,
    keyGenerator: (req) => 'acct:' + normalizeEmail(String((req.body as { email?: unknown } | undefined)?.email ?? ''))
  })
  const perAccount = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const limit = await accountLimit(request)
    if (!limit.isAllowed && limit.isExceeded) {
      const retryAfter = Math.max(1, Math.ceil(limit.ttl / 1000))
      reply.header('retry-after', retryAfter)
      throw errors.rateLimited(retryAfter)
    }
  }

  app.post('/v1/auth/register', {
    config: { rateLimit: { max: Math.max(5, config.loginRateLimit.max), timeWindow: config.loginRateLimit.windowMs } },
    schema: {
      tags: ['accounts'],
      summary: 'An enterprise signs up with its unified social credit code',
      description: 'Creates the firm and an unconfirmed owner account and emails a confirmation link. The answer is the same whether or not the ' +
        'address already has an account (an address is unique among confirmed accounts only); a taken credit code is 409 REGISTRATION_CONFLICT.',
      body: RegisterBodySchema,
      response: { 201: RegisterReplySchema, ...errorResponses(400, 409, 429) }
    }
  }, async (request, reply) => {
    const result = await registerEnterprise(app.db, request.body, request.auditContext())
    return reply.code(201).send(result)
  })

  app.post('/v1/auth/confirm', {
    config: { rateLimit: { max: Math.max(5, config.loginRateLimit.max), timeWindow: config.loginRateLimit.windowMs } },
    schema: {
      tags: ['accounts'],
      summary: 'Confirm an address with the token of the emailed confirmation link (works once)',
      description: 'An unknown, used or expired token is 400 TOKEN_INVALID; an address another account has confirmed is 409 EMAIL_ALREADY_CONFIRMED.',
      body: ConfirmEmailBodySchema,
      response: { 200: ConfirmEmailReplySchema, ...errorResponses(400, 409, 429) }
    }
  }, async (request) => await confirmEmail(app.db, request.body.token, request.auditContext()))

  app.post('/v1/auth/login', {
    config: { rateLimit: { max: config.loginRateLimit.max * 3, timeWindow: config.loginRateLimit.windowMs } },
    preHandler: perAccount,
    schema: {
      tags: ['accounts'],
      summary: 'Sign in: returns a bearer token',
      description: 'Unknown email, wrong password and disabled account answer alike (401 INVALID_CREDENTIALS).',
      body: LoginBodySchema,
      response: { 200: TokenReplySchema, ...errorResponses(400, 401, 429) }
    }
  }, async (request) => {
    const user = await checkCredentials(app.db, request.body.email, request.body.password).catch((err: unknown) => {
      request.log.info({ event: 'login_failed' }, 'login failed')
      throw err
    })
    const token = await app.issueToken(user)
    request.log.info({ event: 'login', userId: user.id }, 'signed in')
    return { accessToken: token.accessToken, tokenType: 'Bearer' as const, expiresIn: token.expiresIn }
  })
}

/** The signed-in caller's session: who am I, my fields of expertise, and sign out. */
const auth: FastifyPluginAsyncTypebox = async (app) => {
  app.post('/v1/auth/logout', {
    config: { roles: SIGNED_IN },
    schema: { tags: ['accounts'], summary: 'Sign out: this token stops working', security: bearer, response: { 204: Type.Null(), ...errorResponses(401) } }
  }, async (request, reply) => {
    await revokeToken(app, request.user.jti, request.user.exp)
    return reply.code(204).send(null)
  })

  app.get('/v1/me', {
    config: { roles: SIGNED_IN },
    schema: { tags: ['accounts'], summary: 'The signed-in caller', security: bearer, response: { 200: MeReplySchema, ...errorResponses(401) } }
  }, async (request) => await getMe(app.db, request.user.id))

  app.patch('/v1/me', {
    config: { roles: ['reviewer'] },
    schema: {
      tags: ['accounts'], summary: 'A reviewer sets their own fields of expertise', security: bearer,
      description: 'domains: codes of /v1/reference/domains (unknown: 400 UNKNOWN_REFERENCE). Automatic assignment prefers reviewers whose fields meet the firm\'s.',
      body: UpdateMeBodySchema,
      response: { 200: MeReplySchema, ...errorResponses(400, 401, 403) }
    }
  }, async (request) => meView(await updateOwnDomains(app.db, request.user.id, request.body.domains, request.auditContext())))
}
export default auth
