import { Type, type Static, type TSchema } from '@sinclair/typebox'
import { DateTimeSchema, MoneySchema, PageQuerySchema, UuidSchema } from './common.ts'

const TierCodeSchema = Type.Union([
  Type.Literal('below_scale'), Type.Literal('above_scale'), Type.Literal('hundred_million'), Type.Literal('billion'), Type.Literal('ten_billion')
], { description: 'Revenue tier code (see /v1/reference/tiers)' })
export { TierCodeSchema }

const Count = (description: string) => Type.Integer({ minimum: 0, maximum: 2_000_000_000, description })
// `nullable` (OpenAPI 3.0, understood by ajv) rather than a union with Null:
// a failing value would get one error per branch of a union (and where ajv
// coerces, in query strings, a union tried string-first turns null into '').
export const NullableSchema = <T extends TSchema>(s: T) => Type.Unsafe<Static<T> | null>({ ...s, nullable: true })
const OptionalMoney = (description: string) => Type.Optional(NullableSchema({ ...MoneySchema, description }))

export const DeclarationParamsSchema = Type.Object({
  id: UuidSchema,
  year: Type.Integer({ minimum: 1900, maximum: 2200, description: 'The calendar year the figures are for' })
}, { additionalProperties: false })

export const DeclarationBodySchema = Type.Object({
  operatingRevenue: { ...MoneySchema, description: 'Annual operating revenue (营业收入), CNY; decides the tier' },
  softwareRevenue: { ...MoneySchema, description: 'Software business revenue (软件业务收入), CNY; at most operatingRevenue' },
  rdExpense: { ...MoneySchema, description: 'R&D spending (研发投入), CNY' },
  exportRevenue: { ...MoneySchema, description: 'Export revenue (出口收入), CNY; at most operatingRevenue' },
  mainBusinessRevenue: OptionalMoney('Main-business revenue (主营业务收入), CNY; at most operatingRevenue'),
  totalAssets: OptionalMoney('Total assets at year end (资产总额), CNY'),
  totalLiabilities: OptionalMoney('Total liabilities at year end (负债总额), CNY; only together with totalAssets'),
  employees: Count('Employees at year end (从业人员)'),
  rdStaff: Count('R&D staff (研发人员); at most employees'),
  patents: Count('Valid patents (有效专利)'),
  softwareCopyrights: Count('Software copyrights (软件著作权)')
}, { additionalProperties: false })
export type DeclarationBody = Static<typeof DeclarationBodySchema>

export const DeclarationSchema = Type.Object({
  id: UuidSchema,
  enterpriseId: UuidSchema,
  year: Type.Integer(),
  operatingRevenue: MoneySchema,
  softwareRevenue: MoneySchema,
  rdExpense: MoneySchema,
  exportRevenue: MoneySchema,
  mainBusinessRevenue: Type.Union([MoneySchema, Type.Null()]),
  totalAssets: Type.Union([MoneySchema, Type.Null()]),
  totalLiabilities: Type.Union([MoneySchema, Type.Null()]),
  employees: Type.Integer(),
  rdStaff: Type.Integer(),
  patents: Type.Integer(),
  softwareCopyrights: Type.Integer(),
  tier: { ...TierCodeSchema, description: 'The tier these figures put the firm in for this year, with the rules in force for that year when they were stored' },
  version: Type.Integer({ description: 'Bumped on every change; send back in If-Match' }),
  createdAt: DateTimeSchema,
  updatedAt: DateTimeSchema
})

export const DeclarationListQuerySchema = PageQuerySchema
