import { Type, type Static } from '@sinclair/typebox'
import { OUTBOX_STATES } from '../db/schema/people.ts'
import { DateTimeSchema, EmailSchema, PageQuerySchema, TextSchema, UuidSchema } from './common.ts'
import { PasswordSchema } from './accounts.ts'

/** People: the email outbox, passwords, a firm's colleagues, transfers. */

export const OutboxStateSchema = Type.Union(OUTBOX_STATES.map(s => Type.Literal(s)), { description: 'queued → sending → sent; failed after the last attempt; skipped without SMTP_URL' })

export const OutboxQuerySchema = Type.Composite([PageQuerySchema, Type.Object({
  state: Type.Optional(OutboxStateSchema)
})], { additionalProperties: false })

export const OutboxMessageSchema = Type.Object({
  id: UuidSchema,
  messageId: Type.String({ description: 'The Message-ID header, fixed when the message was written' }),
  kind: Type.String({ description: 'A notification kind, or password_reset, invitation, transfer, objection_receipt, objection_outcome' }),
  to: Type.String(),
  subject: Type.String(),
  state: OutboxStateSchema,
  attempts: Type.Integer(),
  nextAttemptAt: DateTimeSchema,
  lastError: Type.Union([Type.String(), Type.Null()]),
  sentAt: Type.Union([DateTimeSchema, Type.Null()]),
  createdAt: DateTimeSchema
})

export const OutboxPageSchema = Type.Object({
  counts: Type.Object(Object.fromEntries(OUTBOX_STATES.map(s => [s, Type.Integer()])), { description: 'Messages in each state' }),
  items: Type.Array(OutboxMessageSchema),
  nextCursor: Type.Union([Type.String(), Type.Null()])
})

export const ChangePasswordBodySchema = Type.Object({
  currentPassword: Type.String({ minLength: 1, maxLength: 256 }),
  newPassword: PasswordSchema
}, { additionalProperties: false })

export const PasswordResetBodySchema = Type.Object({
  email: Type.String({ minLength: 1, maxLength: 254, description: 'The account email' })
}, { additionalProperties: false })

export const PasswordResetConfirmBodySchema = Type.Object({
  token: Type.String({ minLength: 20, maxLength: 200, description: 'The one-time token from the emailed link' }),
  newPassword: PasswordSchema
}, { additionalProperties: false })

export const AcceptedSchema = Type.Object({ accepted: Type.Literal(true) }, { description: 'Taken; what happens next is sent by email' })

export const FirmRoleSchema = Type.Union([Type.Literal('owner'), Type.Literal('member')], { description: 'owner manages the firm\'s accounts; member declares and applies' })

export const InviteBodySchema = Type.Object({
  email: EmailSchema,
  name: TextSchema({ minLength: 1, maxLength: 100, description: 'The colleague\'s name' })
}, { additionalProperties: false })
export type InviteBody = Static<typeof InviteBodySchema>

export const FirmUserSchema = Type.Object({
  id: UuidSchema,
  email: Type.String(),
  name: Type.String(),
  firmRole: FirmRoleSchema,
  disabled: Type.Boolean(),
  invitationPending: Type.Boolean({ description: 'Invited and has not set a password yet' }),
  createdAt: DateTimeSchema
})

export const FirmUserListSchema = Type.Object({ items: Type.Array(FirmUserSchema) })

export const FirmUserParamsSchema = Type.Object({ id: UuidSchema, userId: UuidSchema }, { additionalProperties: false })

export const FirmUserPatchSchema = Type.Object({
  firmRole: Type.Optional(FirmRoleSchema),
  disabled: Type.Optional(Type.Boolean({ description: 'true ends every token of the colleague' }))
}, { additionalProperties: false, minProperties: 1 })

export const TransferBodySchema = Type.Object({
  email: EmailSchema,
  reason: TextSchema({ minLength: 5, maxLength: 2000, description: 'How the firm proved the credit code is its own (licence checked, date, officer\'s note)' })
}, { additionalProperties: false })

export const TransferReplySchema = Type.Object({
  enterpriseId: UuidSchema,
  ownerId: UuidSchema,
  disabledAccounts: Type.Integer({ description: 'Earlier accounts of the firm, now disabled' })
})
