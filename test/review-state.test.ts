import t from 'tap'
import { nextReviewState, reviewTransition, REVIEW_EVENTS, REVIEW_STATES, type ReviewEvent, type ReviewState } from '../server/domain/review-state.ts'
import { REVIEW_STATES as STORED } from '../db/schema/reviews.ts'
import { REVIEW_STATE_VALUES } from '../schemas/grading.ts'

// Every state × every event: the whole table, written out.
const EXPECTED: Record<ReviewState, Record<ReviewEvent, ReviewState | null>> = {
  assigned: { save: 'draft', submit: 'submitted', recuse: 'recused', reassign: 'reassigned' },
  draft: { save: 'draft', submit: 'submitted', recuse: 'recused', reassign: 'reassigned' },
  submitted: { save: null, submit: null, recuse: null, reassign: null },
  recused: { save: null, submit: null, recuse: null, reassign: null },
  reassigned: { save: null, submit: null, recuse: null, reassign: null }
}

t.test('every state × event', async (t) => {
  for (const state of REVIEW_STATES) {
    for (const event of REVIEW_EVENTS) {
      const expected = EXPECTED[state][event]
      t.equal(nextReviewState(state, event), expected, `${state} × ${event}`)
      if (expected == null) {
        t.throws(() => reviewTransition(state, event), { code: 'INVALID_STATE', statusCode: 409 })
      } else {
        t.equal(reviewTransition(state, event), expected)
      }
    }
  }
})

t.test('the database, the API schema and the machine list the same states', async (t) => {
  t.same([...STORED].sort(), [...REVIEW_STATES].sort())
  t.same([...REVIEW_STATE_VALUES].sort(), [...REVIEW_STATES].sort())
})
