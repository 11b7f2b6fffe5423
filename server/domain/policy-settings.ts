import { Type, type TSchema } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'
import type { FieldError } from './errors.ts'

/**
 * The policy values an administrator may change one by one (policy_settings),
 * each with the shape and range it must have. Values with an endpoint of
 * their own (the eligibility gates) are changed there, where they are checked
 * as a whole. A key not listed here is not a policy value.
 */

const days = (min: number, max: number, description: string) => ({ schema: Type.Integer({ minimum: min, maximum: max }), description })
const Bilingual = Type.Object({ zh: Type.String({ minLength: 2, maxLength: 100 }), en: Type.String({ minLength: 2, maxLength: 200 }) },
  { additionalProperties: false })
const Code = Type.String({ pattern: '^[a-z_]{1,40}$' })

export const POLICY_SETTINGS: Record<string, { schema: TSchema, description: string }> = {
  appeal_window_days: days(1, 90, 'Days after a rejection or a revocation within which the firm may appeal'),
  notice_period_days: days(1, 60, 'Days an admission stays under public notice (公示)'),
  recent_notice_days: days(0, 365, 'Days an ended notice stays on the public notice page'),
  revision_days: days(0, 90, 'Default days a returned application may be resubmitted'),
  review_reminder_days: days(0, 60, 'Days before a review is due that its reviewer is reminded'),
  review_disagreement_points: days(0, 100, 'Spread of reviewers\' totals (points) that flags a disagreement'),
  suppression_min_firms: days(2, 100, 'Fewest firms in a published analytics cell'),
  disclosure_dominance_percent: days(1, 100, 'p of the p% dominance rule: a cell is withheld when what remains after its two largest firms is less than p% of the largest'),
  pool_exit_missing_years: days(1, 10, 'Years without a declaration after which a member exits'),
  membership_term_years: days(1, 10, 'Years a pool membership lasts before its re-review'),
  revocation_bar_years: days(0, 10, 'Years a revoked firm may not apply'),
  letter_issuing_body: { schema: Type.String({ minLength: 2, maxLength: 100 }), description: 'The issuing body printed on decision letters' },
  notice_issuing_body: { schema: Bilingual, description: 'The body that issues public notices, in Chinese and English' },
  notice_contact: {
    schema: Type.Object({
      zh: Type.String({ minLength: 2, maxLength: 100 }), en: Type.String({ minLength: 2, maxLength: 200 }),
      phone: Type.Optional(Type.String({ maxLength: 40, pattern: '^[0-9 ()+-]*$' })),
      email: Type.Optional(Type.String({ maxLength: 254, pattern: '^[^\\s@]+@[^\\s@]+\\.[^\\s@]+$' })),
      address: Type.Optional(Type.String({ maxLength: 200 }))
    }, { additionalProperties: false }),
    description: 'Where the public sends objections and questions about a notice'
  },
  graduation_paths: { schema: Type.Record(Code, Code), description: 'Program → the program a member that outgrows it moves to' },
  direct_routes: {
    schema: Type.Record(Code, Type.Array(Type.Object({
      basis: Code,
      nameZh: Type.String({ minLength: 2, maxLength: 100 }),
      nameEn: Type.String({ minLength: 2, maxLength: 200 }),
      conditions: Type.Array(Type.Object({ gate: Type.String({ maxLength: 60 }) }), { minItems: 1, maxItems: 20 })
    }), { maxItems: 20 })),
    description: 'Per program, the routes that admit a firm without a call (直通): each a basis, its names, and the gates it must pass'
  },
  uscc_division_check: {
    schema: Type.Object({
      mode: Type.Union([Type.Literal('off'), Type.Literal('warn'), Type.Literal('refuse')]),
      accept: Type.Optional(Type.Record(Type.String({ maxLength: 40 }), Type.Array(Type.String({ pattern: '^[0-9]{2,6}$' }), { maxItems: 20 })))
    }, { additionalProperties: false }),
    description: 'Registration compares characters 3-8 of the credit code with the district: off, warn or refuse'
  }
}

/** Policy values changed through their own endpoint, checked there as a whole. */
export const POLICY_WITH_OWN_ENDPOINT: Record<string, string> = {
  eligibility_gates: 'PUT /v1/admin/eligibility-gates'
}

/** What is wrong with `value` for `key`, as field errors under `body.value`. */
export function policyValueProblems (key: string, value: unknown): FieldError[] {
  const setting = POLICY_SETTINGS[key]
  if (setting == null) return [{ field: 'params.key', message: `${key} is not a policy value` }]
  return [...Value.Errors(setting.schema, value)].slice(0, 20).map(e => ({
    field: 'body.value' + (e.path === '' ? '' : e.path.replace(/\//g, '.')),
    message: e.message
  }))
}
