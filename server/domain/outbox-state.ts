import { OUTBOX_STATES, type OutboxState } from '../../db/schema/people.ts'
import { errors } from './errors.ts'

/**
 * An outgoing email's life, as data:
 *
 *   queued → sending → sent
 *              ↓  ↘ failed (permanent refusal, or the last attempt)
 *            queued (a temporary failure: again after a backoff)
 *
 * `claim` also applies to `sending` (a dead sender's row, past its lease).
 * Without SMTP_URL queued messages are `skipped`: the inbox carries them.
 */
export const OUTBOX_EVENTS = ['claim', 'sent', 'retry', 'give_up', 'skip'] as const
export type OutboxEvent = typeof OUTBOX_EVENTS[number]

export const OUTBOX_TRANSITIONS: Readonly<Record<OutboxState, Readonly<Partial<Record<OutboxEvent, OutboxState>>>>> = {
  queued: { claim: 'sending', skip: 'skipped' },
  sending: { claim: 'sending', sent: 'sent', retry: 'queued', give_up: 'failed' },
  sent: {},
  failed: {},
  skipped: {}
}

export { OUTBOX_STATES }

/** The next state; throws INVALID_STATE when the event is not allowed (a programming error). */
export function nextOutboxState (state: OutboxState, event: OutboxEvent): OutboxState {
  const next = OUTBOX_TRANSITIONS[state][event]
  if (next == null) throw errors.invalidState(state, `an email in state ${state} cannot ${event.replace('_', ' ')}`)
  return next
}

/** Attempts before a message is given up (about a day of backoff in all). */
export const OUTBOX_MAX_ATTEMPTS = 8

/** Wait after the n-th failed attempt: 1 min, 2, 4 … capped at 6 hours. */
export function outboxBackoffMs (attempts: number): number {
  return Math.min(6 * 3600_000, 60_000 * 2 ** Math.max(0, attempts - 1))
}
