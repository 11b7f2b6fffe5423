import { Type, type TSchema, type Static } from '@sinclair/typebox'

/** Shared schema pieces: ids, money, dates, paging and the error body. */

export const UuidSchema = Type.String({ format: 'uuid', description: 'UUID' })
export const IdParamsSchema = Type.Object({ id: UuidSchema }, { additionalProperties: false })

/** Yuan with at most two decimals, as a string: never a float. */
export const MoneySchema = Type.String({
  pattern: '^(0|[1-9]\\d{0,15})(\\.\\d{1,2})?$',
  description: 'Amount in CNY (yuan) as a decimal string with at most 2 decimals, e.g. "123456789.50"',
  examples: ['150000000.00']
})
export type Money = Static<typeof MoneySchema>

/** A ratio or percentage as a decimal string. */
export const DecimalStringSchema = Type.String({ pattern: '^-?\\d+(\\.\\d+)?$', description: 'Exact decimal as a string' })

export const DateSchema = Type.String({ format: 'date', description: 'Calendar date, YYYY-MM-DD' })
export const DateTimeSchema = Type.String({ format: 'date-time', description: 'RFC 3339 timestamp' })

/** Free text without control characters (NUL and friends are refused). */
export const TextSchema = (opts: { minLength?: number, maxLength: number, description: string }) =>
  Type.String({ minLength: opts.minLength ?? 0, maxLength: opts.maxLength, pattern: '^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F]*$', description: opts.description })

export const EmailSchema = Type.String({ format: 'email', maxLength: 254, description: 'Email address (case-insensitive)' })

export const RoleSchema = Type.Union([
  Type.Literal('enterprise'), Type.Literal('reviewer'), Type.Literal('officer'), Type.Literal('analyst'), Type.Literal('admin'),
  Type.Literal('district_officer')
], { description: 'Account role' })

export const PageQuerySchema = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 50, description: 'Page size (max 500)' }),
  cursor: Type.Optional(Type.String({ maxLength: 500, description: 'nextCursor from the previous page' }))
}, { additionalProperties: false })

export const PageSchema = <T extends TSchema>(item: T) => Type.Object({
  items: Type.Array(item),
  nextCursor: Type.Union([Type.String(), Type.Null()], { description: 'Pass as ?cursor= for the next page; null on the last' })
})

export const FieldErrorSchema = Type.Object({
  field: Type.String({ description: 'The offending field (body.x, query.y, params.z or a header)' }),
  message: Type.String()
})

export const ErrorSchema = Type.Object({
  statusCode: Type.Integer(),
  code: Type.String({ description: 'Stable machine-readable code, e.g. VALIDATION_FAILED, NOT_FOUND, INVALID_STATE' }),
  error: Type.String({ description: 'HTTP reason phrase' }),
  message: Type.String({ description: 'Human-readable; Chinese with Accept-Language: zh-CN' }),
  fields: Type.Optional(Type.Array(FieldErrorSchema)),
  details: Type.Optional(Type.Unknown({ description: 'Machine-readable details for some codes' })),
  requestId: Type.Optional(Type.String())
}, { $id: 'Error', description: 'Every error response has this shape' })

/** The error responses most authenticated routes can give. */
export const errorResponses = (...codes: number[]) =>
  Object.fromEntries(codes.map(c => [c, Type.Ref('Error')])) as Record<number, TSchema>

export const IfMatchHeadersSchema = Type.Object({
  'if-match': Type.Optional(Type.String({ description: 'The version you edit (from ETag or `version`): a stale or malformed tag is 412; required where the route says so (428 without)' }))
})

export const IdempotencyHeadersSchema = Type.Object({
  'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 255, description: 'Replays the first response for the same key and body' }))
})

/** `?format=` of list endpoints that export: csv and xlsx for Excel (Chinese headers; English with Accept-Language: en). */
export const ExportFormatSchema = Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv'), Type.Literal('xlsx')], {
  description: 'csv (UTF-8 with BOM, also with Accept: text/csv) or xlsx: Chinese headers (English with Accept-Language: en), labels beside codes, codes as text'
}))

export const bearer = [{ bearerAuth: [] }]
