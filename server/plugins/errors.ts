import fp from 'fastify-plugin'
import { STATUS_CODES } from 'node:http'
import ajvI18n from 'ajv-i18n'
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { AppError, errors, localizedFields, renderMessage, type FieldError } from '../domain/errors.ts'

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

/** ajv-i18n is CommonJS: at run time the default import is module.exports (the languages), whatever its types say. */
const localizeZh = ((ajvI18n as unknown as Record<string, unknown>).zh ?? (ajvI18n as unknown as { default: Record<string, unknown> })
  .default.zh) as (errors: unknown[]) => void

/** At most this many fields are listed in one reply (ajv reports every failure: a huge array could make thousands). */
export const MAX_FIELD_ERRORS = 50

type AjvError = NonNullable<FastifyError['validation']>[number] & { schemaPath?: string }

const ONE_OF = (values: unknown[], lang: 'en' | 'zh'): string =>
  lang === 'zh' ? `应当是以下之一:${values.map(String).join(', ')}` : `must be one of: ${values.map(String).join(', ')}`

/**
 * Every failing field of a request (ajv runs with allErrors), in the caller's language: ajv-i18n's Chinese
 * messages when Accept-Language prefers zh, ajv's English otherwise. A union (anyOf/oneOf) is one entry, not
 * one per branch: "must be one of: a, b" when its branches are constants.
 */
function validationFields (error: FastifyError, lang: 'en' | 'zh'): FieldError[] {
  const ctx = error.validationContext ?? 'body'
  // ajv-i18n rewrites messages in place: localize copies, never the error Fastify holds.
  const all = (error.validation ?? []).map(v => ({ ...v })) as AjvError[]
  if (lang === 'zh') localizeZh(all)
  const unions = all.filter(v => (v.keyword === 'anyOf' || v.keyword === 'oneOf') && typeof v.schemaPath === 'string')
  const inBranch = (v: AjvError): AjvError | undefined =>
    unions.find(u => u !== v && typeof v.schemaPath === 'string' && v.schemaPath.startsWith(`${u.schemaPath!}/`) && v.instancePath.startsWith(u.instancePath))
  const seen = new Set<string>()
  const fields: FieldError[] = []
  for (const v of all) {
    if (inBranch(v) != null) continue
    const params = v.params as Record<string, unknown>
    let path = (v.instancePath ?? '').replace(/^\//, '').replace(/\//g, '.')
    let message = v.message ?? (lang === 'zh' ? '无效' : 'is invalid')
    if (typeof params?.missingProperty === 'string') path = path === '' ? params.missingProperty : `${path}.${params.missingProperty}`
    if (typeof params?.additionalProperty === 'string') {
      path = path === '' ? params.additionalProperty : `${path}.${params.additionalProperty}`
      message = lang === 'zh' ? '不是可以设置的字段' : 'is not a field you may set'
    }
    if (unions.includes(v)) {
      const branches = all.filter(b => inBranch(b) === v)
      if (branches.length > 0 && branches.every(b => b.keyword === 'const' || b.keyword === 'enum')) {
        message = ONE_OF(branches.flatMap(b => {
          const p = b.params as { allowedValue?: unknown, allowedValues?: unknown[] }
          return p.allowedValues ?? [p.allowedValue]
        }), lang)
      } else if (branches.length === 1) {
        message = branches[0].message ?? message
      }
    }
    const field = path === '' ? ctx : `${ctx}.${path}`
    if (seen.has(`${field}\u0000${message}`)) continue
    seen.add(`${field}\u0000${message}`)
    fields.push({ field, message })
    if (fields.length === MAX_FIELD_ERRORS) break
  }
  return fields
}

const PG_UNAVAILABLE = new Set(['57P01', '57P02', '57P03', '08000', '08003', '08006', '08001', '08004', '53300'])
const NET_UNAVAILABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED', 'CONNECT_TIMEOUT', 'EPIPE', 'ETIMEDOUT'])

/** The driver error behind a drizzle wrapper, if any. */
function rootCause (err: unknown): { code?: string } {
  let e = err as { code?: string, cause?: unknown }
  for (let i = 0; i < 5 && e?.cause != null && typeof e.code !== 'string'; i++) e = e.cause as typeof e
  return e ?? {}
}

/** Turns any thrown error into an AppError (4xx) or null (an internal error); validation messages in `lang`. */
export function toAppError (error: FastifyError, lang: 'en' | 'zh' = 'en'): AppError | null {
  if (error instanceof AppError) return error
  if (error.validation != null) {
    const fields = validationFields(error, lang)
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
    ...(err.fields != null ? { fields: localizedFields(err.fields, lang) } : {}),
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
    const appError = toAppError(error, requestLanguage(request))
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
