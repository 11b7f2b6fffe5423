import { Type, type Static } from '@sinclair/typebox'
import { DateSchema, EmailSchema, RoleSchema, TextSchema, UuidSchema, DateTimeSchema, PageQuerySchema } from './common.ts'

export const PasswordSchema = Type.String({ minLength: 10, maxLength: 256, description: '10-256 characters; common passwords are refused' })
export const UsccSchema = Type.String({ minLength: 1, maxLength: 64, description: 'Unified social credit code (统一社会信用代码), 18 characters, GB 32100-2015; the check character is verified' })
export const DomainCodesSchema = Type.Array(Type.String({ maxLength: 40 }), { minItems: 1, maxItems: 8, uniqueItems: true, description: 'Focus domain codes (see /v1/reference/domains)' })

export const UserSchema = Type.Object({
  id: UuidSchema,
  email: Type.String(),
  name: Type.String(),
  role: RoleSchema,
  enterpriseId: Type.Union([UuidSchema, Type.Null()], { description: 'The firm, for enterprise accounts' }),
  employerUscc: Type.Union([Type.String(), Type.Null()], { description: "A reviewer's own employer: a standing conflict of interest" }),
  districtCode: Type.Union([Type.String(), Type.Null()], { description: "A district officer's district: it sees that district's firms only" }),
  domains: Type.Array(Type.String(), { description: 'A reviewer\'s fields of expertise (domain codes); automatic assignment prefers them' }),
  disabled: Type.Boolean(),
  emailConfirmed: Type.Boolean({ description: 'Whether the address was proved (confirmation link, accepted invitation or password reset); until then no email but the confirmation is sent to it' }),
  createdAt: DateTimeSchema
})

/** The fields every view of a firm carries. */
export const EnterpriseCoreFields = {
  id: UuidSchema,
  uscc: Type.String(),
  name: Type.String(),
  districtCode: Type.String(),
  domains: Type.Array(Type.String()),
  primaryDomain: Type.Union([Type.String(), Type.Null()], { description: 'The domain the firm counts in for domain shares of revenue (one of its domains)' }),
  foundedOn: DateSchema
}

export const EnterpriseProfileSchema = Type.Object({
  ...EnterpriseCoreFields,
  contactName: Type.Union([Type.String(), Type.Null()]),
  contactPhone: Type.Union([Type.String(), Type.Null()]),
  address: Type.Union([Type.String(), Type.Null()]),
  website: Type.Union([Type.String(), Type.Null()]),
  createdAt: DateTimeSchema
})

export const RegisterBodySchema = Type.Object({
  uscc: UsccSchema,
  name: TextSchema({ minLength: 2, maxLength: 200, description: 'Registered firm name' }),
  email: EmailSchema,
  password: PasswordSchema,
  districtCode: Type.String({ maxLength: 40, description: 'District code (see /v1/reference/districts)' }),
  domains: DomainCodesSchema,
  primaryDomain: Type.Optional(Type.String({ maxLength: 40, description: 'One of domains: the one the firm counts in for domain shares; default: the first' })),
  foundedOn: DateSchema,
  contactName: Type.Optional(TextSchema({ maxLength: 100, description: 'Contact person' })),
  contactPhone: Type.Optional(Type.String({ pattern: '^[0-9+()\\- ]{5,30}$', description: 'Contact phone' })),
  address: Type.Optional(TextSchema({ maxLength: 300, description: 'Address' })),
  website: Type.Optional(Type.String({ maxLength: 300, format: 'uri', description: 'Website' }))
}, { additionalProperties: false })
export type RegisterBody = Static<typeof RegisterBodySchema>

export const RegisterReplySchema = Type.Object({
  user: UserSchema,
  enterprise: EnterpriseProfileSchema,
  warnings: Type.Optional(Type.Array(Type.Object({ code: Type.String(), message: Type.String(), messageZh: Type.String() }), {
    description: 'Accepted, but worth checking: USCC_DISTRICT_MISMATCH when the code\'s division (characters 3-8) is not the chosen district'
  }))
})

export const LoginBodySchema = Type.Object({
  email: Type.String({ minLength: 1, maxLength: 254, description: 'Account email' }),
  password: Type.String({ minLength: 1, maxLength: 256 })
}, { additionalProperties: false })

export const TokenReplySchema = Type.Object({
  accessToken: Type.String({ description: 'HS256 JWT; send as Authorization: Bearer <token>' }),
  tokenType: Type.Literal('Bearer'),
  expiresIn: Type.Integer({ description: 'Seconds until the token expires' })
})

export const MeReplySchema = Type.Object({
  id: UuidSchema,
  email: Type.String(),
  name: Type.String(),
  role: RoleSchema,
  emailConfirmed: Type.Boolean({ description: 'Whether the address is confirmed; an unconfirmed account signs in for 7 days after registering' }),
  enterpriseId: Type.Optional(UuidSchema),
  firmRole: Type.Optional(Type.Union([Type.Literal('owner'), Type.Literal('member')], { description: 'Enterprise accounts: owner manages the firm\'s accounts' })),
  domains: Type.Optional(Type.Array(Type.String(), { description: 'Reviewers: their fields of expertise' })),
  districtCode: Type.Optional(Type.String({ description: 'District officers: their district' }))
})

export const ReviewerDomainsSchema = Type.Array(Type.String({ maxLength: 40 }), {
  maxItems: 8, uniqueItems: true, description: 'A reviewer\'s fields of expertise: domain codes (see /v1/reference/domains); [] for none'
})

export const UpdateMeBodySchema = Type.Object({
  domains: ReviewerDomainsSchema
}, { additionalProperties: false })

export const StaffRoleSchema = Type.Union([
  Type.Literal('reviewer'), Type.Literal('officer'), Type.Literal('analyst'), Type.Literal('admin'), Type.Literal('district_officer')
])
const DistrictCodeSchema = Type.String({
  maxLength: 40, description: 'For district_officer (required, and only for it): its district code (see /v1/reference/districts)'
})

export const CreateUserBodySchema = Type.Object({
  email: EmailSchema,
  name: TextSchema({ minLength: 1, maxLength: 100, description: 'Full name' }),
  role: StaffRoleSchema,
  password: PasswordSchema,
  employerUscc: Type.Optional(UsccSchema),
  districtCode: Type.Optional(DistrictCodeSchema)
}, { additionalProperties: false })

export const UpdateUserBodySchema = Type.Object({
  role: Type.Optional(StaffRoleSchema),
  disabled: Type.Optional(Type.Boolean({ description: 'true ends every token of the user' })),
  name: Type.Optional(TextSchema({ minLength: 1, maxLength: 100, description: 'Full name' })),
  employerUscc: Type.Optional(Type.Union([UsccSchema, Type.Null()])),
  districtCode: Type.Optional(DistrictCodeSchema),
  domains: Type.Optional(ReviewerDomainsSchema)
}, { additionalProperties: false, minProperties: 1 })

export const ListUsersQuerySchema = Type.Composite([PageQuerySchema, Type.Object({
  role: Type.Optional(RoleSchema),
  disabled: Type.Optional(Type.Boolean())
})], { additionalProperties: false })

export const ConfirmEmailBodySchema = Type.Object({
  token: Type.String({ minLength: 20, maxLength: 200, description: 'The token of the emailed confirmation link' })
}, { additionalProperties: false })

export const ConfirmEmailReplySchema = Type.Object({
  email: Type.String(),
  emailConfirmed: Type.Literal(true)
})
