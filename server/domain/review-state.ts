import { errors } from './errors.ts'

/**
 * A review's life, as data:
 *
 *   assigned ──save──▶ draft ──save──▶ draft ──submit──▶ submitted
 *
 * An open review (assigned or draft) ends `recused` when its reviewer steps
 * down (a conflict of interest), or `reassigned` when an officer replaces the
 * reviewer (late, unreachable). Neither counts in the application's score: only
 * `submitted` reviews of the current round are aggregated.
 */
export const REVIEW_STATES = ['assigned', 'draft', 'submitted', 'recused', 'reassigned'] as const
export type ReviewState = typeof REVIEW_STATES[number]

export const REVIEW_EVENTS = ['save', 'submit', 'recuse', 'reassign'] as const
export type ReviewEvent = typeof REVIEW_EVENTS[number]

export const REVIEW_TRANSITIONS: Readonly<Record<ReviewState, Readonly<Partial<Record<ReviewEvent, ReviewState>>>>> = {
  assigned: { save: 'draft', submit: 'submitted', recuse: 'recused', reassign: 'reassigned' },
  draft: { save: 'draft', submit: 'submitted', recuse: 'recused', reassign: 'reassigned' },
  submitted: {},
  recused: {},
  reassigned: {}
}

/** Still to be done by its reviewer. */
export const OPEN_REVIEW_STATES: readonly ReviewState[] = ['assigned', 'draft']
export const isOpenReview = (state: string): boolean => (OPEN_REVIEW_STATES as readonly string[]).includes(state)

/** Ended without a score: the reviewer no longer holds the slot. */
export const ENDED_WITHOUT_SCORE: readonly ReviewState[] = ['recused', 'reassigned']

export function nextReviewState (state: ReviewState, event: ReviewEvent): ReviewState | null {
  return REVIEW_TRANSITIONS[state]?.[event] ?? null
}

/** The next state; 409 INVALID_STATE when the review's state forbids the event. */
export function reviewTransition (state: ReviewState, event: ReviewEvent): ReviewState {
  const next = nextReviewState(state, event)
  if (next == null) throw errors.invalidState(state, `a review in state ${state} cannot ${event}`)
  return next
}
