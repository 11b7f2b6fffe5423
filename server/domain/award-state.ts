import { errors } from './errors.ts'
import { fromFen, toFen } from './money.ts'

/**
 * A support award's life, as data:
 *
 *   awarded → partly_paid → paid;  awarded → cancelled
 *
 * A payment that leaves something of the award unpaid is `pay_part`, the one
 * that completes it `pay_rest`. An award can be cancelled (with a reason) only
 * before its first payment: money paid out is not taken back here.
 */
export const AWARD_STATES = ['awarded', 'partly_paid', 'paid', 'cancelled'] as const
export type AwardState = typeof AWARD_STATES[number]

export const AWARD_EVENTS = ['pay_part', 'pay_rest', 'cancel'] as const
export type AwardEvent = typeof AWARD_EVENTS[number]

export const AWARD_TRANSITIONS: Readonly<Record<AwardState, Readonly<Partial<Record<AwardEvent, AwardState>>>>> = {
  awarded: { pay_part: 'partly_paid', pay_rest: 'paid', cancel: 'cancelled' },
  partly_paid: { pay_part: 'partly_paid', pay_rest: 'paid' },
  paid: {},
  cancelled: {}
}

export function nextAwardState (state: AwardState, event: AwardEvent): AwardState | null {
  return AWARD_TRANSITIONS[state]?.[event] ?? null
}

/** The next state; 409 INVALID_STATE when the award's state forbids the event. */
export function awardTransition (state: AwardState, event: AwardEvent): AwardState {
  const next = nextAwardState(state, event)
  if (next == null) throw errors.invalidState(state, `an award in state ${state} cannot ${event.replace('_', ' ')}`)
  return next
}

export const isAwardState = (v: string): v is AwardState => (AWARD_STATES as readonly string[]).includes(v)

/** Awards that hold part of the fund's budget: every one not cancelled. */
export const holdsBudget = (state: AwardState): boolean => state !== 'cancelled'

/** Pool membership statuses that make a firm a member a fund may support (a warned member is still in the pool). */
export const SUPPORTED_MEMBERSHIP_STATUSES = ['active', 'warned'] as const

/**
 * Whether an award of `amount` fits the fund: the sum of the awards that hold
 * budget plus the new one must not exceed the budget. Exact (fen). Throws
 * 409 BUDGET_EXCEEDED with what is still available.
 */
export function assertWithinBudget (budget: string, committed: string, amount: string): void {
  const available = toFen(budget) - toFen(committed)
  if (toFen(amount) > available) throw errors.budgetExceeded(budget, committed, amount, fromFen(available < 0n ? 0n : available))
}

/**
 * What a payment of `payment` does to an award of `amount` with `paid` so far:
 * the event and the new paid sum. Throws 409 PAYMENT_EXCEEDS_AWARD when it
 * would pay more than the award, 409 INVALID_STATE when the state forbids it.
 */
export function applyPayment (state: AwardState, amount: string, paid: string, payment: string): { event: AwardEvent, state: AwardState, paid: string } {
  const unpaid = toFen(amount) - toFen(paid)
  const pay = toFen(payment)
  if (state === 'paid' || state === 'cancelled') awardTransition(state, 'pay_part')
  if (pay > unpaid) throw errors.paymentExceedsAward(payment, fromFen(unpaid))
  const event: AwardEvent = pay === unpaid ? 'pay_rest' : 'pay_part'
  return { event, state: awardTransition(state, event), paid: fromFen(toFen(paid) + pay) }
}

const SHANGHAI_DAY = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' })
/** The calendar day (YYYY-MM-DD) of an instant in China, where payments are dated. */
export const localDay = (at: Date): string => SHANGHAI_DAY.format(at)
