import { Type, type Static, type TSchema } from '@sinclair/typebox'
import { DateSchema, DateTimeSchema, PageQuerySchema, TextSchema, UuidSchema } from './common.ts'
import { DomainCodesSchema, EnterpriseCoreFields, EnterpriseProfileSchema } from './accounts.ts'
import { NullableSchema, TierCodeSchema } from './declarations.ts'

const PoolStatusSchema = Type.Union([
  Type.Literal('notice'), Type.Literal('active'), Type.Literal('warned'), Type.Literal('exited'), Type.Literal('revoked')
], { description: 'Pool membership status' })

export const PoolMembershipSummarySchema = Type.Object({
  id: UuidSchema,
  program: Type.String({ description: 'Program code' }),
  status: PoolStatusSchema,
  tierAtAdmission: Type.String(),
  currentTier: Type.String(),
  admittedOn: DateSchema
})

const CurrentTier = {
  currentTier: Type.Union([TierCodeSchema, Type.Null()], { description: 'Tier of the latest declaration; null before the first one' }),
  latestDeclarationYear: Type.Union([Type.Integer(), Type.Null()], { description: 'Year of the latest declaration' })
}

export const EnterpriseDetailSchema = Type.Composite([EnterpriseProfileSchema, Type.Object({
  ...CurrentTier,
  poolMemberships: Type.Array(PoolMembershipSummarySchema),
  updatedAt: DateTimeSchema
})])

export const EnterpriseListItemSchema = Type.Object({
  ...EnterpriseCoreFields,
  ...CurrentTier,
  pool: Type.Array(Type.Object({ program: Type.String(), status: PoolStatusSchema }))
})

export const EnterpriseListQuerySchema = Type.Composite([PageQuerySchema, Type.Object({
  tier: Type.Optional({ ...TierCodeSchema, description: 'Current tier (the tier of the latest declaration)' }),
  program: Type.Optional(Type.String({ maxLength: 40, description: 'Has a pool membership under this program' })),
  poolStatus: Type.Optional({ ...PoolStatusSchema, description: 'Has a pool membership with this status (under `program`, when given)' }),
  domain: Type.Optional(Type.String({ maxLength: 40, description: 'Works in this focus domain' })),
  district: Type.Optional(Type.String({ maxLength: 40, description: 'District code' })),
  format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv')], { description: 'csv: the whole filtered list as CSV (same as Accept: text/csv)' }))
})], { additionalProperties: false })
export type EnterpriseListQuery = Static<typeof EnterpriseListQuerySchema>

const Nullable = <T extends TSchema>(s: T) => Type.Optional(NullableSchema(s))

export const EnterprisePatchBodySchema = Type.Object({
  name: Type.Optional(TextSchema({ minLength: 2, maxLength: 200, description: 'Registered firm name' })),
  contactName: Nullable(TextSchema({ maxLength: 100, description: 'Contact person; null clears it' })),
  contactPhone: Nullable(Type.String({ pattern: '^[0-9+()\\- ]{5,30}$', description: 'Contact phone; null clears it' })),
  address: Nullable(TextSchema({ maxLength: 300, description: 'Address; null clears it' })),
  website: Nullable(Type.String({ maxLength: 300, format: 'uri', description: 'Website; null clears it' })),
  districtCode: Type.Optional(Type.String({ maxLength: 40, description: 'District code (see /v1/reference/districts)' })),
  domains: Type.Optional(DomainCodesSchema),
  primaryDomain: Type.Optional(Type.String({ maxLength: 40, description: 'One of the firm\'s domains (after this change); when the domains change without it, the first new domain unless the old one stays' }))
}, { additionalProperties: false, minProperties: 1, description: 'Only these fields; the credit code and founding date cannot change' })
export type EnterprisePatchBody = Static<typeof EnterprisePatchBodySchema>
