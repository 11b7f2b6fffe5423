import { Type, type Static } from '@sinclair/typebox'
import { DateSchema, DateTimeSchema, ExportFormatSchema, PageSchema, TextSchema, UuidSchema } from './common.ts'

/** The cultivation pool: members, aggregates and the yearly re-evaluation. */

export const MEMBERSHIP_STATUS_VALUES = ['notice', 'active', 'warned', 'expired', 'exited', 'revoked', 'graduated'] as const
export const MembershipStatusSchema = Type.Union(MEMBERSHIP_STATUS_VALUES.map(s => Type.Literal(s)), { description: 'Membership status' })

export const PoolQuerySchema = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 50, description: 'Page size (max 500)' }),
  cursor: Type.Optional(Type.String({ maxLength: 500, description: 'nextCursor from the previous page' })),
  program: Type.Optional(Type.String({ pattern: '^[a-z_]{1,40}$', description: 'Only this program' })),
  tier: Type.Optional(Type.Union(['below_scale', 'above_scale', 'hundred_million', 'billion', 'ten_billion'].map(s => Type.Literal(s)), { description: 'Only members currently in this tier' })),
  status: Type.Optional(Type.String({ pattern: '^[a-z]+(,[a-z]+)*$', maxLength: 60, description: 'Only these statuses, comma-separated (default: notice, active, warned)' })),
  direct: Type.Optional(Type.Boolean({ description: 'true: only direct admissions; false: only admissions through a call' })),
  view: Type.Optional(Type.Union([Type.Literal('members'), Type.Literal('aggregates')], { description: 'aggregates: counts by program, tier and status. Analysts always get aggregates' })),
  format: ExportFormatSchema
}, { additionalProperties: false })
export type PoolQuery = Static<typeof PoolQuerySchema>

export const PoolMemberSchema = Type.Object({
  id: UuidSchema,
  enterpriseId: UuidSchema,
  enterpriseName: Type.String(),
  uscc: Type.String(),
  program: Type.String(),
  tierAtAdmission: Type.String(),
  currentTier: Type.String(),
  status: MembershipStatusSchema,
  statusReason: Type.Union([Type.String(), Type.Null()]),
  missingYears: Type.Integer({ description: 'Consecutive years without a declaration at the last re-evaluation' }),
  admittedOn: DateSchema,
  lastEvaluatedYear: Type.Union([Type.Integer(), Type.Null()]),
  validFrom: DateSchema,
  validUntil: { ...DateSchema, description: 'Last day of the term (included)' },
  direct: Type.Boolean({ description: 'Admitted through a direct route (直通), without a call' }),
  admissionBasis: Type.Union([Type.String(), Type.Null()], { description: 'The direct route, for a direct admission' }),
  barredUntil: Type.Union([DateSchema, Type.Null()], { description: 'After a revocation: the day from which the firm may apply again' })
})

export const PoolAggregateSchema = Type.Object({
  program: Type.String(),
  tier: Type.String(),
  status: Type.String(),
  direct: Type.Boolean({ description: 'Admitted through a direct route' }),
  members: Type.Integer()
})

export const PoolAggregatesSchema = Type.Object({
  aggregates: Type.Array(PoolAggregateSchema),
  members: Type.Integer({ description: 'Sum of the aggregates' })
})

export const PoolListSchema = Type.Union([PageSchema(PoolMemberSchema), PoolAggregatesSchema])

export const ReevaluateBodySchema = Type.Object({
  year: Type.Integer({ minimum: 2000, maximum: 2100, description: 'The declaration year to re-evaluate the pool with' })
}, { additionalProperties: false })

const CHANGE_KIND_VALUES = ['renewed', 'warned', 'exited', 'graduated', 'expired', 'promoted', 'demoted'] as const
const ChangeKindSchema = Type.Union(CHANGE_KIND_VALUES.map(k => Type.Literal(k)), { description: 'Kind of change' })

const GateFailureSchema = Type.Object({
  gate: Type.String(), message: Type.String(), messageZh: Type.String(),
  required: Type.Union([Type.String(), Type.Number()]), actual: Type.Union([Type.String(), Type.Number(), Type.Null()])
})

export const MembershipChangeSchema = Type.Object({
  enterpriseId: UuidSchema,
  membershipId: UuidSchema,
  enterpriseName: Type.String(),
  program: Type.String({ description: 'The membership\'s program' }),
  kind: ChangeKindSchema,
  from: Type.Optional(Type.String({ description: 'Tier (promoted, demoted), status (renewed, warned, exited, expired) or program (graduated) before' })),
  to: Type.Optional(Type.String({ description: 'The same after' })),
  validUntil: Type.Optional(DateSchema),
  reason: Type.String(),
  reasonZh: Type.String(),
  failedGates: Type.Optional(Type.Array(GateFailureSchema))
})

export const ReevaluationQuerySchema = Type.Object({
  kind: Type.Optional(Type.String({ pattern: '^[a-z]+(,[a-z]+)*$', maxLength: 100, description: 'Only these kinds of change, comma-separated (counts stay whole)' })),
  format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv')], { description: 'csv: the changes as text/csv with a BOM' }))
}, { additionalProperties: false })

export const ReevaluationSchema = Type.Object({
  id: UuidSchema,
  year: Type.Integer(),
  state: Type.Union([Type.Literal('previewed'), Type.Literal('applied')]),
  evaluated: Type.Integer({ description: 'Active and warned members looked at (members under public notice are not)' }),
  unchanged: Type.Integer({ description: 'Members without any change' }),
  counts: Type.Object(Object.fromEntries(CHANGE_KIND_VALUES.map(k => [k, Type.Integer()])) as Record<typeof CHANGE_KIND_VALUES[number],
    ReturnType<typeof Type.Integer>>,
  { description: 'Changes by kind' }),
  changes: Type.Array(MembershipChangeSchema),
  createdAt: DateTimeSchema,
  appliedAt: Type.Union([DateTimeSchema, Type.Null()])
})
export type ReevaluationReport = Static<typeof ReevaluationSchema>

export const DirectAdmissionBodySchema = Type.Object({
  enterpriseId: UuidSchema,
  program: Type.String({ pattern: '^[a-z_]{1,40}$', description: 'Program code' }),
  basis: Type.String({ pattern: '^[a-z0-9_]{1,60}$', description: 'The direct route (policy direct_routes), e.g. ten_billion_tier' }),
  reason: TextSchema({ minLength: 1, maxLength: 2000, description: 'Why the firm is admitted directly (shown to the firm and in the audit trail)' })
}, { additionalProperties: false })

export const DirectAdmissionReplySchema = Type.Object({
  membership: PoolMemberSchema,
  noticeId: UuidSchema,
  noticeEndsAt: DateTimeSchema
})

export const RevokeBodySchema = Type.Object({
  reason: TextSchema({ minLength: 1, maxLength: 2000, description: 'Why, e.g. falsified declarations (the firm sees it)' }),
  barYears: Type.Optional(Type.Integer({ minimum: 0, maximum: 10, description: 'Years the firm may not apply to any call (default: policy revocation_bar_years, 3)' }))
}, { additionalProperties: false })
