import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import t from 'tap'
import { loadConfig } from '../server/config.ts'
import { buildTestApp } from './helper.ts'

// What operators observe the service with: /metrics, the paths that never fall
// back to the front end, tracing, and the log format switch.

// Each app opens a database and applies every migration: share one where the case allows.
t.setTimeout(600_000)
const app = await buildTestApp(t)

t.test('/metrics: Prometheus text from loopback, by route pattern, with the database and the event loop', async t => {
  await app.inject({ method: 'GET', url: '/v1/reference/tiers' })
  await app.inject({ method: 'GET', url: '/v1/enterprises/00000000-0000-0000-0000-000000000000' })
  const res = await app.inject({ method: 'GET', url: '/metrics' })
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-type'], /^text\/plain; version=0\.0\.4/)
  const body = res.body
  t.match(body, /peiyu_http_requests_total\{method="GET",route="\/v1\/reference\/tiers",status_code="200"\} 1/)
  t.match(body, /peiyu_http_requests_total\{method="GET",route="\/v1\/enterprises\/:id",status_code="401"\} 1/,
    'labelled by the route pattern, not the URL with its id')
  t.match(body, /peiyu_http_request_duration_seconds_bucket\{le="0\.005",method="GET",route="\/v1\/reference\/tiers"/)
  t.match(body, /peiyu_nodejs_eventloop_lag_seconds /)
  t.match(body, /peiyu_db_up 1/)
  t.match(body, /peiyu_db_pool_connections_max \d+/)
  t.notMatch(body, /route="\/metrics"/, 'the scrape does not count itself')
})

t.test('/metrics: 404 for a client that is not on loopback, and behind METRICS_TOKEN when one is set', async t => {
  const open = app
  const remote = await open.inject({ method: 'GET', url: '/metrics', remoteAddress: '10.1.2.3' })
  t.equal(remote.statusCode, 404)
  t.equal(remote.json().code, 'NOT_FOUND')

  const token = 'scrape-token-0123456789abcdef'
  const guarded = await buildTestApp(t, { metrics: { enabled: true, token } })
  t.equal((await guarded.inject({ method: 'GET', url: '/metrics' })).statusCode, 404, 'loopback alone is not enough once a token is set')
  t.equal((await guarded.inject({ method: 'GET', url: '/metrics', headers: { authorization: 'Bearer wrong-token-0123456789abc' } })).statusCode, 404)
  const ok = await guarded.inject({ method: 'GET', url: '/metrics', remoteAddress: '10.1.2.3', headers: { authorization: `Bearer ${token}` } })
  t.equal(ok.statusCode, 200)
  t.match(ok.body, /peiyu_process_cpu_seconds_total/)
})

t.test('unknown paths under /v1, /docs, /metrics, /health and /ready are JSON 404s, never the front end', async t => {
  for (const url of ['/v1/nope', '/v1', '/docs/nope', '/metrics/x', '/health/x', '/ready/x']) {
    const res = await app.inject({ method: 'GET', url })
    t.equal(res.statusCode, 404, url)
    t.match(res.headers['content-type'], /application\/json/, `${url} is JSON`)
  }
  const page = await app.inject({ method: 'GET', url: '/officer/calls' })
  t.equal(page.statusCode, 200, 'a client-side route still gets the page')
  t.match(page.body, /<!doctype html>/i)
})

t.test('tracing: with OTEL_EXPORTER_OTLP_ENDPOINT every request becomes a span exported over OTLP/HTTP', async t => {
  const received: Array<{ url: string, body: string }> = []
  const collector = createServer((req: IncomingMessage, res) => {
    let body = ''
    req.on('data', (chunk: Buffer) => { body += chunk.toString() })
    req.on('end', () => { received.push({ url: req.url ?? '', body }); res.writeHead(200, { 'content-type': 'application/json' }).end('{}') })
  })
  await new Promise<void>(resolve => collector.listen(0, '127.0.0.1', resolve))
  t.teardown(() => { collector.close() })
  const endpoint = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`

  const traced = await buildTestApp(t, { otel: { endpoint, serviceName: 'peiyu-test' } })
  t.equal((await traced.inject({ method: 'GET', url: '/v1/reference/programs' })).statusCode, 200)
  await traced.close() // flushes the batch
  const traces = received.filter(r => r.url === '/v1/traces')
  t.ok(traces.length > 0, 'the exporter posted to /v1/traces')
  const all = traces.map(r => r.body).join('\n')
  t.match(all, /peiyu-test/, 'with the service name')
  t.match(all, /\/v1\/reference\/programs/, 'with the route')
})

t.test('LOG_FORMAT, METRICS_TOKEN and OTEL_EXPORTER_OTLP_ENDPOINT are validated at start-up', async t => {
  const base = { NODE_ENV: 'test', DATA_DIR: ':memory:' }
  t.equal(loadConfig(base).config.metrics.enabled, true)
  t.equal(loadConfig({ ...base, METRICS: 'false' }).config.metrics.enabled, false)
  t.equal(loadConfig(base).config.logPretty, false, 'JSON logs unless asked, outside a development terminal')
  t.equal(loadConfig({ ...base, LOG_FORMAT: 'pretty' }).config.logPretty, true)
  t.throws(() => loadConfig({ ...base, LOG_FORMAT: 'xml' }), /^LOG_FORMAT: /)
  t.throws(() => loadConfig({ ...base, METRICS_TOKEN: 'short' }), /^METRICS_TOKEN: /)
  t.throws(() => loadConfig({ ...base, OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' }), /^OTEL_EXPORTER_OTLP_ENDPOINT: /)
  t.same(loadConfig({ ...base, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318/' }).config.otel, { endpoint: 'http://127.0.0.1:4318', serviceName: 'peiyu' })
})
