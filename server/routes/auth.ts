import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { eq } from 'drizzle-orm'
import rateLimit from '@fastify/rate-limit'
import { users } from '../../db/schema/index.ts'
import { bearer, errorResponses } from '../../schemas/common.ts'
import { LoginBodySchema, MeReplySchema, RegisterBodySchema, RegisterReplySchema, TokenReplySchema, UpdateMeBodySchema } from '../../schemas/accounts.ts'
import { errors, AppError } from '../domain/errors.ts'
import { verifyPassword, verifyAgainstDummy } from '../lib/passwords.ts'
import { normalizeEmail, registerEnterprise, updateOwnDomains } from '../services/accounts.ts'
import { revokeToken } from '../plugins/auth.ts'
import type { AppConfig } from '../config.ts'

function meView (u: typeof users.$inferSelect) {
  return {
    id: u.id, email: u.email, name: u.name, role: u.role,
    ...(u.enterpriseId != null ? { enterpriseId: u.enterpriseId } : {}),
    ...(u.role === 'reviewer' ? { domains: u.domains } : {})
  }
}

const auth: FastifyPluginAsyncTypebox<{ config: AppConfig }> = async (app, { config }) => {
  // Login and registration are rate limited per client IP (X-Forwarded-For only
  // behind a configured TRUST_PROXY) and, for login, per account as well.
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_req, ctx) => new AppError(429, 'RATE_LIMITED', { retryAfter: Math.ceil(ctx.ttl / 1000) })
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
      throw new AppError(429, 'RATE_LIMITED', { retryAfter })
    }
  }

  app.post('/v1/auth/register', {
    config: { rateLimit: { max: Math.max(5, config.loginRateLimit.max), timeWindow: config.loginRateLimit.windowMs } },
    schema: {
      tags: ['accounts'],
      summary: 'An enterprise signs up with its unified social credit code',
      body: RegisterBodySchema,
      response: { 201: RegisterReplySchema, ...errorResponses(400, 409, 429) }
    }
  }, async (request, reply) => {
    const result = await registerEnterprise(app.db, request.body, request.auditContext())
    return reply.code(201).send(result)
  })

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
    const email = normalizeEmail(request.body.email)
    const [user] = await app.db.select().from(users).where(eq(users.email, email)).limit(1)
    const ok = user == null
      ? await verifyAgainstDummy(request.body.password)
      : await verifyPassword(user.passwordHash, request.body.password)
    if (!ok || user == null || user.disabled) {
      request.log.info({ event: 'login_failed' }, 'login failed')
      throw errors.invalidCredentials()
    }
    const token = await app.issueToken(user)
    request.log.info({ event: 'login', userId: user.id }, 'signed in')
    return { accessToken: token.accessToken, tokenType: 'Bearer' as const, expiresIn: token.expiresIn }
  })

  app.register(async function signedIn (app) {
    app.addHook('onRequest', app.authenticate)

    app.post('/v1/auth/logout', {
      schema: { tags: ['accounts'], summary: 'Sign out: this token stops working', security: bearer, response: { 204: Type.Null(), ...errorResponses(401) } }
    }, async (request, reply) => {
      await revokeToken(app, request.user.jti, request.user.exp)
      return reply.code(204).send()
    })

    app.get('/v1/me', {
      schema: { tags: ['accounts'], summary: 'The signed-in caller', security: bearer, response: { 200: MeReplySchema, ...errorResponses(401) } }
    }, async (request) => {
      const [u] = await app.db.select().from(users).where(eq(users.id, request.user.id))
      if (u == null) throw errors.unauthorized()
      return meView(u)
    })

    app.patch('/v1/me', {
      preHandler: app.requireRole('reviewer'),
      schema: {
        tags: ['accounts'], summary: 'A reviewer sets their own fields of expertise', security: bearer,
        description: 'domains: codes of /v1/reference/domains (unknown: 400 UNKNOWN_REFERENCE). Automatic assignment prefers reviewers whose fields meet the firm\'s.',
        body: UpdateMeBodySchema,
        response: { 200: MeReplySchema, ...errorResponses(400, 401, 403) }
      }
    }, async (request) => meView(await updateOwnDomains(app.db, request.user.id, (request.body as { domains: string[] }).domains, request.auditContext())))
  })
}
export default auth
