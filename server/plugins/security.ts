import fp from 'fastify-plugin'
import helmet, { type HelmetOptions } from 'helmet'
import cors from '@fastify/cors'
import underPressure from '@fastify/under-pressure'
import rateLimit from '@fastify/rate-limit'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { AppConfig } from '../config.ts'
import { errors } from '../domain/errors.ts'
import { rateLimitRedis, rateLimitStoreOptions } from '../lib/rate-limit-store.ts'

declare module 'fastify' {
  interface FastifyInstance {
    /** Store options for a registration of @fastify/rate-limit: in Redis when REDIS_URL is set (server/lib/rate-limit-store.ts). */
    rateLimitStore: (scope: string) => ReturnType<typeof rateLimitStoreOptions>
  }
}

/** Probes answer for themselves: liveness must not depend on load, readiness checks the database itself. */
const PROBES = new Set(['/health', '/ready'])

/** Reference data is public and the same for everyone, so caches may keep it; everything else under /v1 is private. */
const CACHEABLE = /^\/v1\/reference\//

/** Private answers outside /v1: the metrics (a token or loopback reads them). */
const PRIVATE_ROUTES = new Set(['/metrics'])

/** The headers helmet sets with these options, read off one run of its middleware. */
export function helmetHeaders (options: HelmetOptions): Record<string, string> {
  const headers: Record<string, string> = {}
  const recorder = {
    setHeader: (name: string, value: string | number | readonly string[]) => { headers[name.toLowerCase()] = String(value) },
    removeHeader: (name: string) => { delete headers[name.toLowerCase()] }
  }
  let failure: unknown
  helmet(options)({} as never, recorder as never, (err?: unknown) => { failure = err })
  if (failure != null) throw failure
  return headers
}

/** Path without the query string. */
const pathOf = (request: FastifyRequest): string => request.url.split('?')[0]

/** The path as the router reads it (percent-decoded); the raw path when it does not decode. */
function decodedPath (request: FastifyRequest): string {
  try {
    return decodeURIComponent(pathOf(request))
  } catch {
    return pathOf(request)
  }
}

/**
 * The service's outer wall (issue 6; OWASP API4:2023 unrestricted resource
 * consumption, API8:2023 security misconfiguration): security headers, CORS
 * for configured origins only, no caching of private data, 503 instead of
 * queueing when the process or the database is saturated, and a global rate
 * limit per signed-in user (per IP for anonymous callers).
 *
 * Registered after the database and auth plugins (the health check pings the
 * database, the rate-limit key verifies the token) and before any route.
 */
export default fp(async function securityPlugin (app: FastifyInstance, opts: { config: AppConfig }) {
  const { config } = opts

  // Same-origin front end (bundled JS/CSS served from /) and Swagger UI at /docs:
  // both load only their own scripts; Swagger UI needs inline styles and data: images.
  // helmet's headers do not depend on the request (no nonces), so they are
  // worked out once here; @fastify/helmet would rebuild helmet on every request.
  const headers = helmetHeaders({
    contentSecurityPolicy: {
      useDefaults: true,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        frameAncestors: ["'none'"],
        formAction: ["'self'"],
        objectSrc: ["'none'"],
        // The service may run on plain HTTP inside the city's network; TLS is the proxy's job.
        upgradeInsecureRequests: null
      }
    },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' }
  })
  const privateHeaders = { ...headers, 'cache-control': 'no-store' }
  app.addHook('onRequest', (request, reply, done) => {
    // Reference data is public and the same for everyone; everything else under /v1 is private. Decided on the route the
    // router chose (it decodes the path: /%761/audit is /v1/audit), never on the raw URL; a /v1 path no route takes
    // (answered by the front end's fallback or the 404 handler) is private too, and so are the metrics.
    const route = request.routeOptions.url ?? ''
    const cacheable = CACHEABLE.test(route) ||
      (!route.startsWith('/v1/') && !PRIVATE_ROUTES.has(route) && !decodedPath(request).startsWith('/v1'))
    reply.headers(cacheable ? headers : privateHeaders)
    done()
  })

  if (config.corsOrigins.length > 0) {
    await app.register(cors, {
      origin: config.corsOrigins,
      methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
      allowedHeaders: ['authorization', 'content-type', 'if-match', 'idempotency-key', 'accept-language', 'x-request-id'],
      exposedHeaders: ['etag', 'retry-after', 'x-request-id', 'content-disposition'],
      maxAge: 600
    })
  }

  // JSON only (and whatever a route registers for itself, e.g. multipart):
  // a text/plain body is 415, not a string that fails validation later.
  if (app.hasContentTypeParser('text/plain')) app.removeContentTypeParser('text/plain')

  const { overload } = config
  await app.register(underPressure, {
    // Embedded PGlite runs its queries on the event loop, so there the delay
    // measures the database's own work, not saturation: checked on PostgreSQL only.
    maxEventLoopDelay: app.database.kind === 'postgres' ? overload.maxEventLoopDelayMs : 0,
    maxHeapUsedBytes: overload.maxHeapUsedBytes,
    maxRssBytes: overload.maxRssBytes,
    // The shared error handler renders the 503 (SERVICE_UNAVAILABLE with Retry-After).
    pressureHandler: (request, _reply, type) => {
      if (PROBES.has(pathOf(request))) return undefined
      request.log.warn({ pressure: type }, 'shedding load')
      return Promise.reject(errors.unavailable())
    }
  })

  const redis = config.redisUrl != null ? rateLimitRedis(config.redisUrl, app.log) : undefined
  if (redis != null) app.addHook('onClose', async () => { await redis.quit().catch(() => redis.disconnect()) })
  app.decorate('rateLimitStore', (scope: string) => rateLimitStoreOptions(redis, config.redisPrefix, scope))

  if (overload.dbHealthIntervalMs > 0) watchDatabase(app, overload.dbHealthIntervalMs)

  if (config.rateLimit.max > 0) {
    // The library registered in a child context so that route modules can
    // register their own (login, registration) without clashing with it.
    let checkLimit: ((request: FastifyRequest) => Promise<{
      isAllowed: boolean, isExceeded?: boolean, ttl?: number, max?: number,
      remaining?: number
    }>) | undefined
    await app.register(async (child) => {
      await child.register(rateLimit, { global: false, ...app.rateLimitStore('global') })
      checkLimit = child.createRateLimit({
        max: config.rateLimit.max,
        timeWindow: config.rateLimit.windowMs,
        keyGenerator: (request) => rateLimitKey(app, request)
      })
    })
    app.addHook('onRequest', async (request, reply) => {
      if (PROBES.has(pathOf(request))) return
      const r = await checkLimit!(request)
      if (r.isAllowed) return
      reply.header('x-ratelimit-limit', r.max).header('x-ratelimit-remaining', r.remaining)
      if (r.isExceeded === true) {
        const retryAfter = Math.max(1, Math.ceil((r.ttl ?? 0) / 1000))
        reply.header('retry-after', retryAfter)
        throw errors.rateLimited(retryAfter)
      }
    })
  }
}, { name: 'security', dependencies: ['db', 'auth'] })

/** While the database is failing, it is pinged this often, so the service is back within this of its return. */
const FAILING_INTERVAL_MS = 250
/** A ping that takes longer than this counts as a failure. */
const PING_TIMEOUT_MS = 1000

/**
 * Fail fast, recover fast: pings the database every `intervalMs` while it
 * answers and every {@link FAILING_INTERVAL_MS} while it does not. While it
 * does not, every API request is answered at once with 503 and Retry-After
 * instead of waiting for a connection; what needs no database (the probes,
 * the web front end, the API documents) keeps answering.
 */
function watchDatabase (app: FastifyInstance, intervalMs: number): void {
  let up = true
  let timer: NodeJS.Timeout | undefined
  let closing = false
  const check = async (): Promise<void> => {
    try {
      await Promise.race([
        app.database.ping(),
        new Promise((_resolve, reject) => setTimeout(() => reject(new Error('database ping timed out')), PING_TIMEOUT_MS).unref())
      ])
      if (!up) app.log.info('database answers again')
      up = true
    } catch (err) {
      if (up) app.log.warn({ err }, 'database unavailable: answering 503 until it returns')
      up = false
    }
    if (!closing) {
      timer = setTimeout(() => { check().catch(() => {}) }, up ? intervalMs : FAILING_INTERVAL_MS)
      timer.unref()
    }
  }
  app.addHook('onReady', async () => {
    timer = setTimeout(() => { check().catch(() => {}) }, intervalMs)
    timer.unref()
  })
  app.addHook('preClose', async () => {
    closing = true
    if (timer != null) clearTimeout(timer)
  })
  // A callback hook, not an async one: it runs on every request and almost always just passes.
  app.addHook('onRequest', (request, _reply, done) => {
    if (up || !pathOf(request).startsWith('/v1/')) done()
    else done(errors.unavailable())
  })
}

/**
 * The bucket a request counts against: the user of a token whose signature
 * checks out (an HMAC, microseconds; no database), else the client IP, so
 * forged tokens cannot spread one client over many buckets.
 */
export function rateLimitKey (app: FastifyInstance, request: FastifyRequest): string {
  const header = request.headers.authorization
  if (typeof header === 'string' && header.startsWith('Bearer ')) {
    try {
      const payload = app.jwtKeys.verify<{ sub?: unknown }>(header.slice(7))
      if (typeof payload.sub === 'string') return 'user:' + payload.sub
    } catch {
      // fall through to the IP
    }
  }
  return 'ip:' + request.ip
}
