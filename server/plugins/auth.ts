import fp from 'fastify-plugin'
import { randomUUID } from 'node:crypto'
import fastifyJwt from '@fastify/jwt'
import { and, gt, sql } from 'drizzle-orm'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { AppConfig } from '../config.ts'
import { revokedTokens, type Role } from '../../db/schema/index.ts'
import type { Principal } from '../domain/access.ts'
import { errors } from '../domain/errors.ts'
import type { AuditContext } from '../lib/audit.ts'
import { SESSION_CHANNEL, SessionCache, sessionRowQuery, type DeferredSession, type SessionRow, type SessionState } from '../lib/session-cache.ts'
import { KeyRing, sharedJwtSecret } from '../lib/jwt-keys.ts'

/** What a verified token says. `tv` is the user's token version when it was issued. */
export interface TokenPayload { sub: string, role: Role, jti: string, tv: number, exp: number, iat: number }

declare module '@fastify/jwt' {
  interface FastifyJWT { payload: Omit<TokenPayload, 'exp' | 'iat'>, user: Principal }
}

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * The authenticated scope's onRequest hook (server/routes/index.ts), the
     * only one: 401 unless the bearer token is valid, unexpired, unrevoked and
     * its user still enabled with the same role; then 403 unless the caller's
     * role is one the route declares in `config.roles`. It runs before the
     * body is parsed or validated, so a forbidden caller never learns whether
     * its input was valid.
     */
    authorize: (request: FastifyRequest, reply: FastifyReply) => Promise<void>
    issueToken: (user: { id: string, role: Role, tokenVersion: number }) => Promise<{ accessToken: string, expiresIn: number }>
    /** The session checks answered from memory; forget a token or a user after revoking or changing them. */
    sessions: SessionCache
    /** The token verifier by key id (current and previous secrets). */
    jwtKeys: KeyRing
  }
  interface FastifyContextConfig {
    /** The roles that may call the route; every route in the authenticated scope declares them (server/domain/access.ts SIGNED_IN for all). */
    roles?: readonly Role[]
    /**
     * The route's read carries the session check when the session cache does
     * not know the token (request.deferredSession); see DeferredSession.
     */
    sessionInRead?: boolean
  }
  interface FastifyRequest {
    /** Who is acting, for the audit trail. */
    auditContext: () => AuditContext
    /** Set instead of `user` on a `sessionInRead` route whose read checks the session; null once settled (and on other routes). */
    deferredSession: DeferredSession | null
  }
}

export default fp(async function authPlugin (app: FastifyInstance, opts: { config: AppConfig }) {
  const { config } = opts
  const secret = config.jwtSecret ?? await sharedJwtSecret(app.db)
  const verify = {
    algorithms: ['HS256' as const],
    allowedIss: config.jwtIssuer,
    allowedAud: config.jwtAudience,
    requiredClaims: ['exp', 'iat', 'jti', 'sub', 'role', 'tv', 'iss', 'aud'],
    // fast-jwt keeps verified tokens (by a hash of the token) until their
    // own expiry: a client's repeated calls skip the HMAC and the decoding.
    // Revocation is not the verifier's business: the session check follows.
    cache: 10_000
  }
  const keys = new KeyRing(secret, config.jwtPreviousSecrets, verify)
  app.decorate('jwtKeys', keys)
  await app.register(fastifyJwt, {
    secret,
    sign: { algorithm: 'HS256', iss: config.jwtIssuer, aud: config.jwtAudience, expiresIn: `${config.tokenTtl}s`, kid: keys.currentKid },
    verify
  })

  // The session check: the user's current state and whether this token was
  // revoked, in one round trip, answered from the session cache when it can be.
  const sessionLookup = sessionRowQuery(app.db).prepare('session_lookup')

  const sessions = new SessionCache(config.sessionCacheTtlMs)
  app.decorate('sessions', sessions)
  if (sessions.enabled) {
    // Other processes (and changes made outside the service) tell us through NOTIFY (db/migrations/0010).
    const stopListening = await app.database.listen(SESSION_CHANNEL, payload => { sessions.applyNotification(payload) }, () => { sessions.clear() })
    app.addHook('preClose', async () => { await stopListening().catch(() => {}) })
  }

  async function sessionOf (payload: TokenPayload): Promise<SessionState | undefined> {
    const cached = sessions.get(payload.jti)
    if (cached != null && cached.userId === payload.sub) return cached
    const epoch = sessions.epoch()
    const [row] = await sessionLookup.execute({ userId: payload.sub, jti: payload.jti })
    return keep(payload, row, epoch)
  }

  function keep (payload: TokenPayload, row: SessionRow | undefined, epoch: number): SessionState | undefined {
    if (row == null) return undefined
    const state: SessionState = { userId: payload.sub, ...row }
    sessions.put(payload.jti, state, epoch)
    return state
  }

  /** The caller, or 401 unless the session is the token's: user enabled, same role and token version, token not revoked. */
  function principalOf (payload: TokenPayload, session: SessionState | undefined): Principal {
    if (session == null || session.disabled || session.revoked || session.tokenVersion !== payload.tv || session.role !== payload.role) {
      throw errors.unauthorized()
    }
    return { id: payload.sub, role: session.role as Role, enterpriseId: session.enterpriseId, jti: payload.jti, exp: payload.exp }
  }

  function verifiedToken (request: FastifyRequest): TokenPayload {
    let payload: TokenPayload
    const header = request.headers.authorization
    if (typeof header !== 'string' || !/^Bearer [^\s]+$/i.test(header)) throw errors.unauthorized()
    try {
      payload = keys.verify<TokenPayload>(header.slice(7))
    } catch {
      throw errors.unauthorized()
    }
    if (typeof payload.sub !== 'string' || !/^[0-9a-f-]{36}$/i.test(payload.sub) || typeof payload.jti !== 'string') throw errors.unauthorized()
    return payload
  }

  /**
   * A `sessionInRead` route gets the session check in its own read when the
   * cache does not know the token, the token's role may call the route and
   * its input is valid (a token that turns out refused still gets 401, never
   * a 400 that would tell it about its input). Anything else is checked here.
   */
  function defers (request: FastifyRequest, payload: TokenPayload, roles: readonly Role[] | undefined): boolean {
    if (request.routeOptions.config.sessionInRead !== true || roles == null || !roles.includes(payload.role)) return false
    const cached = sessions.get(payload.jti)
    if (cached != null && cached.userId === payload.sub) return false
    if (request.getValidationFunction('body') != null) return false
    for (const part of ['params', 'querystring', 'headers'] as const) {
      const validate = request.getValidationFunction(part)
      const input = part === 'params' ? request.params : part === 'querystring' ? request.query : request.headers
      // A copy: the validator may coerce what it checks, and Fastify validates the request's own values afterwards.
      if (validate != null && validate({ ...(input as object) }) !== true) return false
    }
    return true
  }

  app.decorateRequest('deferredSession', null)
  app.decorate('authorize', async function (request: FastifyRequest) {
    const payload = verifiedToken(request)
    const roles = request.routeOptions.config.roles
    if (defers(request, payload, roles)) {
      const epoch = sessions.epoch()
      request.deferredSession = {
        userId: payload.sub,
        jti: payload.jti,
        role: payload.role,
        settle: (row) => {
          request.deferredSession = null
          request.user = principalOf(payload, keep(payload, row, epoch))
          return request.user
        }
      }
      return
    }
    request.user = principalOf(payload, await sessionOf(payload))
    if (roles == null || !roles.includes(request.user.role)) throw errors.forbidden()
  })

  // A sessionInRead route that answered without settling its session would have answered an unchecked token: refuse the reply.
  app.addHook('onRoute', (route) => {
    if (route.config?.sessionInRead !== true) return
    const unsettled = (request: FastifyRequest, reply: FastifyReply, payload: unknown, done: (err: Error | null, payload?: unknown) => void) => {
      if (request.deferredSession != null && reply.statusCode < 500) done(new Error(`${route.url} answered without settling its deferred session check`))
      else done(null, payload)
    }
    const own = route.onSend == null ? [] : Array.isArray(route.onSend) ? route.onSend : [route.onSend]
    route.onSend = [...own, unsettled] as typeof route.onSend
  })

  app.decorate('issueToken', async function (user: { id: string, role: Role, tokenVersion: number }) {
    const accessToken = await app.jwt.sign({ sub: user.id, role: user.role, jti: randomUUID(), tv: user.tokenVersion })
    return { accessToken, expiresIn: config.tokenTtl }
  })

  app.decorateRequest('auditContext', function (this: FastifyRequest): AuditContext {
    const u = this.user as Principal | undefined
    return { actorId: u?.id ?? null, actorRole: u?.role ?? null, requestId: this.id }
  })
}, { name: 'auth', dependencies: ['db'] })

/** Ends one token before its expiry (logout). */
export async function revokeToken (app: FastifyInstance, jti: string, exp: number): Promise<void> {
  const db = app.db
  await db.insert(revokedTokens).values({ jti, expiresAt: new Date(exp * 1000) }).onConflictDoNothing()
  app.sessions.forgetToken(jti)
  // Housekeeping: rows of tokens that have expired anyway are no longer needed.
  await db.delete(revokedTokens).where(and(gt(sql`now()`, revokedTokens.expiresAt), sql`random() < 0.05`))
}
