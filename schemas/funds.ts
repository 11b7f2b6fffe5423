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
