import fp from 'fastify-plugin'
import { randomUUID } from 'node:crypto'
import fastifyJwt from '@fastify/jwt'
import { and, eq, gt, sql } from 'drizzle-orm'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { AppConfig } from '../config.ts'
import { users, revokedTokens, type Role } from '../../db/schema/index.ts'
import type { Principal } from '../domain/access.ts'
import { errors } from '../domain/errors.ts'
import type { AuditContext } from '../lib/audit.ts'
import { SESSION_CHANNEL, SessionCache, type SessionState } from '../lib/session-cache.ts'
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
  }
  interface FastifyRequest {
    /** Who is acting, for the audit trail. */
    auditContext: () => AuditContext
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
  const sessionLookup = app.db
    .select({
      role: users.role,
      enterpriseId: users.enterpriseId,
      disabled: users.disabled,
      tokenVersion: users.tokenVersion,
      revoked: sql<boolean>`exists (select 1 from ${revokedTokens} where ${revokedTokens.jti} = ${sql.placeholder('jti')})`
    })
    .from(users)
    .where(eq(users.id, sql.placeholder('id')))
    .prepare('session_lookup')

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
    const [row] = await sessionLookup.execute({ id: payload.sub, jti: payload.jti })
    if (row == null) return undefined
    const state: SessionState = { userId: payload.sub, ...row }
    sessions.put(payload.jti, state, epoch)
    return state
  }

  async function authenticate (request: FastifyRequest): Promise<void> {
    let payload: TokenPayload
    const header = request.headers.authorization
    if (typeof header !== 'string' || !/^Bearer [^\s]+$/i.test(header)) throw errors.unauthorized()
    try {
      payload = keys.verify<TokenPayload>(header.slice(7))
    } catch {
      throw errors.unauthorized()
    }
    if (typeof payload.sub !== 'string' || !/^[0-9a-f-]{36}$/i.test(payload.sub) || typeof payload.jti !== 'string') throw errors.unauthorized()
    const session = await sessionOf(payload)
    if (session == null || session.disabled || session.revoked || session.tokenVersion !== payload.tv || session.role !== payload.role) {
      throw errors.unauthorized()
    }
    request.user = { id: payload.sub, role: session.role as Role, enterpriseId: session.enterpriseId, jti: payload.jti, exp: payload.exp }
  }

  app.decorate('authorize', async function (request: FastifyRequest) {
    await authenticate(request)
    const roles = request.routeOptions.config.roles
    if (roles == null || !roles.includes(request.user.role)) throw errors.forbidden()
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
