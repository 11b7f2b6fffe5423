import { errors } from './errors.ts'

/**
 * Public notices (公示) and the objections to them, as data.
 *
 * A notice is `open` for its period (policy notice_period_days). It ends
 * `closed` when the period is over without a pending or upheld objection
 * (the membership then becomes active), or `revoked` when an objection to it
 * is upheld or its membership is revoked. Both ends are final.
 *
 *   open ──close──▶ closed
 *     └───revoke──▶ revoked
 *
 * An objection is `pending` until an officer upholds or dismisses it; either
 * outcome is final. Upholding needs the notice still open (the service checks
 * the notice's machine in the same transaction).
 *
 *   pending ──uphold──▶ upheld
 *      └────dismiss──▶ dismissed
 */
export const NOTICE_STATES = ['open', 'closed', 'revoked'] as const
export type NoticeState = typeof NOTICE_STATES[number]

export const NOTICE_EVENTS = ['close', 'revoke'] as const
export type NoticeEvent = typeof NOTICE_EVENTS[number]

export const NOTICE_TRANSITIONS: Readonly<Record<NoticeState, Readonly<Partial<Record<NoticeEvent, NoticeState>>>>> = {
  open: { close: 'closed', revoke: 'revoked' },
  closed: {},
  revoked: {}
}

export const OBJECTION_STATES = ['pending', 'upheld', 'dismissed'] as const
export type ObjectionState = typeof OBJECTION_STATES[number]

export const OBJECTION_EVENTS = ['uphold', 'dismiss'] as const
export type ObjectionEvent = typeof OBJECTION_EVENTS[number]

export const OBJECTION_TRANSITIONS: Readonly<Record<ObjectionState, Readonly<Partial<Record<ObjectionEvent, ObjectionState>>>>> = {
  pending: { uphold: 'upheld', dismiss: 'dismissed' },
  upheld: {},
  dismissed: {}
}

/** Objections that keep a notice from closing: still pending, or upheld (the notice is then revoked). */
export const BLOCKING_OBJECTION_STATES: readonly ObjectionState[] = ['pending', 'upheld']

export function nextNoticeState (state: NoticeState, event: NoticeEvent): NoticeState | null {
  return NOTICE_TRANSITIONS[state]?.[event] ?? null
}

/** The notice's next state; 409 INVALID_STATE when it forbids the event. */
export function noticeTransition (state: NoticeState, event: NoticeEvent): NoticeState {
  const next = nextNoticeState(state, event)
  if (next == null) throw errors.invalidState(state, 'the notice is no longer open')
  return next
}

export function nextObjectionState (state: ObjectionState, event: ObjectionEvent): ObjectionState | null {
  return OBJECTION_TRANSITIONS[state]?.[event] ?? null
}

/** The objection's next state; 409 INVALID_STATE when it forbids the event. */
export function objectionTransition (state: ObjectionState, event: ObjectionEvent): ObjectionState {
  const next = nextObjectionState(state, event)
  if (next == null) throw errors.invalidState(state, 'the objection is already resolved')
  return next
}
