import t from 'tap'
import {
  BLOCKING_OBJECTION_STATES, NOTICE_EVENTS, NOTICE_STATES, OBJECTION_EVENTS, OBJECTION_STATES,
  nextNoticeState, nextObjectionState, noticeTransition, objectionTransition,
  type NoticeEvent, type NoticeState, type ObjectionEvent, type ObjectionState
} from '../server/domain/notice-state.ts'
import { AppError } from '../server/domain/errors.ts'

function thrown (fn: () => unknown): unknown {
  try { fn() } catch (err) { return err }
  return undefined
}

// Both machines written out by hand: every allowed (state, event) and where it
// leads. Every pair not listed must be refused with 409 INVALID_STATE.
const NOTICE_ALLOWED: Array<[NoticeState, NoticeEvent, NoticeState]> = [
  ['open', 'close', 'closed'],
  ['open', 'revoke', 'revoked']
]
const OBJECTION_ALLOWED: Array<[ObjectionState, ObjectionEvent, ObjectionState]> = [
  ['pending', 'uphold', 'upheld'],
  ['pending', 'dismiss', 'dismissed']
]

t.test('notices: every state × event', async (t) => {
  const allowed = new Map(NOTICE_ALLOWED.map(([s, e, n]) => [`${s}/${e}`, n]))
  let refused = 0
  for (const state of NOTICE_STATES) {
    for (const event of NOTICE_EVENTS) {
      const next = allowed.get(`${state}/${event}`)
      if (next != null) {
        t.equal(noticeTransition(state, event), next, `${state} --${event}--> ${next}`)
        continue
      }
      refused++
      t.equal(nextNoticeState(state, event), null, `${state}/${event} has no next state`)
      const err = thrown(() => noticeTransition(state, event))
      t.ok(err instanceof AppError, `${state}/${event} throws`)
      t.match(err, { statusCode: 409, code: 'INVALID_STATE', params: { state, detail: 'the notice is no longer open' } })
    }
  }
  t.equal(refused, NOTICE_STATES.length * NOTICE_EVENTS.length - NOTICE_ALLOWED.length)
  t.equal(refused, 4, 'three states × two events, two allowed: closed and revoked are final')
})

t.test('objections: every state × event', async (t) => {
  const allowed = new Map(OBJECTION_ALLOWED.map(([s, e, n]) => [`${s}/${e}`, n]))
  let refused = 0
  for (const state of OBJECTION_STATES) {
    for (const event of OBJECTION_EVENTS) {
      const next = allowed.get(`${state}/${event}`)
      if (next != null) {
        t.equal(objectionTransition(state, event), next, `${state} --${event}--> ${next}`)
        continue
      }
      refused++
      t.equal(nextObjectionState(state, event), null, `${state}/${event} has no next state`)
      t.match(thrown(() => objectionTransition(state, event)),
        { statusCode: 409, code: 'INVALID_STATE', params: { state, detail: 'the objection is already resolved' } })
    }
  }
  t.equal(refused, 4, 'three states × two events, two allowed: an outcome is final')
})

t.test('which objections hold a notice open', async (t) => {
  t.same([...BLOCKING_OBJECTION_STATES], ['pending', 'upheld'], 'a dismissed objection does not keep the notice from closing')
})
