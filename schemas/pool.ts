import { Type, type Static } from '@sinclair/typebox'
import { DateSchema, ExportFormatSchema, PageSchema, UuidSchema } from './common.ts'

/** The cultivation pool: members, aggregates and the yearly re-evaluation. */

const StatusSchema = Type.Union(['notice', 'active', 'warned', 'exited', 'revoked'].map(s => Type.Literal(s)), { description: 'Membership status' })

export const PoolQuerySchema = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 50, description: 'Page size (max 500)' }),
  cursor: Type.Optional(Type.String({ maxLength: 500, description: 'nextCursor from the previous page' })),
  program: Type.Optional(Type.String({ pattern: '^[a-z_]{1,40}$', description: 'Only this program' })),
  tier: Type.Optional(Type.Union(['below_scale', 'above_scale', 'hundred_million', 'billion', 'ten_billion'].map(s => Type.Literal(s)), { description: 'Only members currently in this tier' })),
  status: Type.Optional(Type.String({ pattern: '^[a-z]+(,[a-z]+)*$', maxLength: 60, description: 'Only these statuses, comma-separated (default: notice, active, warned)' })),
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
  status: StatusSchema,
  statusReason: Type.Union([Type.String(), Type.Null()]),
  missingYears: Type.Integer({ description: 'Consecutive years without a declaration at the last re-evaluation' }),
  admittedOn: DateSchema,
  lastEvaluatedYear: Type.Union([Type.Integer(), Type.Null()])
})

export const PoolAggregateSchema = Type.Object({
  program: Type.String(),
  tier: Type.String(),
  status: Type.String(),
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

const ChangeBase = {
  membershipId: UuidSchema,
  enterpriseId: UuidSchema,
  enterpriseName: Type.String(),
  program: Type.String()
}

export const ReevaluationReportSchema = Type.Object({
  year: Type.Integer(),
  evaluated: Type.Integer({ description: 'Active and warned members looked at (members under public notice are not)' }),
  promoted: Type.Array(Type.Object({ ...ChangeBase, from: Type.String(), to: Type.String() })),
  demoted: Type.Array(Type.Object({ ...ChangeBase, from: Type.String(), to: Type.String() })),
  warned: Type.Array(Type.Object({ ...ChangeBase, missingYears: Type.Integer() })),
  reinstated: Type.Array(Type.Object(ChangeBase, { description: 'Warned members that declared again' })),
  exited: Type.Array(Type.Object({
    ...ChangeBase,
    reason: Type.Union([Type.Literal('missing_declarations'), Type.Literal('failed_gates')]),
    missingYears: Type.Integer(),
    failedGates: Type.Array(Type.Object({ gate: Type.String(), message: Type.String(), required: Type.Union([Type.String(), Type.Number()]), actual: Type.Union([Type.String(), Type.Number(), Type.Null()]) }))
  })),
  unchanged: Type.Integer()
})
export type ReevaluationReport = Static<typeof ReevaluationReportSchema>
