import { Type, type Static, type TSchema } from '@sinclair/typebox'
import { DateSchema, DateTimeSchema, ExportFormatSchema, PageQuerySchema, TextSchema, UuidSchema } from './common.ts'
import { DomainCodesSchema, EnterpriseCoreFields, EnterpriseProfileSchema } from './accounts.ts'
import { NullableSchema, TierCodeSchema } from './declarations.ts'
import { MembershipStatusSchema } from './pool.ts'

const PoolStatusSchema = MembershipStatusSchema

export const PoolMembershipSummarySchema = Type.Object({
  id: UuidSchema,
  program: Type.String({ description: 'Program code' }),
  status: PoolStatusSchema,
  tierAtAdmission: Type.String(),
  currentTier: Type.String(),
  admittedOn: DateSchema,
  validFrom: DateSchema,
  validUntil: { ...DateSchema, description: 'Last day of the term (included)' },
  statusReason: Type.Union([Type.String(), Type.Null()], { description: 'Why the membership is in its status (the last change\'s reason)' }),
  direct: Type.Boolean({ description: 'Admitted through a direct route (直通)' }),
  barredUntil: Type.Union([DateSchema, Type.Null()], { description: 'After a revocation: the day from which the firm may apply again' })
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
  q: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'Search: part of the firm\'s name, or the start of its credit code' })),
  format: ExportFormatSchema
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
  primaryDomain: Type.Optional(Type.String({
    maxLength: 40, description: 'One of the firm\'s domains (after this change); when the domains change without it, it stays if still among them, else the first'
  }))
}, { additionalProperties: false, minProperties: 1, description: 'Only these fields; the credit code and founding date cannot change' })
export type EnterprisePatchBody = Static<typeof EnterprisePatchBodySchema>
