import { Type } from '@sinclair/typebox'
import { DateTimeSchema, PageQuerySchema, UuidSchema } from './common.ts'

export const AuditEntrySchema = Type.Object({
  id: Type.Integer(),
  at: DateTimeSchema,
  actorId: Type.Union([UuidSchema, Type.Null()]),
  actorRole: Type.Union([Type.String(), Type.Null()]),
  action: Type.String({ description: 'e.g. enterprise.register, application.submit' }),
  objectType: Type.String(),
  objectId: Type.String(),
  before: Type.Unknown(),
  after: Type.Unknown(),
  requestId: Type.Union([Type.String(), Type.Null()]),
  contentHash: Type.Union([Type.String(), Type.Null()], { description: 'sha256 of the entry\'s canonical content, written with it' }),
  seq: Type.Union([Type.Integer(), Type.Null()], { description: 'Place in the hash chain; null until the sequencer reaches the entry (seconds)' }),
  prevHash: Type.Union([Type.String(), Type.Null()]),
  hash: Type.Union([Type.String(), Type.Null()], { description: 'Chain hash: the previous entry\'s and this content hash' })
})

export const AuditQuerySchema = Type.Composite([PageQuerySchema, Type.Object({
  objectType: Type.Optional(Type.String({ maxLength: 60 })),
  objectId: Type.Optional(Type.String({ maxLength: 100 })),
  actorId: Type.Optional(UuidSchema),
  action: Type.Optional(Type.String({ maxLength: 100 }))
})], { additionalProperties: false })

export const AuditVerifySchema = Type.Object({
  intact: Type.Boolean(),
  entries: Type.Integer({ description: 'Entries verified before the first broken one (all, when intact)' }),
  unsequenced: Type.Integer({ description: 'Entries not yet given their place in the chain (their content hash is checked)' }),
  overdue: Type.Integer({ description: 'Unsequenced entries older than the sequencing bound (AUDIT_SEQUENCE_BOUND_MS)' }),
  lastHash: Type.Optional(Type.String()),
  brokenAt: Type.Optional(Type.Object({
    id: Type.Integer({ description: 'The first entry that does not verify' }),
    reason: Type.Union([Type.Literal('content_hash_mismatch'), Type.Literal('previous_hash_mismatch')])
  }))
})
