import t from 'tap'
import { AWARD_EVENTS, AWARD_STATES, applyPayment, assertWithinBudget, awardTransition, nextAwardState, type AwardEvent, type AwardState } from '../server/domain/award-state.ts'
import { AppError } from '../server/domain/errors.ts'

function thrown (fn: () => unknown): unknown {
  try { fn() } catch (err) { return err }
  return undefined
}

// The whole machine by hand; every pair not listed is refused.
const ALLOWED: Array<[AwardState, AwardEvent, AwardState]> = [
  ['awarded', 'pay_part', 'partly_paid'],
  ['awarded', 'pay_rest', 'paid'],
  ['awarded', 'cancel', 'cancelled'],
  ['partly_paid', 'pay_part', 'partly_paid'],
  ['partly_paid', 'pay_rest', 'paid']
]

t.test('every state × event', async (t) => {
  const allowed = new Map(ALLOWED.map(([s, e, n]) => [`${s}/${e}`, n]))
  for (const state of AWARD_STATES) {
    for (const event of AWARD_EVENTS) {
      const next = allowed.get(`${state}/${event}`)
      if (next != null) {
        t.equal(awardTransition(state, event), next, `${state} --${event}--> ${next}`)
      } else {
        t.equal(nextAwardState(state, event), null, `${state} refuses ${event}`)
        const err = thrown(() => awardTransition(state, event)) as AppError
        t.equal(err?.statusCode, 409)
        t.equal(err?.code, 'INVALID_STATE')
      }
    }
  }
})

t.test('the budget check is exact to the fen', async (t) => {
  t.doesNotThrow(() => assertWithinBudget('1000000.00', '600000.00', '400000.00'))
  const err = thrown(() => assertWithinBudget('1000000.00', '1000000.00', '0.01')) as AppError
  t.equal(err.code, 'BUDGET_EXCEEDED')
  t.same(err.details, { budget: '1000000.00', committed: '1000000.00', requested: '0.01', available: '0.00' })
  t.equal((thrown(() => assertWithinBudget('0.30', '0.10', '0.21')) as AppError).code, 'BUDGET_EXCEEDED', '0.1 + 0.2 is not a float here')
  t.doesNotThrow(() => assertWithinBudget('0.30', '0.10', '0.20'))
})

t.test('a payment: part, rest, or refused above the unpaid rest', async (t) => {
  t.same(applyPayment('awarded', '100.00', '0.00', '40.00'), { event: 'pay_part', state: 'partly_paid', paid: '40.00' })
  t.same(applyPayment('partly_paid', '100.00', '40.00', '60.00'), { event: 'pay_rest', state: 'paid', paid: '100.00' })
  t.same(applyPayment('awarded', '100.00', '0.00', '100.00'), { event: 'pay_rest', state: 'paid', paid: '100.00' })
  const over = thrown(() => applyPayment('partly_paid', '100.00', '40.00', '60.01')) as AppError
  t.equal(over.code, 'PAYMENT_EXCEEDS_AWARD')
  t.same(over.details, { amount: '60.01', unpaid: '60.00' })
  t.equal((thrown(() => applyPayment('cancelled', '100.00', '0.00', '1.00')) as AppError).code, 'INVALID_STATE')
  t.equal((thrown(() => applyPayment('paid', '100.00', '100.00', '1.00')) as AppError).code, 'INVALID_STATE')
})
