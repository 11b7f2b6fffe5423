import Fastify, { type FastifyInstance } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { randomUUID } from 'node:crypto'
import AjvCompiler from '@fastify/ajv-compiler'
import type { AppConfig } from './config.ts'
import type { Database } from '../db/client.ts'
import { ErrorSchema } from '../schemas/common.ts'
import errorsPlugin, { sendError } from './plugins/errors.ts'
import { errors } from './domain/errors.ts'
import dbPlugin from './plugins/db.ts'
import authPlugin from './plugins/auth.ts'
import docsPlugin from './plugins/docs.ts'
import durabilityPlugin from './plugins/durability.ts'
import securityPlugin from './plugins/security.ts'
import mailPlugin from './plugins/mail.ts'
import metricsPlugin from './plugins/metrics.ts'
import { registerTracing } from './plugins/tracing.ts'
import routes from './routes/index.ts'
import { ensureFirstAdmin } from './services/accounts.ts'

export interface BuildOptions {
  /** An already-open database (tests, scripts); otherwise opened from config. */
  database?: Database
  /** Pino logger options override (tests pass false). */
  logger?: boolean | object
}

/** Never log secrets: tokens, passwords, cookies. */
export const LOG_REDACT = [
  'req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]',
  'password', '*.password', 'body.password', 'accessToken', '*.accessToken', 'token', '*.token'
]

/** Letters, digits and . _ : - only, at most 64 characters. */
export const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true })

/** Whether every string (keys too) of a parsed JSON value is well-formed UTF-16 (no lone surrogate). */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/
export function wellFormed (value: unknown): boolean {
  if (typeof value === 'string') return !LONE_SURROGATE.test(value)
  if (Array.isArray(value)) return value.every(wellFormed)
  if (value != null && typeof value === 'object') return Object.entries(value).every(([k, v]) => !LONE_SURROGATE.test(k) && wellFormed(v))
  return true
}

/** ajv as Fastify configures it, for every part of a request: every failing field is reported (the error handler lists them). */
const AJV_OPTIONS = { removeAdditional: false, useDefaults: true, allErrors: true } as const
const validatorPool = AjvCompiler()

/**
 * Query strings, path parameters and headers are text, so their values are coerced to the schema's types
 * ("?year=2025" is the integer 2025). JSON bodies carry their own types: coercing them would accept "300",
 * [300] or true for an integer and false for a string. So bodies get an ajv that never coerces.
 */
function buildValidator (externalSchemas: unknown, ajvServerOption: { customOptions?: object, plugins?: unknown[] } = {}) {
  const loose = validatorPool(externalSchemas as never, { ...ajvServerOption, customOptions: { ...AJV_OPTIONS, coerceTypes: 'array' } } as never)
  const strict = validatorPool(externalSchemas as never, { ...ajvServerOption, customOptions: { ...AJV_OPTIONS, coerceTypes: false } } as never)
  return (route: { httpPart?: string }) => (route.httpPart === 'body' ? strict : loose)(route as never)
}

/**
 * Builds the whole service: plugins, then routes. Production (server/server.ts),
 * tests (test/helper.ts) and scripts all build it the same way.
 */
export async function buildApp (config: AppConfig, opts: BuildOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: opts.logger ?? {
      level: config.logLevel,
      redact: { paths: LOG_REDACT, censor: '[redacted]' },
      // pino-pretty is a development dependency: only asked for where it is installed (LOG_FORMAT=pretty).
      ...(config.logPretty ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } } } : {})
    },
    trustProxy: config.trustProxy,
    // A client's X-Request-Id is kept only when short and plain, so the audit trail's request ids cannot be
    // stuffed or made to look like other entries; anything else gets a generated id.
    requestIdHeader: false,
    genReqId: (req) => {
      const sent = req.headers['x-request-id']
      return typeof sent === 'string' && SAFE_REQUEST_ID.test(sent) ? sent : randomUUID()
    },
    bodyLimit: 1024 * 1024,
    ajv: { customOptions: { ...AJV_OPTIONS, coerceTypes: 'array' } },
    schemaController: { compilersFactory: { buildValidator: buildValidator as never } },
    return503OnClosing: true,
    // Opening PGlite and applying the migrations can take longer than Fastify's 10 s default on a busy machine.
    pluginTimeout: 120_000,
    // A malformed URL or an over-long path parameter is answered by the router
    // before any hook; without this it would bypass the error shape and echo the path.
    frameworkErrors: (error, request, reply) => sendError(request, reply,
      errors.badRequest(error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 'a path parameter is too long' : 'the URL is malformed'))
  }).withTypeProvider<TypeBoxTypeProvider>()

  await registerTracing(app, config)
  app.addSchema(ErrorSchema)
  // JSON only (multipart where a route registers it): a text/plain body is 415, not a string to validate.
  app.removeContentTypeParser('text/plain')
  // JSON must be well-formed Unicode: invalid UTF-8 bytes (which a lenient decoder turns into U+FFFD) and
  // unpaired surrogates (a "\ud800" escape) are refused with 400 INVALID_ENCODING, never parsed or stored.
  const defaultJson = app.getDefaultJsonParser('error', 'error')
  app.removeContentTypeParser('application/json')
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    let text: string
    try {
      text = STRICT_UTF8.decode(body as Buffer)
    } catch {
      done(errors.invalidEncoding('the bytes are not valid UTF-8'), undefined)
      return
    }
    defaultJson(request, text, (err, value) => {
      if (err != null) done(err, undefined)
      else if (!wellFormed(value)) done(errors.invalidEncoding('a string holds an unpaired surrogate (\\ud800-\\udfff)'), undefined)
      else done(null, value)
    })
  })
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id)
    done()
  })

  await app.register(errorsPlugin)
  await app.register(dbPlugin, { config, database: opts.database })
  await app.register(durabilityPlugin, { config })
  await app.register(authPlugin, { config })
  await app.register(securityPlugin, { config })
  await app.register(mailPlugin, { config })
  await app.register(docsPlugin, { config })
  await app.register(metricsPlugin, { config })
  await app.register(routes, { config })

  await ensureFirstAdmin(app.db, config, app.log)
  return app
}
