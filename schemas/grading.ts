import { NOTIFICATION_KINDS } from '../db/schema/notifications.ts'
import { Type, type Static } from '@sinclair/typebox'
import { DateTimeSchema, PageQuerySchema, TextSchema, UuidSchema } from './common.ts'
import { UsccSchema } from './accounts.ts'

// Conflicts of interest.

export const ConflictSchema = Type.Object({
  id: UuidSchema,
  uscc: Type.String({ description: 'The firm\'s credit code' }),
  reason: Type.String(),
  source: Type.Union([Type.Literal('declared'), Type.Literal('recusal'), Type.Literal('employer')], { description: 'declared by the reviewer, from a recusal, or the reviewer\'s own employer (set by an administrator)' }),
  createdAt: Type.Union([DateTimeSchema, Type.Null()])
})

export const ConflictBodySchema = Type.Object({
  uscc: UsccSchema,
  reason: TextSchema({ minLength: 1, maxLength: 2000, description: 'Why: a shareholding, a former employer, a relative …' })
}, { additionalProperties: false })

// Notifications.

/** The kinds of notification (the database's list). */
export const NOTIFICATION_KIND_VALUES = NOTIFICATION_KINDS

export const NotificationSchema = Type.Object({
  id: UuidSchema,
  kind: Type.Union(NOTIFICATION_KIND_VALUES.map(k => Type.Literal(k))),
  payload: Type.Record(Type.String(), Type.Unknown(), { description: 'What it is about: ids and a few words, never confidential figures' }),
  readAt: Type.Union([DateTimeSchema, Type.Null()]),
  createdAt: DateTimeSchema
})
export type NotificationView = Static<typeof NotificationSchema>

export const NotificationQuerySchema = Type.Composite([PageQuerySchema, Type.Object({
  unread: Type.Optional(Type.Boolean({ description: 'true: only unread ones' }))
})], { additionalProperties: false })

// Assignment and reviews.

export const AssignBodySchema = Type.Object({
  reviewerIds: Type.Array(UuidSchema, { minItems: 1, maxItems: 15, uniqueItems: true })
}, { additionalProperties: false })

export const AssignReplySchema = Type.Object({
  applicationId: UuidSchema,
  round: Type.Integer(),
  assigned: Type.Array(Type.Object({ reviewId: UuidSchema, reviewerId: UuidSchema }))
})

export const ShortSchema = Type.Object({ applicationId: UuidSchema, missing: Type.Integer({ description: 'Reviewers still missing: not enough conflict-free reviewers' }) })

export const CallAssignReplySchema = Type.Object({
  assigned: Type.Array(Type.Object({ applicationId: UuidSchema, reviewerId: UuidSchema, reviewId: UuidSchema })),
  short: Type.Array(ShortSchema),
  matched: Type.Integer({ description: 'How many of the new assignments have a reviewer whose domains meet the firm\'s' })
})

const ScoresSchema = Type.Record(Type.String({ pattern: '^[a-z][a-z0-9_]{0,39}$' }), Type.Number({ minimum: 0, maximum: 1000 }), { description: 'Judged indicator key → points (0..max, at most two decimals)' })

export const REVIEW_STATE_VALUES = ['assigned', 'draft', 'submitted', 'recused', 'reassigned'] as const
const ReviewStateSchema = Type.Union(REVIEW_STATE_VALUES.map(s => Type.Literal(s)))

export const ReviewSchema = Type.Object({
  id: UuidSchema,
  applicationId: UuidSchema,
  reviewerId: UuidSchema,
  round: Type.Integer({ description: '1 for the first review; a new round after a revision or an appeal' }),
  state: ReviewStateSchema,
  scores: ScoresSchema,
  comment: Type.String(),
  recuseReason: Type.Union([Type.String(), Type.Null()]),
  reassignReason: Type.Union([Type.String(), Type.Null()], { description: 'Why an officer replaced the reviewer (state reassigned)' }),
  replacedBy: Type.Union([UuidSchema, Type.Null()], { description: 'The review that took this one\'s place (after a recusal or a reassignment)' }),
  version: Type.Integer(),
  assignedAt: DateTimeSchema,
  submittedAt: Type.Union([DateTimeSchema, Type.Null()])
})

export const ReviewListItemSchema = Type.Composite([ReviewSchema, Type.Object({
  firmName: Type.String({ description: 'The applying firm' }),
  program: Type.String({ description: 'The call\'s program code' }),
  callId: UuidSchema,
  callTitle: Type.String(),
  dueAt: Type.Union([DateTimeSchema, Type.Null()], { description: 'The call\'s reviewDueAt; null when the call sets none' })
})])

export const ReviewDetailSchema = Type.Composite([ReviewSchema, Type.Object({
  application: Type.Object({
    id: UuidSchema,
    callId: UuidSchema,
    program: Type.String(),
    state: Type.String(),
    rubricId: UuidSchema,
    enterprise: Type.Object({ id: UuidSchema, name: Type.String(), uscc: Type.String() }),
    statement: Type.String(),
    declaration: Type.Unknown({ description: 'The frozen declaration graded on' }),
    previousDeclaration: Type.Unknown(),
    autoScores: Type.Unknown({ description: 'Auto-scored indicators with their measured values' })
  }),
  otherReviews: Type.Union([Type.Array(Type.Object({ reviewId: UuidSchema, reviewerId: UuidSchema, scores: ScoresSchema, comment: Type.String() })),
    Type.Null()], {
    description: 'The other submitted reviews of this round; null until this reviewer has submitted'
  })
})])

export const ReviewListQuerySchema = Type.Composite([PageQuerySchema, Type.Object({
  state: Type.Optional(ReviewStateSchema)
})], { additionalProperties: false })

export const ReviewBodySchema = Type.Object({
  scores: ScoresSchema,
  comment: Type.Optional(TextSchema({ maxLength: 10000, description: 'The reviewer\'s comment' }))
}, { additionalProperties: false })

export const ReasonBodySchema = Type.Object({
  reason: TextSchema({ minLength: 1, maxLength: 4000, description: 'Why' })
}, { additionalProperties: false })

export const ProgressSchema = Type.Object({
  callId: UuidSchema,
  reviewersPerApplication: Type.Integer(),
  reviewDueAt: Type.Union([DateTimeSchema, Type.Null()], { description: 'The call\'s review due date' }),
  overdue: Type.Integer({ description: 'Open reviews past reviewDueAt, all reviewers' }),
  applicationsByState: Type.Record(Type.String(), Type.Integer()),
  applications: Type.Array(Type.Object({
    applicationId: UuidSchema, firm: Type.String(), state: Type.String(), assigned: Type.Integer(), submitted: Type.Integer(), recused: Type.Integer(),
    reviews: Type.Array(Type.Object({
      reviewId: UuidSchema, reviewerId: UuidSchema, name: Type.String({ description: 'The reviewer\'s name' }), state: ReviewStateSchema,
      overdue: Type.Boolean({ description: 'Still open past the call\'s reviewDueAt' })
    }), { description: 'The current round\'s reviews, each state (an open one may be reassigned)' })
  })),
  reviewers: Type.Array(Type.Object({
    reviewerId: UuidSchema, name: Type.String(), assigned: Type.Integer(), submitted: Type.Integer(),
    overdue: Type.Integer({ description: 'This reviewer\'s open reviews (current round, application under review) past the call\'s reviewDueAt' }),
    overdueReviews: Type.Array(Type.Object({ reviewId: UuidSchema, applicationId: UuidSchema, firm: Type.String() }), { description: 'Those reviews: each may be reassigned' })
  }))
})

// Decisions and appeals.

export const DecisionBodySchema = Type.Object({
  decision: Type.Union([Type.Literal('admit'), Type.Literal('reject')]),
  reason: Type.Optional(TextSchema({ maxLength: 4000, description: 'Required when the decision goes against the rubric\'s pass/fail' }))
}, { additionalProperties: false })

export const BatchDecisionBodySchema = Type.Object({
  decisions: Type.Array(Type.Object({
    applicationId: UuidSchema,
    decision: Type.Union([Type.Literal('admit'), Type.Literal('reject')]),
    reason: Type.Optional(TextSchema({ maxLength: 4000, description: 'Required when the decision goes against the rubric\'s pass/fail' }))
  }, { additionalProperties: false }), { minItems: 1, maxItems: 500, description: 'Applications of this call, each at most once' })
}, { additionalProperties: false })

export const AppealBodySchema = Type.Object({
  grounds: TextSchema({ minLength: 1, maxLength: 10000, description: 'Why the firm contests the rejection' })
}, { additionalProperties: false })

export const DecisionReplySchema = Type.Object({
  id: UuidSchema,
  state: Type.String(),
  version: Type.Integer(),
  decision: Type.Union([Type.Literal('admit'), Type.Literal('reject'), Type.Null()]),
  decisionReason: Type.Union([Type.String(), Type.Null()]),
  decisionOverride: Type.Boolean({ description: 'The decision went against the rubric\'s pass/fail' }),
  returnReason: Type.Union([Type.String(), Type.Null()]),
  revisionDueAt: Type.Union([DateTimeSchema, Type.Null()], { description: 'After a return: the firm may resubmit until then' }),
  appealCount: Type.Integer(),
  membershipId: Type.Optional(Type.Union([UuidSchema, Type.Null()])),
  assigned: Type.Optional(Type.Array(Type.Object({ applicationId: UuidSchema, reviewerId: UuidSchema, reviewId: UuidSchema }))),
  short: Type.Optional(Type.Array(ShortSchema))
})

export const BatchDecisionReplySchema = Type.Object({
  decided: Type.Array(DecisionReplySchema),
  admitted: Type.Integer(),
  rejected: Type.Integer()
})

// Public notice.

export const PublicNoticeSchema = Type.Object({
  id: UuidSchema,
  firmName: Type.String(),
  uscc: Type.String(),
  program: Type.String(),
  tier: Type.String(),
  startsAt: DateTimeSchema,
  endsAt: DateTimeSchema
}, { description: 'An admission under public notice (公示): never the firm\'s figures' })

export const ObjectionBodySchema = Type.Object({
  reason: TextSchema({ minLength: 1, maxLength: 4000, description: 'What is wrong with the admission' }),
  contact: TextSchema({ minLength: 1, maxLength: 200, description: 'How the commission can reach you' }),
  email: Type.Optional(Type.String({ format: 'email', maxLength: 254, description: 'Where to send the receipt and the outcome (optional; a contact that is an email address is used when absent)' }))
}, { additionalProperties: false })

export const ObjectionReceiptSchema = Type.Object({
  id: UuidSchema,
  noticeId: UuidSchema,
  reference: Type.String({ description: 'The receipt reference (YY-…) to quote when asking about the objection' }),
  state: Type.Literal('pending'),
  emailed: Type.Boolean({ description: 'A receipt email was queued to the address given' }),
  createdAt: DateTimeSchema
})

export const ObjectionSchema = Type.Object({
  id: UuidSchema,
  noticeId: UuidSchema,
  reason: Type.String(),
  contact: Type.String(),
  reference: Type.String(),
  email: Type.Union([Type.String(), Type.Null()]),
  state: Type.Union([Type.Literal('pending'), Type.Literal('upheld'), Type.Literal('dismissed')]),
  resolution: Type.Union([Type.String(), Type.Null()]),
  resolvedBy: Type.Union([UuidSchema, Type.Null()]),
  resolvedAt: Type.Union([DateTimeSchema, Type.Null()]),
  createdAt: DateTimeSchema
})

export const ObjectionQuerySchema = Type.Composite([PageQuerySchema, Type.Object({
  state: Type.Optional(Type.Union([Type.Literal('pending'), Type.Literal('upheld'), Type.Literal('dismissed')])),
  noticeId: Type.Optional(UuidSchema)
})], { additionalProperties: false })
