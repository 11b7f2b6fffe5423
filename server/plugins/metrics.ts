import { timingSafeEqual } from 'node:crypto'
import fp from 'fastify-plugin'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import type { AppConfig } from '../config.ts'
import { errors } from '../domain/errors.ts'

/** Seconds; from a cached reply (~0.1 ms) to the slowest export. */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

const LOOPBACK = /^(127\.|::1$|::ffff:127\.)/

function tokenMatches (request: FastifyRequest, token: string): boolean {
  const header = request.headers.authorization ?? ''
  const sent = Buffer.from(header.startsWith('Bearer ') ? header.slice(7) : '')
  const expected = Buffer.from(token)
  return sent.length === expected.length && timingSafeEqual(sent, expected)
}

/**
 * GET /metrics in Prometheus' text format: request rate and latency by route
 * (the route's pattern, never the raw URL, so ids do not explode the label
 * set), the database pool and its health, and the process (event-loop delay,
 * heap, GC, CPU) from prom-client's default collectors. One registry per app,
 * so several apps in one process (tests) do not share series.
 *
 * Access: with METRICS_TOKEN, a bearer token; without it, loopback clients
 * only (a scraper on the same host or pod). Anyone else gets 404, as for a
 * path that does not exist.
 */
export default fp(async function metricsPlugin (app: FastifyInstance, opts: { config: AppConfig }) {
  const { metrics } = opts.config
  if (!metrics.enabled) return
  const register = new Registry()
  collectDefaultMetrics({ register, prefix: 'peiyu_', eventLoopMonitoringPrecision: 10 })

  const labelNames = ['method', 'route', 'status_code'] as const
  const requests = new Counter({ name: 'peiyu_http_requests_total', help: 'HTTP requests answered', labelNames, registers: [register] })
  const latency = new Histogram({
    name: 'peiyu_http_request_duration_seconds',
    help: 'Time from the request arriving to the reply being sent',
    labelNames,
    buckets: LATENCY_BUCKETS,
    registers: [register]
  })
  const database = app.database
  new Gauge({ // eslint-disable-line no-new -- registered through `registers`
    name: 'peiyu_db_pool_connections_max',
    help: 'Connections the database pool may open (1 for embedded PGlite)',
    registers: [register],
    collect () { this.set(database.kind === 'postgres' ? opts.config.dbPoolSize : 1) }
  })
  const dbUp = new Gauge({ name: 'peiyu_db_up', help: '1 when the database answered the scrape\'s ping within 1 s', registers: [register] })
  const dbPing = new Gauge({ name: 'peiyu_db_ping_seconds', help: 'Round trip of the scrape\'s database ping', registers: [register] })

  // Each series' children by method, route and status, looked up once: labelling on every request
  // (validating and hashing the label set) costs more than the observation itself.
  const series = new Map<string, { count: ReturnType<typeof requests.labels>, time: ReturnType<typeof latency.labels> }>()
  app.addHook('onResponse', (request, reply, done) => {
    // Unmatched paths share one label: a scanner's URLs must not become series.
    const route = request.routeOptions.url ?? 'unmatched'
    if (route !== '/metrics') {
      const key = `${request.method} ${reply.statusCode} ${route}`
      let s = series.get(key)
      if (s == null) {
        const labels = { method: request.method, route, status_code: reply.statusCode }
        series.set(key, s = { count: requests.labels(labels), time: latency.labels(labels) })
      }
      s.count.inc()
      s.time.observe(reply.elapsedTime / 1000)
    }
    done()
  })

  app.get('/metrics', { schema: { hide: true }, config: { rateLimit: false } }, async (request, reply) => {
    const allowed = metrics.token != null ? tokenMatches(request, metrics.token) : LOOPBACK.test(request.ip)
    if (!allowed) throw errors.notFound()
    const started = process.hrtime.bigint()
    try {
      await Promise.race([database.ping(), new Promise((_resolve, reject) => setTimeout(() => reject(new Error('ping timeout')), 1000).unref())])
      dbUp.set(1)
      dbPing.set(Number(process.hrtime.bigint() - started) / 1e9)
    } catch {
      dbUp.set(0)
    }
    return reply.type(register.contentType).send(await register.metrics())
  })
}, { name: 'metrics', dependencies: ['db'] })
