import { Type, type Static } from '@sinclair/typebox'
import { DateTimeSchema, PageQuerySchema, TextSchema, UuidSchema } from './common.ts'

export const ProgramCodeSchema = Type.String({ pattern: '^[a-z_]{2,40}$', description: 'Program code: startup, innovative_growth, leading_platform', examples: ['innovative_growth'] })
export const CallStatusSchema = Type.Union([Type.Literal('upcoming'), Type.Literal('open'), Type.Literal('closed')], {
  description: 'upcoming: before opensAt; open: opensAt ≤ now < closesAt; closed: from closesAt'
})
const YearSchema = Type.Integer({ minimum: 2000, maximum: 2100, description: 'The year the call grades (declarations up to this year)' })
const ReviewersSchema = Type.Integer({ minimum: 1, maximum: 15, description: 'Reviewers who grade each application' })

export const CallSchema = Type.Object({
  id: UuidSchema,
  program: Type.String({ description: 'Program code' }),
  year: Type.Integer(),
  title: Type.String(),
  opensAt: DateTimeSchema,
  closesAt: DateTimeSchema,
  reviewersPerApplication: Type.Integer(),
  districtReview: Type.Boolean({ description: 'true: the firm\'s district pre-screens submitted applications before the city assigns reviewers' }),
  rubricId: UuidSchema,
  status: CallStatusSchema,
  createdAt: DateTimeSchema,
  updatedAt: DateTimeSchema
})

export const CreateCallBodySchema = Type.Object({
  program: ProgramCodeSchema,
  year: YearSchema,
  title: TextSchema({ minLength: 1, maxLength: 200, description: 'Title shown to firms' }),
  opensAt: Type.String({ format: 'date-time', description: 'Submissions accepted from (RFC 3339)' }),
  closesAt: Type.String({ format: 'date-time', description: 'Submissions accepted until, exclusive (RFC 3339)' }),
  reviewersPerApplication: ReviewersSchema,
  rubricId: Type.Optional(Type.String({ format: 'uuid', description: 'A rubric of the same program; default: the program\'s latest version' })),
  districtReview: Type.Optional(Type.Boolean({ default: false, description: 'The firm\'s district pre-screens submitted applications (state district_reviewed) before reviewers are assigned' }))
}, { additionalProperties: false })
export type CreateCallBody = Static<typeof CreateCallBodySchema>

export const UpdateCallBodySchema = Type.Object({
  title: Type.Optional(TextSchema({ minLength: 1, maxLength: 200, description: 'Title shown to firms' })),
  opensAt: Type.Optional(Type.String({ format: 'date-time', description: 'Only before the call opens' })),
  closesAt: Type.Optional(Type.String({ format: 'date-time', description: 'Now or earlier closes the call' })),
  reviewersPerApplication: Type.Optional(ReviewersSchema),
  districtReview: Type.Optional(Type.Boolean({ description: 'Only before the call opens' }))
}, { additionalProperties: false, minProperties: 1 })

export const ListCallsQuerySchema = Type.Composite([PageQuerySchema, Type.Object({
  status: Type.Optional(CallStatusSchema),
  program: Type.Optional(ProgramCodeSchema),
  year: Type.Optional(YearSchema)
})], { additionalProperties: false })
