import { Type, type Static, type TSchema } from '@sinclair/typebox'
import { DateTimeSchema, PageQuerySchema, UuidSchema } from './common.ts'
import { EligibilityGatesSchema } from './applications.ts'
import { TargetInputSchema } from './analytics.ts'
import { RubricBodySchema } from './rubrics.ts'
import { TierRuleInputSchema } from './tier-rules.ts'

const Nullable = <T extends TSchema>(s: T) => Type.Union([s, Type.Null()])
const Counts = (description: string) => Type.Record(Type.String(), Type.Integer(), { description })

export const SimulationBodySchema = Type.Object({
  year: Type.Integer({ minimum: 1900, maximum: 2200, description: 'The year whose stored declarations, pool and calls the proposal is tried on' }),
  tierRules: Type.Optional(Type.Array(TierRuleInputSchema, {
    maxItems: 500, description: 'A whole proposed tier rule set, as PUT /v1/admin/tier-rules takes it. Analysts: thresholds on the 1-1.5-2-3-5-7 grid only'
  })),
  eligibilityGates: Type.Optional({ ...EligibilityGatesSchema, description: 'Proposed gates of every program, as PUT /v1/admin/eligibility-gates takes them (not for analysts)' }),
  rubric: Type.Optional({ ...RubricBodySchema, description: 'A proposed next rubric version of one program, as POST /v1/admin/rubrics takes it (not for analysts)' }),
  targets: Type.Optional(Type.Array(TargetInputSchema, { maxItems: 200, description: 'A whole proposed set of plan targets, as PUT /v1/admin/targets takes it' }))
}, { additionalProperties: false })
export type SimulationBody = Static<typeof SimulationBodySchema>

const TargetSideSchema = Type.Object({
  goal: Type.String(),
  comparator: Type.String(),
  measurable: Type.Boolean(),
  value: Nullable(Type.String()),
  met: Nullable(Type.Boolean()),
  gap: Nullable(Type.String()),
  suppressed: Type.Optional(Type.Boolean({ description: 'Withheld from aggregate readers (a share under proposed thresholds)' }))
})

const Outcome = Type.Union([Type.Literal('stays'), Type.Literal('warned'), Type.Literal('exits'), Type.Literal('graduates')])
const OutcomeCounts = Type.Object({ stays: Type.Integer(), warned: Type.Integer(), exits: Type.Integer(), graduates: Type.Integer() })
const Pair = <T extends TSchema>(s: T) => Type.Object({ before: s, after: s })

export const SimulationSchema = Type.Object({
  id: UuidSchema,
  year: Type.Integer(),
  state: Type.Union([Type.Literal('simulated'), Type.Literal('adopted')]),
  stale: Type.Boolean({ description: 'The stored policy has changed since: adopting is refused (409 STALE_SIMULATION)' }),
  createdAt: DateTimeSchema,
  createdByRole: Type.String(),
  adoptedAt: Nullable(DateTimeSchema),
  parts: Type.Array(Type.String(), { description: 'Which policies the proposal replaces: tierRules, eligibilityGates, rubric, targets' }),
  proposal: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'The proposed policy as sent (officers and administrators)' })),
  firms: Type.Integer({ description: 'Declarations of the year' }),
  disclosure: Type.Union([Type.Literal('exact'), Type.Literal('aggregate')], { description: 'aggregate: analysts\' view, no firm lists, revenue shares the proposal changes withheld' }),
  tiers: Type.Object({
    before: Counts('Firms per tier: the tiers stored with the declarations'),
    after: Counts('Firms per tier under the proposal'),
    moves: Type.Array(Type.Object({
      from: Type.String(),
      to: Type.String(),
      firms: Type.Integer()
    }), { description: 'The transition matrix: every non-empty (from, to) pair, firms that keep their tier included' }),
    changed: Type.Integer({ description: 'Firms whose tier would change' }),
    changes: Type.Optional(Type.Array(Type.Object({
      enterpriseId: UuidSchema, name: Type.String(), uscc: Type.String(), from: Type.String(),
      to: Type.String()
    })))
  }),
  targets: Type.Array(Type.Object({
    code: Type.String(),
    labelZh: Type.String(),
    labelEn: Type.String(),
    measure: Type.String(),
    tierCode: Nullable(Type.String()),
    before: Nullable(TargetSideSchema),
    after: Nullable(TargetSideSchema)
  })),
  pool: Type.Object({
    evaluated: Type.Integer({ description: 'Active and warned members re-evaluation would examine' }),
    changed: Type.Integer({ description: 'Members whose outcome or tier the proposal changes' }),
    outcomes: Pair(OutcomeCounts),
    members: Type.Optional(Type.Array(Type.Object({
      membershipId: UuidSchema,
      enterpriseId: UuidSchema,
      firmName: Type.String(),
      uscc: Type.String(),
      program: Type.String(),
      before: Type.Object({ outcome: Outcome, tier: Type.String() }),
      after: Type.Object({ outcome: Outcome, tier: Type.String(), failedGates: Type.Array(Type.String()) })
    }))),
    newlyQualifying: Counts('Per program: declaring firms outside it that fail its gates now and would pass them'),
    noLongerQualifying: Counts('Per program: declaring firms outside it that pass its gates now and would fail them'),
    qualifying: Type.Optional(Type.Array(Type.Object({
      enterpriseId: UuidSchema, firmName: Type.String(), uscc: Type.String(), program: Type.String(),
      change: Type.Union([Type.Literal('qualifies'), Type.Literal('no_longer_qualifies')])
    })))
  }),
  applications: Type.Object({
    examined: Type.Integer(),
    eligibilityFlips: Type.Integer(),
    passFlips: Type.Integer(),
    rankChanges: Type.Integer(),
    calls: Type.Array(Type.Object({
      callId: UuidSchema,
      title: Type.String(),
      program: Type.String(),
      applications: Type.Integer(),
      eligibilityFlips: Type.Integer(),
      passFlips: Type.Integer(),
      rankChanges: Type.Integer(),
      items: Type.Optional(Type.Array(Type.Object({
        applicationId: UuidSchema,
        enterpriseId: UuidSchema,
        firmName: Type.String(),
        state: Type.String(),
        eligible: Pair(Type.Boolean()),
        pass: Pair(Nullable(Type.Boolean())),
        total: Pair(Nullable(Type.String())),
        rank: Pair(Nullable(Type.Integer()))
      })))
    }))
  }),
  adoption: Type.Optional(Nullable(Type.Object({
    recomputed: Nullable(Type.Object({ year: Type.Integer(), examined: Type.Integer(), changed: Type.Integer() })),
    rubricId: Nullable(UuidSchema)
  }))),
  listLimit: Type.Integer({ description: 'Longest list kept per section; the counts are always complete' }),
  notes: Type.Array(Type.String())
})
export type SimulationView = Static<typeof SimulationSchema>

export const SimulationSummarySchema = Type.Object({
  id: UuidSchema,
  year: Type.Integer(),
  state: Type.Union([Type.Literal('simulated'), Type.Literal('adopted')]),
  createdAt: DateTimeSchema,
  createdByRole: Type.String(),
  parts: Type.Array(Type.String()),
  tiersChanged: Type.Integer()
})

export const SimulationListQuerySchema = Type.Composite([PageQuerySchema, Type.Object({
  year: Type.Optional(Type.Integer({ minimum: 1900, maximum: 2200 }))
})], { additionalProperties: false })
