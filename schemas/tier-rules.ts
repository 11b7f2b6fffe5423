import { Type, type Static } from '@sinclair/typebox'
import { MoneySchema, TextSchema } from './common.ts'
import { NullableSchema } from './declarations.ts'

const Year = (description: string) => Type.Integer({ minimum: 1900, maximum: 2200, description })

export const TierRuleSchema = Type.Object({
  tierCode: Type.String({ maxLength: 40, description: 'Tier code (see /v1/reference/tiers); not below_scale, which is what is left under the lowest threshold' }),
  minRevenue: { ...MoneySchema, description: 'Minimum annual operating revenue for the tier, CNY' },
  fromYear: Year('First year the rule is in force'),
  toYear: NullableSchema(Year('Last year the rule is in force, inclusive; null = still in force')),
  domainCode: NullableSchema(Type.String({ maxLength: 40, description: 'When set, the rule applies only to firms in this domain and overrides the general rule for its tier' })),
  note: NullableSchema(TextSchema({ maxLength: 300, description: 'Where the rule comes from' }))
}, { additionalProperties: false })

export const TierRuleInputSchema = Type.Object({
  tierCode: TierRuleSchema.properties.tierCode,
  minRevenue: TierRuleSchema.properties.minRevenue,
  fromYear: TierRuleSchema.properties.fromYear,
  toYear: Type.Optional(TierRuleSchema.properties.toYear),
  domainCode: Type.Optional(TierRuleSchema.properties.domainCode),
  note: Type.Optional(TierRuleSchema.properties.note)
}, { additionalProperties: false })

export const TierRuleSetSchema = Type.Object({ rules: Type.Array(TierRuleSchema) })
export const TierRuleSetBodySchema = Type.Object({
  rules: Type.Array(TierRuleInputSchema, { maxItems: 500, description: 'The whole new rule set; replaces the current one' })
}, { additionalProperties: false })
export type TierRuleSetBody = Static<typeof TierRuleSetBodySchema>

export const TierRulesPutHeadersSchema = Type.Object({
  'if-match': Type.Optional(Type.String({ maxLength: 100, description: 'The ETag of GET /v1/admin/tier-rules; a stale one is 412' }))
})

export const RecomputeBodySchema = Type.Object({
  year: Year('Reclassify the stored declarations of this year with the rules in force now')
}, { additionalProperties: false })

export const RecomputeReportSchema = Type.Object({
  year: Type.Integer(),
  examined: Type.Integer({ description: 'Declarations of the year' }),
  changed: Type.Integer({ description: 'Declarations whose tier changed' }),
  changes: Type.Array(Type.Object({
    declarationId: Type.String({ format: 'uuid' }),
    enterpriseId: Type.String({ format: 'uuid' }),
    from: Type.String(),
    to: Type.String()
  }))
})
