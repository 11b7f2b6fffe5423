import t from 'tap'
import fc from 'fast-check'
import {
  APPLICATION_EVENTS, APPLICATION_STATES, EDITABLE_STATES, isLive, needsDistrictReview, nextState, transition,
  type ApplicationEvent, type ApplicationState
} from '../server/domain/application-state.ts'
import { AppError } from '../server/domain/errors.ts'

function thrown (fn: () => unknown): unknown {
  try { fn() } catch (err) { return err }
  return undefined
}

// The whole machine, written out by hand: every allowed (state, event) and
// where it leads. Every pair not listed here must be refused.
const ALLOWED: Array<[ApplicationState, ApplicationEvent, ApplicationState]> = [
  ['draft', 'submit', 'submitted'],
  ['draft', 'submit_ineligible', 'ineligible'],
  ['draft', 'withdraw', 'withdrawn'],
  ['returned', 'submit', 'submitted'],
  ['returned', 'submit_ineligible', 'ineligible'],
  ['returned', 'withdraw', 'withdrawn'],
  ['submitted', 'district_recommend', 'district_reviewed'],
  ['submitted', 'district_reject', 'rejected'],
  ['submitted', 'assign', 'under_review'],
  ['submitted', 'return', 'returned'],
  ['submitted', 'withdraw', 'withdrawn'],
  // Recommended by the district: the city assigns reviewers, may return it, the firm may withdraw.
  ['district_reviewed', 'assign', 'under_review'],
  ['district_reviewed', 'return', 'returned'],
  ['district_reviewed', 'withdraw', 'withdrawn'],
  ['under_review', 'assign', 'under_review'],
  ['under_review', 'score', 'scored'],
  ['under_review', 'return', 'returned'],
  ['under_review', 'withdraw', 'withdrawn'],
  ['scored', 'admit', 'admitted'],
  ['scored', 'reject', 'rejected'],
  ['scored', 'return', 'returned'],
  ['scored', 'withdraw', 'withdrawn'],
  ['ineligible', 'withdraw', 'withdrawn'],
  ['rejected', 'appeal', 'appealed'],
  ['appealed', 'assign', 'under_review'],
  ['appealed', 'admit', 'admitted'],
  ['appealed', 'reject', 'rejected'],
  // An objection upheld during the public notice reverses the admission.
  ['admitted', 'reverse_admission', 'rejected']
]

t.test('every allowed transition leads where the table says', async (t) => {
  for (const [state, event, next] of ALLOWED) {
    t.equal(transition(state, event), next, `${state} --${event}--> ${next}`)
    t.equal(nextState(state, event), next)
  }
})

t.test('every other (state, event) pair is refused with 409 INVALID_STATE', async (t) => {
  const allowed = new Set(ALLOWED.map(([s, e]) => `${s}/${e}`))
  let refused = 0
  for (const state of APPLICATION_STATES) {
    for (const event of APPLICATION_EVENTS) {
      if (allowed.has(`${state}/${event}`)) continue
      refused++
      t.equal(nextState(state, event), null, `${state}/${event} has no next state`)
      const err = thrown(() => transition(state, event))
      t.ok(err instanceof AppError, `${state}/${event} throws`)
      t.match(err, { statusCode: 409, code: 'INVALID_STATE', params: { state } }, `${state}/${event} → 409 INVALID_STATE`)
    }
  }
  t.equal(refused, APPLICATION_STATES.length * APPLICATION_EVENTS.length - ALLOWED.length)
  t.equal(refused, 104, 'eleven states × twelve events, 28 allowed')
})

t.test('the shape of the machine', async (t) => {
  t.same([...EDITABLE_STATES], ['draft', 'returned'], 'only draft and returned are editable')
  t.same(APPLICATION_EVENTS.filter(e => nextState('withdrawn', e) != null), [], 'withdrawn is terminal')
  t.same(APPLICATION_EVENTS.filter(e => nextState('admitted', e) != null), ['reverse_admission'], 'an admission is left only by an upheld objection')
  for (const s of APPLICATION_STATES.filter(s => s !== 'admitted')) {
    t.equal(nextState(s, 'reverse_admission'), null, `only an admission can be reversed (${s})`)
  }
  const decided: ApplicationState[] = ['admitted', 'rejected', 'appealed']
  for (const s of decided) t.equal(nextState(s, 'withdraw'), null, `no withdrawal after a decision (${s})`)
  t.same(APPLICATION_EVENTS.filter(e => nextState('district_reviewed', e) != null), ['assign', 'return', 'withdraw'],
    'a recommended application goes on to the city')
  for (const s of APPLICATION_STATES.filter(s => s !== 'submitted')) {
    t.equal(nextState(s, 'district_recommend'), null, `only a submitted application is pre-screened (${s})`)
    t.equal(nextState(s, 'district_reject'), null, `only a submitted application is pre-screened (${s})`)
  }
  t.equal(needsDistrictReview('submitted', true), true)
  t.equal(needsDistrictReview('submitted', false), false)
  t.equal(needsDistrictReview('district_reviewed', true), false)
  t.equal(needsDistrictReview('appealed', true), false, 'an appeal of a district rejection goes to the city')
  t.equal(isLive('withdrawn'), false)
  for (const s of APPLICATION_STATES.filter(s => s !== 'withdrawn')) t.equal(isLive(s), true, `${s} is live`)
})

t.test('property: any sequence of events only ever visits known states, withdrawn absorbs, an admission only reverses', async (t) => {
  fc.assert(fc.property(fc.array(fc.constantFrom(...APPLICATION_EVENTS), { maxLength: 30 }), (events) => {
    let state: ApplicationState = 'draft'
    for (const e of events) {
      const next = nextState(state, e)
      if (next == null) continue
      if (state === 'withdrawn') return false
      if (state === 'admitted' && (e !== 'reverse_admission' || next !== 'rejected')) return false
      if (!APPLICATION_STATES.includes(next)) return false
      state = next
    }
    return true
  }))
})
