import { errors } from './errors.ts'

/**
 * An application's life, as data (docs/domain.md "Calls, applications and
 * their states"):
 *
 *   draft → submitted → under_review → scored → admitted | rejected
 *
 * with `ineligible` (gates failed at submit), `returned` (an officer sends it
 * back for revision; the applicant edits and submits again), `withdrawn` (the
 * applicant gives up before a decision) and `appealed` (after a rejection,
 * back to review once; the "once" is counted on the row, not here). An
 * admission is final except for one event: an objection upheld during its
 * public notice reverses it into a rejection (`reverse_admission`).
 *
 * When the call asks for a district pre-screen (`districtReview`), a
 * submitted application waits for the firm's district: recommended →
 * `district_reviewed`, which the city assigns reviewers to like a submitted
 * one; not recommended → `rejected` at district level, appealable like any
 * rejection.
 */
export const APPLICATION_STATES = [
  'draft', 'submitted', 'district_reviewed', 'under_review', 'scored', 'admitted', 'rejected', 'ineligible', 'returned', 'withdrawn', 'appealed'
] as const
export type ApplicationState = typeof APPLICATION_STATES[number]

export const APPLICATION_EVENTS = [
  'submit', 'submit_ineligible', 'district_recommend', 'district_reject', 'assign', 'score', 'admit', 'reject', 'return', 'withdraw', 'appeal', 'reverse_admission'
] as const
export type ApplicationEvent = typeof APPLICATION_EVENTS[number]

/**
 * Every allowed (state, event) → next state; anything absent is forbidden.
 *
 * - Submitting is possible from draft and from returned (a revision).
 * - The district's pre-screen (`district_recommend`, `district_reject`) is of
 *   a submitted application; whether a call needs it before `assign` is the
 *   call's setting, checked by {@link needsDistrictReview}.
 * - `assign` (reviewers) starts review of a submitted application, restarts
 *   it after an appeal, and may add or replace reviewers (after a recusal)
 *   while it is under review.
 * - An officer may return an application for revision at any point before a
 *   decision once it was submitted.
 * - Withdrawal is the applicant's, before a decision: also from `ineligible`,
 *   which frees the call for a fresh application once the declaration is
 *   corrected (one *live* application per firm and call).
 * - After an appeal the officer either sends it back to review (`assign`) or
 *   decides again directly (`admit` / `reject`).
 * - `reverse_admission`: an officer upholds an objection to the admission's
 *   public notice (services/notices.ts); the application becomes `rejected`,
 *   which the firm may appeal like any rejection.
 */
export const TRANSITIONS: Readonly<Record<ApplicationState, Readonly<Partial<Record<ApplicationEvent, ApplicationState>>>>> = {
  draft: { submit: 'submitted', submit_ineligible: 'ineligible', withdraw: 'withdrawn' },
  returned: { submit: 'submitted', submit_ineligible: 'ineligible', withdraw: 'withdrawn' },
  submitted: { district_recommend: 'district_reviewed', district_reject: 'rejected', assign: 'under_review', return: 'returned', withdraw: 'withdrawn' },
  district_reviewed: { assign: 'under_review', return: 'returned', withdraw: 'withdrawn' },
  under_review: { assign: 'under_review', score: 'scored', return: 'returned', withdraw: 'withdrawn' },
  scored: { admit: 'admitted', reject: 'rejected', return: 'returned', withdraw: 'withdrawn' },
  ineligible: { withdraw: 'withdrawn' },
  rejected: { appeal: 'appealed' },
  appealed: { assign: 'under_review', admit: 'admitted', reject: 'rejected' },
  admitted: { reverse_admission: 'rejected' },
  withdrawn: {}
}

/** The next state, or null when the event is not allowed in `state`. */
export function nextState (state: ApplicationState, event: ApplicationEvent): ApplicationState | null {
  return TRANSITIONS[state]?.[event] ?? null
}

/** The next state; 409 INVALID_STATE when the state forbids the event. */
export function transition (state: ApplicationState, event: ApplicationEvent): ApplicationState {
  const next = nextState(state, event)
  if (next == null) throw errors.invalidState(state, `an application in state ${state} cannot ${event.replaceAll('_', ' ')}`)
  return next
}

export function isApplicationState (value: string): value is ApplicationState {
  return (APPLICATION_STATES as readonly string[]).includes(value)
}

/**
 * A submitted application of a call with a district pre-screen waits for its
 * district before the city assigns reviewers (409 DISTRICT_REVIEW_PENDING).
 */
export const needsDistrictReview = (state: ApplicationState, callHasDistrictReview: boolean): boolean =>
  callHasDistrictReview && state === 'submitted'

/** The applicant may change the statement and the documents only in these states. */
export const EDITABLE_STATES: readonly ApplicationState[] = ['draft', 'returned']
export const isEditable = (state: ApplicationState): boolean => EDITABLE_STATES.includes(state)

/** A live application holds the firm's one place in a call. */
export const isLive = (state: ApplicationState): boolean => state !== 'withdrawn'
