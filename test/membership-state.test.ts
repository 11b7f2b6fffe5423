import t from 'tap'
import {
  LIVE_MEMBERSHIP_STATES, MEMBERSHIP_EVENTS, MEMBERSHIP_STATES, addYears, isLiveMembership, membershipAdvice, membershipTransition,
  nextMembershipState, termEnd, type MembershipEvent, type MembershipState
} from '../server/domain/membership-state.ts'
import { REEVALUATION_EVENTS, REEVALUATION_STATES, nextReevaluationState } from '../server/domain/reevaluation.ts'
import { AppError } from '../server/domain/errors.ts'

// The whole machine, by hand: every allowed (state, event) and where it
// leads. Every pair not listed must be refused.
const ALLOWED: Array<[MembershipState, MembershipEvent, MembershipState]> = [
  ['notice', 'activate', 'active'],
  ['notice', 'uphold_objection', 'revoked'],
  ['notice', 'revoke', 'revoked'],
  ['active', 'renew', 'active'],
  ['active', 'warn', 'warned'],
  ['active', 'exit', 'exited'],
  ['active', 'graduate', 'graduated'],
  ['active', 'expire', 'expired'],
  ['active', 'revoke', 'revoked'],
  ['active', 'retier', 'active'],
  ['warned', 'renew', 'active'],
  ['warned', 'warn', 'warned'],
  ['warned', 'exit', 'exited'],
  ['warned', 'graduate', 'graduated'],
  ['warned', 'expire', 'expired'],
  ['warned', 'revoke', 'revoked'],
  ['warned', 'retier', 'warned']
]

t.test('every state × event: allowed ones lead where the table says, all others are 409 INVALID_STATE', async (t) => {
  let checked = 0
  for (const state of MEMBERSHIP_STATES) {
    for (const event of MEMBERSHIP_EVENTS) {
      const allowed = ALLOWED.find(([s, e]) => s === state && e === event)
      if (allowed != null) {
        t.equal(nextMembershipState(state, event), allowed[2], `${state} --${event}--> ${allowed[2]}`)
        t.equal(membershipTransition(state, event), allowed[2])
      } else {
        t.equal(nextMembershipState(state, event), null, `${state} refuses ${event}`)
        let err: unknown
        try { membershipTransition(state, event) } catch (e) { err = e }
        t.ok(err instanceof AppError && err.statusCode === 409 && err.code === 'INVALID_STATE', `${state} × ${event} throws INVALID_STATE`)
      }
      checked++
    }
  }
  t.equal(checked, MEMBERSHIP_STATES.length * MEMBERSHIP_EVENTS.length)
})

t.test('final states and live states', async (t) => {
  for (const s of ['expired', 'exited', 'revoked', 'graduated'] as const) {
    t.same(MEMBERSHIP_EVENTS.filter(e => nextMembershipState(s, e) != null), [], `${s} is final`)
    t.notOk(isLiveMembership(s))
  }
  t.same([...LIVE_MEMBERSHIP_STATES], ['notice', 'active', 'warned'])
  t.ok(isLiveMembership('warned'))
})

t.test('a stored report: previewed → applied, once', async (t) => {
  const table: Record<string, string | null> = { 'previewed apply': 'applied', 'applied apply': null }
  for (const s of REEVALUATION_STATES) for (const e of REEVALUATION_EVENTS) t.equal(nextReevaluationState(s, e), table[`${s} ${e}`], `${s} × ${e}`)
})

t.test('terms: whole years, last day included; bars', async (t) => {
  const cases: Array<[string, number, string]> = [
    ['2023-06-01', 3, '2026-05-31'],
    ['2026-01-01', 3, '2028-12-31'],
    ['2024-03-01', 1, '2025-02-28'],
    ['2024-01-01', 5, '2028-12-31']
  ]
  for (const [from, years, until] of cases) t.equal(termEnd(from, years), until, `${from} + ${years}y`)
  t.equal(addYears('2026-12-01', 3), '2029-12-01')
})

t.test('advice names what the firm can do', async (t) => {
  t.match(membershipAdvice('revoked', { appealBy: '2026-12-16', barredUntil: '2029-12-01' })[0], /appeal.*2026-12-16.*2029-12-01/)
  t.match(membershipAdvice('revoked', { appealBy: '2026-12-16', barredUntil: '2029-12-01' })[1], /申诉/)
  t.match(membershipAdvice('warned')[0], /Declare/)
  t.match(membershipAdvice('exited')[0], /apply again/)
  t.match(membershipAdvice('renewed', { validUntil: '2028-12-31' })[0], /2028-12-31/)
})
