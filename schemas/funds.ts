import { Type, type Static } from '@sinclair/typebox'
import { DateSchema, DateTimeSchema, ExportFormatSchema, MoneySchema, PageQuerySchema, TextSchema, UuidSchema } from './common.ts'

/** Support funds (专项资金), their awards and payments. */

const YearSchema = Type.Integer({ minimum: 2000, maximum: 2100, description: 'The fund\'s year' })
const ProgramSchema = Type.String({ pattern: '^[a-z0-9_]{1,40}$', description: 'Program code (see /v1/reference/programs)' })

export const CreateFundBodySchema = Type.Object({
  year: YearSchema,
  program: ProgramSchema,
  name: TextSchema({ minLength: 1, maxLength: 200, description: 'e.g. 2026 年创新型企业成长计划扶持资金' }),
  budget: MoneySchema
}, { additionalProperties: false })
export type CreateFundBody = Static<typeof CreateFundBodySchema>

export const FundSchema = Type.Object({
  id: UuidSchema,
  year: Type.Integer(),
  program: Type.String(),
  name: Type.String(),
  budget: MoneySchema,
  awarded: MoneySchema,
  paid: MoneySchema,
  available: MoneySchema,
  awards: Type.Integer({ description: 'Awards that hold budget (not cancelled)' }),
  createdAt: DateTimeSchema
})

export const FundListQuerySchema = Type.Composite([PageQuerySchema, Type.Object({
  year: Type.Optional(YearSchema),
  program: Type.Optional(ProgramSchema)
})], { additionalProperties: false })

export const AwardBodySchema = Type.Object({
  enterpriseId: UuidSchema,
  amount: MoneySchema,
  purpose: TextSchema({ minLength: 1, maxLength: 500, description: 'What the support is for' })
}, { additionalProperties: false })

export const PaymentBodySchema = Type.Object({
  amount: MoneySchema,
  paidOn: DateSchema
}, { additionalProperties: false })

export const CancelAwardBodySchema = Type.Object({
  reason: TextSchema({ minLength: 1, maxLength: 500, description: 'Why the award is cancelled' })
}, { additionalProperties: false })

export const PaymentSchema = Type.Object({ id: UuidSchema, awardId: UuidSchema, amount: MoneySchema, paidOn: DateSchema, createdAt: DateTimeSchema })

export const AwardSchema = Type.Object({
  id: UuidSchema,
  fundId: UuidSchema,
  fundName: Type.String(),
  year: Type.Integer(),
  program: Type.String(),
  enterpriseId: UuidSchema,
  firmName: Type.String(),
  uscc: Type.String(),
  membershipId: UuidSchema,
  amount: MoneySchema,
  paid: MoneySchema,
  unpaid: MoneySchema,
  purpose: Type.String(),
  state: Type.Union([Type.Literal('awarded'), Type.Literal('partly_paid'), Type.Literal('paid'), Type.Literal('cancelled')]),
  cancelReason: Type.Union([Type.String(), Type.Null()]),
  createdAt: DateTimeSchema,
  payments: Type.Array(PaymentSchema)
})

export const AwardListQuerySchema = Type.Composite([PageQuerySchema, Type.Object({ format: ExportFormatSchema })], { additionalProperties: false })

// Performance evaluation (绩效评估): GET /v1/analytics/funds

export const FundAnalyticsQuerySchema = Type.Object({
  year: Type.Integer({ minimum: 1990, maximum: 2100, description: 'The funds\' year; outcomes compare it with the next year' }),
  by: Type.Optional(Type.Union([Type.Literal('program'), Type.Literal('tier'), Type.Literal('district')], {
    default: 'program', description: 'Breakdown: program (the fund\'s), tier (the firm\'s in the year) or district'
  }))
}, { additionalProperties: false })

const Key = {
  program: Type.Optional(Type.String()),
  tier: Type.Optional(Type.String()),
  district: Type.Optional(Type.String())
}
const Nullable = <T extends import('@sinclair/typebox').TSchema>(s: T) => Type.Union([s, Type.Null()])
const FundFiguresSchema = Type.Object({
  budget: Nullable(MoneySchema),
  awarded: Nullable(MoneySchema),
  paid: Nullable(MoneySchema),
  firms: Type.Integer({ description: 'Firms supported (distinct)' }),
  awards: Type.Integer(),
  suppressed: Type.Boolean()
})
const Growth = Nullable(Type.String({ description: 'A ratio, e.g. "0.1250" for 12.5%' }))
const OutcomeSchema = (value: import('@sinclair/typebox').TSchema) => Type.Object({ base: Nullable(value), next: Nullable(value), totalGrowth: Growth, medianGrowth: Growth })
const CohortSchema = Type.Object({
  firms: Type.Integer(),
  suppressed: Type.Boolean(),
  operatingRevenue: OutcomeSchema(MoneySchema),
  rdExpense: OutcomeSchema(MoneySchema),
  employees: OutcomeSchema(Type.Integer())
})
export const FundAnalyticsSchema = Type.Object({
  year: Type.Integer(),
  by: Type.String(),
  exact: Type.Boolean(),
  minFirms: Type.Integer(),
  dominancePercent: Type.Integer(),
  funds: Type.Object({
    cells: Type.Array(Type.Object({ ...Key, ...FundFiguresSchema.properties })),
    totals: FundFiguresSchema,
    count: Type.Integer({ description: 'Funds of the year' })
  }),
  outcomes: Type.Object({
    baseYear: Type.Integer(),
    nextYear: Type.Integer(),
    cells: Type.Array(Type.Object({ ...Key, supported: CohortSchema, unsupported: CohortSchema })),
    totals: Type.Object({ supported: CohortSchema, unsupported: CohortSchema })
  }),
  notes: Type.Array(Type.String())
})
