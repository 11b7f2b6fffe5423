import Fastify, { type FastifyInstance } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { randomUUID } from 'node:crypto'
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
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
    bodyLimit: 1024 * 1024,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: false } },
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
