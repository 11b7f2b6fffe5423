import { Type, type Static } from '@sinclair/typebox'
import { DecimalStringSchema, ExportFormatSchema, MoneySchema, TextSchema } from './common.ts'

/** Analytics: distributions, trends and the plan's targets. */

const YearSchema = Type.Integer({ minimum: 1990, maximum: 2100, description: 'Declaration year' })
const CodeList = (what: string) => Type.Optional(Type.String({
  pattern: '^[a-z0-9_]+(,[a-z0-9_]+)*$', maxLength: 400, description: `Only these ${what} (comma-separated codes)`
}))
const FormatSchema = ExportFormatSchema
const PoolFilterSchema = Type.Union([Type.Literal('member'), Type.Literal('non_member'), Type.Literal('any')], {
  default: 'any', description: 'member: firms with a live pool membership (notice, active, warned); non_member: the others'
})

const filterProps = {
  tier: CodeList('tiers'),
  program: CodeList('programs (of the live pool membership)'),
  domain: CodeList('domains (a firm matches when it has any of them)'),
  district: CodeList('districts'),
  pool: PoolFilterSchema,
  format: FormatSchema
}

export const DistributionQuerySchema = Type.Object({
  year: YearSchema,
  by: Type.Optional(Type.String({ pattern: '^[a-z]+(,[a-z]+)*$', maxLength: 60, description: 'Breakdown: any of tier, program, domain, district, comma-separated; none = totals only' })),
  ...filterProps
}, { additionalProperties: false })
export type DistributionQuery = Static<typeof DistributionQuerySchema>

export const TrendQuerySchema = Type.Object({
  from: YearSchema,
  to: YearSchema,
  by: Type.Optional(Type.Union([Type.Literal('tier'), Type.Literal('program')], { description: 'Breakdown per year; none = totals only' })),
  ...filterProps
}, { additionalProperties: false })
export type TrendQuery = Static<typeof TrendQuerySchema>

export const TargetsQuerySchema = Type.Object({
  year: YearSchema,
  district: Type.Optional(Type.String({ pattern: '^[a-z0-9_]{1,40}$', description: 'One district\'s own targets against its own figures' })),
  by: Type.Optional(Type.Literal('district', { description: 'district: every district\'s own targets side by side, beside the city\'s' }))
}, { additionalProperties: false })

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(s: T) => Type.Union([s, Type.Null()])

const figureProps = {
  firms: Type.Integer({ description: 'Firms in the cell (always shown)' }),
  operatingRevenue: Nullable(MoneySchema),
  softwareRevenue: Nullable(MoneySchema),
  rdExpense: Nullable(MoneySchema),
  exportRevenue: Nullable(MoneySchema),
  employees: Nullable(Type.Integer()),
  suppressed: Type.Boolean({ description: 'true: one or more of the money and employee figures are withheld for confidentiality (null)' })
}
export const FiguresSchema = Type.Object(figureProps)

export const CellSchema = Type.Object({
  tier: Type.Optional(Nullable(Type.String())),
  program: Type.Optional(Nullable(Type.String({ description: 'null: not in the pool' }))),
  domain: Type.Optional(Nullable(Type.String())),
  district: Type.Optional(Nullable(Type.String())),
  ...figureProps
})

export const DistributionSchema = Type.Object({
  year: Type.Integer(),
  by: Type.Array(Type.String()),
  exact: Type.Boolean({ description: 'true: exact figures (officers, administrators); false: figures of the protected table' }),
  minFirms: Type.Integer({ description: 'Groups of fewer firms are withheld (policy suppression_min_firms)' }),
  dominancePercent: Type.Integer({ description: 'p% rule: a group whose remainder after its two largest firms is under p% of the largest is withheld' }),
  suppressedCells: Type.Integer(),
  cells: Type.Array(CellSchema),
  totals: FiguresSchema,
  notes: Type.Array(Type.String(), { description: 'How to read the figures: counting rules and suppression' })
})

export const TrendSchema = Type.Object({
  from: Type.Integer(),
  to: Type.Integer(),
  by: Type.Array(Type.String()),
  exact: Type.Boolean(),
  minFirms: Type.Integer(),
  dominancePercent: Type.Integer(),
  years: Type.Array(Type.Object({
    year: Type.Integer(),
    cells: Type.Array(CellSchema),
    totals: FiguresSchema,
    primaryDomains: Type.Object({
      cells: Type.Array(Type.Object({
        domain: Type.String(),
        firms: Type.Integer(),
        operatingRevenue: Nullable(MoneySchema),
        share: Nullable(DecimalStringSchema)
      })),
      focus: Type.Object({
        domains: Type.Array(Type.String()),
        firms: Type.Integer(),
        operatingRevenue: Nullable(MoneySchema),
        share: Nullable(DecimalStringSchema)
      }, { description: 'The plan\'s 2028 focus: AI, IoT, big data and cloud together' })
    }, {
      description: 'City-wide operating revenue by primary domain (each firm in one domain, so the shares add up to 1); the filters do not apply. ' +
        'Protected like the other figures (null = withheld); the focus group and the rest are published like the plan\'s tier bands.'
    })
  })),
  notes: Type.Array(Type.String())
})

const ComparatorSchema = Type.Union([Type.Literal('gte'), Type.Literal('gt'), Type.Literal('lte'), Type.Literal('lt')], { description: 'value gte/gt/lte/lt goal' })
const MeasureSchema = Type.Union([
  Type.Literal('firms_at_least_tier'), Type.Literal('revenue_share_at_least_tier'), Type.Literal('rd_to_software_revenue'),
  Type.Literal('industry_revenue'), Type.Literal('employees'), Type.Literal('value_added_gdp_share'),
  Type.Literal('export_revenue_share'), Type.Literal('primary_domain_revenue_share')
], {
  description: 'What is measured; value_added_gdp_share cannot be measured from declarations; export_revenue_share is export revenue / operating ' +
    'revenue; primary_domain_revenue_share is the combined share of `domains` in operating revenue, each firm counted in its primary domain'
})
const TierCodeSchema = Type.Union([
  Type.Literal('below_scale'), Type.Literal('above_scale'), Type.Literal('hundred_million'), Type.Literal('billion'), Type.Literal('ten_billion')
])

const targetProps = {
  key: Type.String({ pattern: '^[a-z0-9_]{1,60}$', description: 'Stable name, e.g. billion_firms_2023' }),
  measure: MeasureSchema,
  tierCode: Type.Optional(Nullable(TierCodeSchema)),
  comparator: ComparatorSchema,
  goal: Type.String({ pattern: '^(0|[1-9]\\d{0,19})(\\.\\d{1,4})?$', description: 'Decimal: firms, persons, yuan, or a fraction for ratios (0.08 = 8%)' }),
  dueYear: Type.Integer({ minimum: 2000, maximum: 2100 }),
  labelZh: TextSchema({ minLength: 1, maxLength: 200, description: 'Chinese label' }),
  labelEn: TextSchema({ minLength: 1, maxLength: 200, description: 'English label' }),
  district: Type.Optional(Nullable(Type.String({ pattern: '^[a-z0-9_]{1,40}$', description: 'A district\'s own target (层层分解); null: the city\'s' }))),
  domains: Type.Optional(Nullable(Type.Array(Type.String({ pattern: '^[a-z0-9_]{1,40}$' }), {
    minItems: 1, maxItems: 8, uniqueItems: true, description: 'For primary_domain_revenue_share: the domains whose combined share is measured'
  })))
}

export const TargetInputSchema = Type.Object(targetProps, { additionalProperties: false })
export const PutTargetsBodySchema = Type.Object({
  targets: Type.Array(TargetInputSchema, { maxItems: 200, description: 'The whole set: it replaces the stored targets' })
}, { additionalProperties: false })

export const TargetSchema = Type.Object({
  ...targetProps,
  measure: Type.String({ description: 'firms_at_least_tier, revenue_share_at_least_tier, rd_to_software_revenue, industry_revenue, employees or value_added_gdp_share' }),
  tierCode: Nullable(Type.String()),
  unit: Type.String({ description: 'firms, ratio, CNY or persons' }),
  district: Nullable(Type.String()),
  domains: Nullable(Type.Array(Type.String()))
})

export const TargetResultSchema = Type.Object({
  ...TargetSchema.properties,
  measurable: Type.Boolean({ description: 'false: the registry has no data for this measure (e.g. value added / GDP)' }),
  value: Nullable(DecimalStringSchema),
  met: Nullable(Type.Boolean()),
  gap: Nullable(Type.String({ description: 'goal − value, exact decimal; positive = still short of a "more than" goal' })),
  suppressed: Type.Boolean({ description: 'true: the value would need a figure withheld for confidentiality (district figures of the protected table)' })
})

export const TargetsReportSchema = Type.Object({
  year: Type.Integer(),
  firms: Type.Integer({ description: 'Firms that declared for the year (in the district, with ?district=)' }),
  exact: Type.Boolean({ description: 'true: exact district figures (officers, administrators); false: the protected table\'s' }),
  district: Type.Optional(Type.String()),
  by: Type.Optional(Type.String()),
  targets: Type.Array(TargetResultSchema, { description: 'The city\'s targets; with ?district=, that district\'s own' }),
  districts: Type.Optional(Type.Array(Type.Object({
    district: Type.String(),
    firms: Type.Integer(),
    targets: Type.Array(TargetResultSchema)
  }), { description: 'With ?by=district: every district\'s own targets and values' }))
})
