import { Type, type Static } from '@sinclair/typebox'
import { DateTimeSchema, PageQuerySchema, TextSchema, UuidSchema } from './common.ts'

/**
 * A grading rubric (docs/api.md, "Objects"): indicators, each auto-scored from the frozen
 * declaration by bands or judged by reviewers, group minimums, a pass mark and
 * grade bands. The structural rules TypeBox cannot say (unique keys, ordered
 * bands, reachable minimums) are checked by server/domain/rubrics.ts.
 */

const KeySchema = Type.String({ pattern: '^[a-z][a-z0-9_]{0,39}$', description: 'snake_case identifier' })
const DecimalThresholdSchema = Type.String({ pattern: '^-?(0|[1-9]\\d{0,15})(\\.\\d{1,6})?$', description: 'Exact decimal, e.g. "0.05" for 5%' })
const PointsSchema = Type.Number({ minimum: 0, maximum: 1000, description: 'Points, at most two decimals' })

export const MEASURE_KEYS = [
  'rd_intensity', 'revenue_growth', 'debt_ratio', 'main_business_share', 'software_share',
  'ip_count', 'rd_staff_share', 'export_share', 'operating_revenue', 'employees'
] as const

export const MeasureKeySchema = Type.Union(MEASURE_KEYS.map(k => Type.Literal(k)), {
  description: 'What an auto indicator measures from the frozen declaration: rd_intensity = rdExpense / operatingRevenue; ' +
    'revenue_growth = operatingRevenue against the previous year\'s declaration; debt_ratio = totalLiabilities / totalAssets; ' +
    'main_business_share = mainBusinessRevenue / operatingRevenue; software_share = softwareRevenue / operatingRevenue; ' +
    'ip_count = patents + softwareCopyrights; rd_staff_share = rdStaff / employees; export_share = exportRevenue / operatingRevenue; ' +
    'operating_revenue (yuan); employees'
})

export const BandSchema = Type.Object({
  atLeast: Type.Optional(DecimalThresholdSchema),
  atMost: Type.Optional(DecimalThresholdSchema),
  points: PointsSchema
}, {
  additionalProperties: false,
  description: 'One band. Bands with `atLeast` (inclusive lower bound) are listed highest first; bands with `atMost` ' +
    '(inclusive upper bound, for measures where less is better such as debt_ratio) lowest first. The first band the value ' +
    'falls in gives the points; no band gives 0.'
})

export const IndicatorSchema = Type.Object({
  key: KeySchema,
  nameZh: TextSchema({ minLength: 1, maxLength: 100, description: 'Label in Chinese' }),
  nameEn: TextSchema({ minLength: 1, maxLength: 200, description: 'Label in English' }),
  group: KeySchema,
  kind: Type.Union([Type.Literal('auto'), Type.Literal('judged')], { description: 'auto: scored from the declaration by bands; judged: 0..max by each reviewer' }),
  max: Type.Number({ exclusiveMinimum: 0, maximum: 1000, description: 'Maximum points' }),
  source: Type.Optional(MeasureKeySchema),
  bands: Type.Optional(Type.Array(BandSchema, { minItems: 1, maxItems: 20 })),
  guidance: Type.Optional(TextSchema({ maxLength: 2000, description: 'What reviewers look for (judged indicators), in English' })),
  guidanceZh: Type.Optional(TextSchema({ maxLength: 2000, description: 'What reviewers look for (judged indicators), in Chinese (评审要点)' }))
}, { additionalProperties: false })

export const GradeBandSchema = Type.Object({
  grade: Type.String({ pattern: '^[A-Z][A-Z0-9+-]{0,3}$' }),
  min: Type.Number({ minimum: 0, maximum: 10000, description: 'Lowest total (inclusive) for this grade' })
}, { additionalProperties: false })

/** What an administrator sends to create a version. */
export const RubricBodySchema = Type.Object({
  program: KeySchema,
  title: Type.Optional(TextSchema({ maxLength: 200, description: 'Free title' })),
  indicators: Type.Array(IndicatorSchema, { minItems: 1, maxItems: 50 }),
  groupMinimums: Type.Record(Type.String({ pattern: '^[a-z][a-z0-9_]{0,39}$' }), Type.Number({ minimum: 0, maximum: 10000 }), { description: 'group → minimum points' }),
  passMark: Type.Number({ minimum: 0, maximum: 10000 }),
  gradeBands: Type.Array(GradeBandSchema, { minItems: 1, maxItems: 10, description: 'Highest first; the last must start at 0' })
}, { additionalProperties: false })
export type RubricBody = Static<typeof RubricBodySchema>

export const RubricSchema = Type.Object({
  id: UuidSchema,
  program: Type.String(),
  version: Type.Integer(),
  title: Type.String(),
  indicators: Type.Array(IndicatorSchema),
  groupMinimums: Type.Record(Type.String(), Type.Number()),
  passMark: Type.Number(),
  gradeBands: Type.Array(GradeBandSchema),
  maximum: Type.Number({ description: 'The highest total the rubric allows' }),
  inUse: Type.Boolean({ description: 'A call uses this version: it can no longer be replaced' }),
  createdAt: DateTimeSchema
})
export type RubricView = Static<typeof RubricSchema>

export const RubricListQuerySchema = Type.Composite([PageQuerySchema, Type.Object({
  program: Type.Optional(KeySchema)
})], { additionalProperties: false })

/** PUT replaces a version's content; the program stays. */
export const RubricReplaceBodySchema = Type.Omit(RubricBodySchema, ['program'], { additionalProperties: false })
