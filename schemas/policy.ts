import { Type } from '@sinclair/typebox'

export const PolicyItemSchema = Type.Object({
  key: Type.String(),
  value: Type.Unknown({ description: 'The stored JSON value; null when none is stored and the default applies' }),
  description: Type.String(),
  editable: Type.Boolean({ description: 'true: PUT /v1/admin/policy/:key changes it' }),
  endpoint: Type.Union([Type.String(), Type.Null()], { description: 'The endpoint that changes it, when it is checked as a whole elsewhere' }),
  stored: Type.Boolean()
})

export const PolicyListSchema = Type.Object({ items: Type.Array(PolicyItemSchema) })

export const PolicyKeyParamsSchema = Type.Object({ key: Type.String({ pattern: '^[a-z_]{1,60}$' }) }, { additionalProperties: false })

export const PolicyPutBodySchema = Type.Object({
  value: Type.Unknown({ description: 'The new value, shaped as the key requires (GET lists each key with its description)' })
}, { additionalProperties: false })
