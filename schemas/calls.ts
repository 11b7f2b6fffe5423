import { Type, type Static } from '@sinclair/typebox'
import { DateTimeSchema, PageQuerySchema, TextSchema, UuidSchema } from './common.ts'

export const ProgramCodeSchema = Type.String({ pattern: '^[a-z_]{2,40}$', description: 'Program code: startup, innovative_growth, leading_platform', examples: ['innovative_growth'] })
export const CallStatusSchema = Type.Union([Type.Literal('upcoming'), Type.Literal('open'), Type.Literal('closed')], {
  description: 'upcoming: before opensAt; open: opensAt ≤ now < closesAt; closed: from closesAt'
})
const YearSchema = Type.Integer({ minimum: 2000, maximum: 2100, description: 'The year the call grades (declarations up to this year)' })
const ReviewersSchema = Type.Integer({ minimum: 1, maximum: 15, description: 'Reviewers who grade each application' })

export const RequiredDocumentSchema = Type.Object({
  key: Type.String({ pattern: '^[a-z][a-z0-9_]{0,39}$', description: 'Stable key; an upload names it in its `kind` field', examples: ['audit_report'] }),
  nameZh: TextSchema({ minLength: 1, maxLength: 100, description: 'Name shown to firms, in Chinese' }),
  nameEn: TextSchema({ minLength: 1, maxLength: 100, description: 'Name shown to firms, in English' })
}, { additionalProperties: false })
const GuidelinesSchema = TextSchema({ maxLength: 20000, description: 'The notice\'s guidelines for applicants' })
const RequiredDocumentsSchema = Type.Array(RequiredDocumentSchema, { maxItems: 20, description: 'Documents every application must attach (409 MISSING_DOCUMENTS at submit otherwise); keys unique' })
const QuotaSchema = Type.Union([Type.Integer({ minimum: 0, maximum: 100000 }), Type.Null()], { description: 'Most admissions the call may make; null: no limit' })
const ReviewDueSchema = Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description: 'When reviews are due (RFC 3339): reminders before, overdue after' })
const RevisionDaysSchema = Type.Integer({ minimum: 0, maximum: 365, description: 'Days a returned application may be resubmitted in, even after the call closed; default from policy revision_days (10)' })

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
  guidelines: Type.String(),
  requiredDocuments: Type.Array(RequiredDocumentSchema),
  quota: Type.Union([Type.Integer(), Type.Null()]),
  reviewDueAt: Type.Union([DateTimeSchema, Type.Null()]),
  revisionDays: Type.Integer(),
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
  districtReview: Type.Optional(Type.Boolean({
    default: false, description: 'The firm\'s district pre-screens submitted applications (state district_reviewed) before reviewers are assigned'
  })),
  rubricId: Type.Optional(Type.String({ format: 'uuid', description: 'A rubric of the same program; default: the program\'s latest version' })),
  guidelines: Type.Optional(GuidelinesSchema),
  requiredDocuments: Type.Optional(RequiredDocumentsSchema),
  quota: Type.Optional(QuotaSchema),
  reviewDueAt: Type.Optional(ReviewDueSchema),
  revisionDays: Type.Optional(RevisionDaysSchema)
}, { additionalProperties: false })
export type CreateCallBody = Static<typeof CreateCallBodySchema>

export const UpdateCallBodySchema = Type.Object({
  title: Type.Optional(TextSchema({ minLength: 1, maxLength: 200, description: 'Title shown to firms' })),
  opensAt: Type.Optional(Type.String({ format: 'date-time', description: 'Only before the call opens' })),
  closesAt: Type.Optional(Type.String({ format: 'date-time', description: 'Now or earlier closes the call' })),
  reviewersPerApplication: Type.Optional(ReviewersSchema),
  districtReview: Type.Optional(Type.Boolean({ description: 'Only before the call opens' })),
  guidelines: Type.Optional(GuidelinesSchema),
  requiredDocuments: Type.Optional(RequiredDocumentsSchema),
  quota: Type.Optional(QuotaSchema),
  reviewDueAt: Type.Optional(ReviewDueSchema),
  revisionDays: Type.Optional(RevisionDaysSchema)
}, { additionalProperties: false, minProperties: 1, description: 'After the call closed only quota, reviewDueAt and revisionDays may change' })

export const ListCallsQuerySchema = Type.Composite([PageQuerySchema, Type.Object({
  status: Type.Optional(CallStatusSchema),
  program: Type.Optional(ProgramCodeSchema),
  year: Type.Optional(YearSchema)
})], { additionalProperties: false })
