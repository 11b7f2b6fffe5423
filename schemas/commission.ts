import { Type } from '@sinclair/typebox'
import { DateTimeSchema } from './common.ts'

/** One entry of an application's history (GET /v1/applications/:id/history). */
export const HistoryItemSchema = Type.Object({
  at: DateTimeSchema,
  action: Type.String({ description: 'What was done, as the audit trail names it: application.submit, review.reassign, application.admit …' }),
  actorRole: Type.Union([Type.String(), Type.Null()], { description: 'The role of who did it (null for the system)' }),
  actorName: Type.Optional(Type.String({ description: 'Officers and admins: always; the firm: only its own users' })),
  actorId: Type.Optional(Type.String({ description: 'Officers and admins only' })),
  objectType: Type.String({ description: 'application, review (officers and admins only) or document' }),
  objectId: Type.Optional(Type.String({ description: 'Officers and admins only: the review or document id' })),
  reason: Type.Optional(Type.String({ description: 'The reason given: return, decision, appeal grounds, recusal, reassignment' })),
  from: Type.Optional(Type.String({ description: 'The state before' })),
  to: Type.Optional(Type.String({ description: 'The state after' }))
})

export const LetterSchema = Type.Unsafe<Buffer>({ type: 'string', format: 'binary', description: 'application/pdf: the decision letter (A4, Chinese)' })
