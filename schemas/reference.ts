import { Type } from '@sinclair/typebox'

export const TierSchema = Type.Object({ code: Type.String(), nameZh: Type.String(), nameEn: Type.String(), rank: Type.Integer({ description: '0 = below_scale … 4 = ten_billion' }) })
export const ProgramSchema = Type.Object({ code: Type.String(), nameZh: Type.String(), nameEn: Type.String(), descriptionEn: Type.String() })
export const DomainSchema = Type.Object({ code: Type.String(), nameZh: Type.String(), nameEn: Type.String() })
export const DistrictSchema = Type.Object({
  code: Type.String({ description: 'Administrative division code, or a pilot-zone code' }),
  nameZh: Type.String(),
  nameEn: Type.String(),
  kind: Type.Union([Type.Literal('district'), Type.Literal('county'), Type.Literal('city'), Type.Literal('pilot_zone')])
})
export const DistrictBodySchema = Type.Object({
  nameZh: Type.String({ minLength: 1, maxLength: 100 }),
  nameEn: Type.String({ minLength: 1, maxLength: 100 }),
  kind: Type.Union([Type.Literal('district'), Type.Literal('county'), Type.Literal('city'), Type.Literal('pilot_zone')])
}, { additionalProperties: false })
export const DistrictParamsSchema = Type.Object({ code: Type.String({ pattern: '^[a-z0-9_]{2,40}$' }) }, { additionalProperties: false })
