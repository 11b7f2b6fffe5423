import { Type, type Static } from '@sinclair/typebox'
import { DateTimeSchema, PageQuerySchema, TextSchema, UuidSchema } from './common.ts'
import { ProgramCodeSchema } from './calls.ts'
import { APPLICATION_STATES } from '../server/domain/application-state.ts'
import { GATE_KINDS } from '../server/domain/eligibility.ts'
import { TIER_CODES } from '../server/domain/tiers.ts'

export const ApplicationStateSchema = Type.Union(APPLICATION_STATES.map(s => Type.Literal(s)), { description: 'See the state machine in the README' })

const FailedGateSchema = Type.Object({
  gate: Type.Union(GATE_KINDS.map(g => Type.Literal(g)), { description: 'Stable key of the gate' }),
  message: Type.String(),
  messageZh: Type.String(),
  required: Type.Union([Type.String(), Type.Number()], { description: 'What the policy asks for' }),
  actual: Type.Union([Type.String(), Type.Number(), Type.Null()], { description: 'What the firm has; null when it cannot be computed' })
})

export const EligibilitySchema = Type.Object({
  passed: Type.Boolean(),
  failedGates: Type.Array(FailedGateSchema)
})

const Nullable = <T extends ReturnType<typeof Type.String>>(s: T) => Type.Union([s, Type.Null()])
const NullableTime = Type.Union([DateTimeSchema, Type.Null()])

const applicationFields = {
  id: UuidSchema,
  callId: UuidSchema,
  program: Type.String({ description: 'The call\'s program' }),
  enterpriseId: UuidSchema,
  state: ApplicationStateSchema,
  version: Type.Integer({ description: 'Send back in If-Match to edit' }),
  statement: Type.String(),
  returnReason: Nullable(Type.String()),
  returnedAt: NullableTime,
  revisionDueAt: Type.Union([DateTimeSchema, Type.Null()], { description: 'A returned application may be resubmitted until then, even after its call closed' }),
  declarationYear: Type.Union([Type.Integer(), Type.Null()], { description: 'The year of the declaration it was graded on (set at submit)' }),
  eligibility: Type.Union([EligibilitySchema, Type.Null()]),
  autoScores: Type.Unknown({ description: 'Indicators scored from the frozen figures; for the firm only after the decision' }),
  score: Type.Union([Type.Object({}, { additionalProperties: true }), Type.Null()], { description: '{ auto, judged, total, pass, grade, disagreement }; for the firm only after the decision' }),
  decision: Nullable(Type.String()),
  decisionReason: Nullable(Type.String()),
  decidedAt: NullableTime,
  appealGrounds: Nullable(Type.String()),
  appealedAt: NullableTime,
  appealCount: Type.Integer(),
  submittedAt: NullableTime,
  districtRecommend: Type.Union([Type.Boolean(), Type.Null()], {
    description: 'The district\'s pre-screen (calls with districtReview): recommended or not; null before it'
  }),
  districtOpinion: Nullable(Type.String({ description: 'The district\'s opinion (区县推荐意见)' })),
  districtReviewedAt: NullableTime,
  createdAt: DateTimeSchema,
  updatedAt: DateTimeSchema
}

export const ApplicationSummarySchema = Type.Object(applicationFields)
export const ApplicationSchema = Type.Object({
  ...applicationFields,
  snapshot: Type.Unknown({ description: 'Frozen at submit: the firm\'s profile, the graded declaration and the year before it, the documents' })
})

export const CreateApplicationBodySchema = Type.Object({
  callId: UuidSchema,
  statement: Type.Optional(TextSchema({ maxLength: 20000, description: 'The firm\'s statement for the reviewers' }))
}, { additionalProperties: false })
export type CreateApplicationBody = Static<typeof CreateApplicationBodySchema>

export const UpdateApplicationBodySchema = Type.Object({
  statement: Type.Optional(TextSchema({ maxLength: 20000, description: 'The firm\'s statement for the reviewers' }))
}, { additionalProperties: false })

export const ListApplicationsQuerySchema = Type.Composite([PageQuerySchema, Type.Object({
  callId: Type.Optional(UuidSchema),
  state: Type.Optional(ApplicationStateSchema),
  program: Type.Optional(ProgramCodeSchema),
  enterpriseId: Type.Optional(UuidSchema),
  sort: Type.Optional(Type.Union([Type.Literal('-createdAt'), Type.Literal('-score'), Type.Literal('score')], {
    description: 'Officers and admins: `-createdAt` (default, newest first), `-score` (highest total first, unscored last) or `score`'
  })),
  format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv'), Type.Literal('xlsx')], {
    description: 'Officers and admins: `csv` or `xlsx` (also by Accept: text/csv or the xlsx media type) exports every row of the filter, unpaged'
  }))
})], { additionalProperties: false })

const NullableString = Type.Union([Type.String(), Type.Null()])
/** A list item: the summary, plus the meeting's fields for officers and admins. */
export const ApplicationListItemSchema = Type.Object({
  ...applicationFields,
  firmName: Type.Optional(Type.String({ description: 'Officers and admins: the firm\'s name' })),
  uscc: Type.Optional(Type.String({ description: 'Officers and admins: the firm\'s credit code' })),
  district: Type.Optional(NullableString),
  tier: Type.Optional(Type.Union([Type.String(), Type.Null()], { description: 'The tier of the declaration graded on' })),
  total: Type.Optional(Type.Union([Type.String(), Type.Null()], { description: 'The score\'s total (points, two decimals)' })),
  grade: Type.Optional(NullableString),
  disagreement: Type.Optional(Type.Union([Type.Boolean(), Type.Null()], { description: 'The reviewers\' totals spread beyond policy review_disagreement_points' })),
  rank: Type.Optional(Type.Union([Type.Integer(), Type.Null()], { description: 'By total within the call among scored and decided applications; equal totals share a rank (1, 2, 2, 4)' })),
  operatingRevenue: Type.Optional(Type.Union([Type.String(), Type.Null()], { description: 'Of the declaration graded on (yuan)' })),
  rdExpense: Type.Optional(NullableString)
})

const RequiredDocumentRefSchema = Type.Object({ key: Type.String(), nameZh: Type.String(), nameEn: Type.String() })

export const SelfCheckSchema = Type.Object({
  eligible: Type.Boolean({ description: 'Every eligibility gate passes on the declaration submit would freeze' }),
  failedGates: Type.Array(FailedGateSchema),
  missingDocuments: Type.Array(RequiredDocumentRefSchema, { description: 'The call\'s required documents not attached yet (submit would answer 409 MISSING_DOCUMENTS)' }),
  autoScores: Type.Unknown({ description: 'The rubric\'s automatic indicators on those figures; null when ineligible or without a declaration' }),
  declarationYear: Type.Union([Type.Integer(), Type.Null()]),
  windowOpen: Type.Boolean({ description: 'The call (or the revision window of a returned application) accepts a submit now' }),
  refusal: Type.Union([Type.String(), Type.Null()], { description: 'What submit would refuse with before grading: CALL_CLOSED, REVISION_CLOSED, DECLARATION_REQUIRED; null when none' }),
  revisionDueAt: NullableTime
}, { description: 'What submit would say now; nothing is changed' })

export const IfMatchOptionalSchema = Type.Object({
  'if-match': Type.Optional(Type.String({ description: 'Optional here: when sent, a stale or malformed tag is 412' }))
})

// ---------------------------------------------------------------------------
// Eligibility gates (policy data).

const TierCodeSchema = Type.Union(TIER_CODES.map(t => Type.Literal(t)))
export const GateDefinitionSchema = Type.Union([
  Type.Object({ gate: Type.Literal('founded_within_years'), years: Type.Integer({ minimum: 0, maximum: 100, description: 'Call year − founding year ≤ years' }) }, { additionalProperties: false }),
  Type.Object({ gate: Type.Literal('tier_below'), tier: TierCodeSchema }, { additionalProperties: false }),
  Type.Object({ gate: Type.Literal('tier_at_least'), tier: TierCodeSchema }, { additionalProperties: false }),
  Type.Object({
    gate: Type.Literal('rd_intensity_at_least'),
    ratio: Type.String({ pattern: '^(0(\\.\\d{1,6})?|1(\\.0{1,6})?)$', description: 'R&D spending / operating revenue, a fraction: "0.03" is 3%' })
  }, { additionalProperties: false })
])
export const EligibilityGatesSchema = Type.Record(ProgramCodeSchema, Type.Array(GateDefinitionSchema, { maxItems: 20 }), {
  description: 'Program code → its gates. Every program must be present ([] for none).'
})

export const DistrictReviewBodySchema = Type.Object({
  recommend: Type.Boolean({ description: 'true: the city may assign reviewers (district_reviewed); false: rejected at district level (appealable)' }),
  opinion: TextSchema({ minLength: 1, maxLength: 2000, description: 'The district\'s opinion (区县推荐意见), required either way' })
}, { additionalProperties: false })

export const DistrictQueueQuerySchema = Type.Composite([PageQuerySchema, Type.Object({
  callId: Type.Optional(UuidSchema),
  all: Type.Optional(Type.Boolean({ description: 'true: also the applications already pre-screened; default: only those waiting (submitted)' }))
})], { additionalProperties: false })

export const DistrictQueueItemSchema = Type.Object({
  ...applicationFields,
  firmName: Type.String(),
  uscc: Type.String(),
  district: Type.String(),
  callTitle: Type.String()
})
