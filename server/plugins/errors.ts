import fp from 'fastify-plugin'
import { STATUS_CODES } from 'node:http'
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { AppError, errors, renderMessage, type FieldError } from '../domain/errors.ts'

/**
 * 'zh' when the caller prefers Chinese (Accept-Language: zh-CN, zh;q=0.9 …),
 * 'en' when it prefers English; `fallback` when it names neither.
 */
export function requestLanguage (request: FastifyRequest, fallback: 'en' | 'zh' = 'en'): 'en' | 'zh' {
  const header = request.headers['accept-language']
  if (typeof header !== 'string' || header === '') return fallback
  let best: { lang: 'en' | 'zh', q: number } = { lang: fallback, q: -1 }
  for (const part of header.split(',')) {
    const [tag, ...params] = part.trim().split(';')
    const qParam = params.find(p => p.trim().startsWith('q='))
    const q = qParam != null ? Number(qParam.trim().slice(2)) : 1
    const lower = tag.toLowerCase()
    const lang = lower.startsWith('zh') ? 'zh' : lower.startsWith('en') ? 'en' : undefined
    if (lang != null && Number.isFinite(q) && q > best.q) best = { lang, q }
  }
  return best.lang
}

function validationFields (error: FastifyError): FieldError[] {
  const ctx = error.validationContext ?? 'body'
  return (error.validation ?? []).map((v) => {
    const params = v.params as Record<string, unknown>
    let path = (v.instancePath ?? '').replace(/^\//, '').replace(/\//g, '.')
    if (typeof params?.missingProperty === 'string') path = path === '' ? params.missingProperty : `${path}.${params.missingProperty}`
    if (typeof params?.additionalProperty === 'string') {
      path = path === '' ? params.additionalProperty : `${path}.${params.additionalProperty}`
      return { field: `${ctx}.${path}`, message: 'is not a field you may set' }
    }
    return { field: path === '' ? ctx : `${ctx}.${path}`, message: v.message ?? 'is invalid' }
  })
}

const PG_UNAVAILABLE = new Set(['57P01', '57P02', '57P03', '08000', '08003', '08006', '08001', '08004', '53300'])
const NET_UNAVAILABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED', 'CONNECT_TIMEOUT', 'EPIPE', 'ETIMEDOUT'])

/** The driver error behind a drizzle wrapper, if any. */
function rootCause (err: unknown): { code?: string } {
  let e = err as { code?: string, cause?: unknown }
  for (let i = 0; i < 5 && e?.cause != null && typeof e.code !== 'string'; i++) e = e.cause as typeof e
  return e ?? {}
}

/** Turns any thrown error into an AppError (4xx) or null (an internal error). */
export function toAppError (error: FastifyError): AppError | null {
  if (error instanceof AppError) return error
  if (error.validation != null) {
    const fields = validationFields(error)
    return errors.validation(fields, ' ')
  }
  const code = error.code ?? ''
  if (code.startsWith('FST_JWT_') || code === 'FAST_JWT_INVALID_SIGNATURE') return errors.unauthorized()
  if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || code === 'FST_INVALID_MULTIPART_CONTENT_TYPE') return errors.unsupportedMediaType()
  if (code === 'FST_ERR_CTP_BODY_TOO_LARGE' || code === 'FST_REQ_FILE_TOO_LARGE' || code === 'FST_FILES_LIMIT' || code === 'FST_PARTS_LIMIT') return errors.payloadTooLarge()
  const cause = rootCause(error)
  if ((cause.code != null && PG_UNAVAILABLE.has(cause.code)) || (cause.code != null && NET_UNAVAILABLE.has(cause.code))) {
    return errors.unavailable()
  }
  if (cause.code === '40001' || cause.code === '40P01') return errors.unavailable()
  // Constraint violations that a route did not translate: still the caller's fault, never a 500.
  if (cause.code === '23505') return errors.conflict('a record with these values already exists')
  if (cause.code === '23503') return errors.conflict('a referenced record does not exist or is still in use')
  if (cause.code === '23514' || cause.code === '23502' || (cause.code?.startsWith('22') ?? false)) {
    return errors.badRequest('a value is out of range or malformed')
  }
  const status = error.statusCode ?? 500
  if (status === 429) return errors.rateLimited('')
  if (status >= 400 && status < 500) {
    return errors.fromStatus(status, error.message)
  }
  return null
}

export function sendError (request: FastifyRequest, reply: FastifyReply, err: AppError): FastifyReply {
  const lang = requestLanguage(request)
  if (err.statusCode === 503) reply.header('retry-after', '5')
  return reply.code(err.statusCode).type('application/json; charset=utf-8').send({
    statusCode: err.statusCode,
    code: err.code,
    error: STATUS_CODES[err.statusCode] ?? 'Error',
    message: renderMessage(err.code, err.params, lang),
    ...(err.fields != null ? { fields: err.fields } : {}),
    ...(err.details != null ? { details: err.details } : {}),
    // 4xx bodies stay identical for identical causes (a hidden object's 404
    // must equal a missing one's); the request id is in the x-request-id header.
    ...(err.statusCode >= 500 ? { requestId: request.id } : {})
  })
}

/**
 * The one error handler: 4xx with a stable code and a clear message; 5xx
 * logged with the request id and answered generically (no SQL, no stack).
 */
export default fp(async function errorsPlugin (app: FastifyInstance) {
  app.setErrorHandler(function (error: FastifyError, request, reply) {
    const appError = toAppError(error)
    if (appError != null) {
      if (appError.statusCode >= 500) request.log.warn({ err: error }, 'dependency unavailable')
      return sendError(request, reply, appError)
    }
    request.log.error({ err: error }, 'unhandled error')
    return sendError(request, reply, errors.internal(request.id))
  })
  app.setNotFoundHandler(function (request, reply) {
    return sendError(request, reply, errors.routeNotFound(request.method, request.url.split('?')[0]))
  })
}, { name: 'errors' })
