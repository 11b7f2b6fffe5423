import { Type } from '@sinclair/typebox'
import { DateTimeSchema, UuidSchema } from './common.ts'

export const DocumentSchema = Type.Object({
  id: UuidSchema,
  name: Type.String({ description: 'The uploaded file name (path and control characters removed)' }),
  type: Type.Union([Type.Literal('application/pdf'), Type.Literal('image/png'), Type.Literal('image/jpeg')], { description: 'Detected from the content (magic bytes)' }),
  size: Type.Integer({ description: 'Bytes' }),
  sha256: Type.String({ pattern: '^[0-9a-f]{64}$', description: 'SHA-256 of the content, hex' }),
  kind: Type.Union([Type.String(), Type.Null()], { description: 'The key of the call\'s required document this file is; null for any other' }),
  createdAt: DateTimeSchema
})

export const DeclarationParamsSchema = Type.Object({
  id: UuidSchema,
  year: Type.Integer({ minimum: 1900, maximum: 2100, description: 'Declaration year' })
}, { additionalProperties: false })

/** The multipart body, for the OpenAPI document only: the route reads it as a stream. */
export const UploadDescription = 'multipart/form-data with one file part (any field name): PDF, PNG or JPEG, detected from the content; at most 10 MiB'

export const DocumentContentSchema = Type.Unsafe<Buffer>({ type: 'string', format: 'binary', description: 'The file, with its detected Content-Type and Content-Disposition: attachment' })
