import t from 'tap'
import fc from 'fast-check'
import { planAssignment, type AssignmentApplication, type AssignmentReviewer } from '../server/domain/assignment.ts'

const reviewer = (id: string, conflicts: string[] = [], load = 0): AssignmentReviewer => ({ id, conflicts, load })
const app = (id: string, uscc: string, needed = 2, extra: Partial<AssignmentApplication> = {}): AssignmentApplication => ({ id, uscc, needed, ...extra })

t.test('three applications, two reviewers each, one conflicted reviewer', async (t) => {
  const plan = planAssignment(
    [app('a1', 'U1'), app('a2', 'U2'), app('a3', 'U3')],
    [reviewer('r1', ['U2']), reviewer('r2'), reviewer('r3'), reviewer('r4')]
  )
  t.equal(plan.assignments.length, 6)
  t.same(plan.short, [])
  t.notOk(plan.assignments.some(a => a.reviewerId === 'r1' && a.applicationId === 'a2'), 'r1 never on U2')
  const loads = Object.values(plan.loads)
  t.ok(Math.max(...loads) - Math.min(...loads) <= 1, JSON.stringify(plan.loads))
  // a2 has the fewest eligible reviewers, so it is served first: r2 and r3.
  t.same(plan.assignments.filter(a => a.applicationId === 'a2').map(a => a.reviewerId), ['r2', 'r3'])
  t.same(plan, planAssignment(
    [app('a1', 'U1'), app('a2', 'U2'), app('a3', 'U3')],
    [reviewer('r1', ['U2']), reviewer('r2'), reviewer('r3'), reviewer('r4')]
  ), 'deterministic')
})

t.test('short when not enough conflict-free reviewers', async (t) => {
  const plan = planAssignment([app('a1', 'U1', 3), app('a2', 'U2', 2)], [reviewer('r1', ['U1']), reviewer('r2'), reviewer('r3', ['U1', 'U2'])])
  t.same(plan.short, [{ applicationId: 'a1', missing: 2 }])
  t.same(plan.assignments.map(a => `${a.applicationId}:${a.reviewerId}`).sort(), ['a1:r2', 'a2:r1', 'a2:r2'].sort())
})

t.test('existing load counts; reviewers already on an application are not added again', async (t) => {
  const plan = planAssignment([app('a1', 'U1', 1, { onIt: ['r1'] })], [reviewer('r1'), reviewer('r2', [], 5), reviewer('r3', [], 2)])
  t.same(plan.assignments, [{ applicationId: 'a1', reviewerId: 'r3' }])
  t.same(plan.loads, { r1: 0, r2: 5, r3: 3 })
})

t.test('avoid: previous reviewers only when nobody else is left (appeals)', async (t) => {
  const fresh = planAssignment([app('a1', 'U1', 2, { avoid: ['r1', 'r2'] })], [reviewer('r1'), reviewer('r2'), reviewer('r3', [], 4), reviewer('r4', [], 9)])
  t.same(fresh.assignments.map(a => a.reviewerId), ['r3', 'r4'])
  const fallback = planAssignment([app('a1', 'U1', 2, { avoid: ['r1', 'r2'] })], [reviewer('r1', [], 3), reviewer('r2'), reviewer('r3')])
  t.same(fallback.assignments.map(a => a.reviewerId), ['r3', 'r2'])
})

t.test('nothing needed, nothing assigned', async (t) => {
  t.same(planAssignment([app('a1', 'U1', 0)], [reviewer('r1')]), { assignments: [], short: [], loads: { r1: 0 } })
  t.same(planAssignment([app('a1', 'U1', 1)], []), { assignments: [], short: [{ applicationId: 'a1', missing: 1 }], loads: {} })
})

const USCCS = ['U0', 'U1', 'U2', 'U3', 'U4', 'U5']
const inputArb = fc.record({
  apps: fc.uniqueArray(fc.record({ id: fc.uuid(), uscc: fc.constantFrom(...USCCS), needed: fc.integer({ min: 0, max: 4 }) }), { maxLength: 15, selector: a => a.id }),
  reviewers: fc.uniqueArray(fc.record({ id: fc.uuid(), conflicts: fc.subarray(USCCS, { maxLength: 3 }), load: fc.integer({ min: 0, max: 3 }) }), { maxLength: 10, selector: r => r.id })
})

t.test('property: never a conflicted reviewer, never twice on one application, never more than needed', async (t) => {
  fc.assert(fc.property(inputArb, ({ apps, reviewers }) => {
    const plan = planAssignment(apps, reviewers)
    const byId = new Map(reviewers.map(r => [r.id, r]))
    const seen = new Set<string>()
    for (const a of plan.assignments) {
      const application = apps.find(x => x.id === a.applicationId)
      if (application == null) return false
      if (byId.get(a.reviewerId)?.conflicts.includes(application.uscc) !== false) return false
      const k = `${a.applicationId}:${a.reviewerId}`
      if (seen.has(k)) return false
      seen.add(k)
    }
    for (const a of apps) {
      const got = plan.assignments.filter(x => x.applicationId === a.id).length
      const missing = plan.short.find(s => s.applicationId === a.id)?.missing ?? 0
      if (got + missing !== a.needed) return false
      // Short only when every eligible reviewer is already on it.
      const eligible = reviewers.filter(r => !r.conflicts.includes(a.uscc)).length
      if (missing > 0 && got !== eligible) return false
    }
    return true
  }), { numRuns: 1000 })
  t.pass('held for 1000 random pools')
})

t.test('property: without conflicts, loads stay balanced (max − min ≤ 1)', async (t) => {
  fc.assert(fc.property(
    fc.integer({ min: 1, max: 12 }), fc.integer({ min: 0, max: 20 }), fc.integer({ min: 1, max: 5 }),
    (nReviewers, nApps, perApp) => {
      const reviewers = Array.from({ length: nReviewers }, (_, i) => reviewer(`r${String(i).padStart(2, '0')}`))
      const apps = Array.from({ length: nApps }, (_, i) => app(`a${i}`, `U${i}`, perApp))
      const plan = planAssignment(apps, reviewers)
      const loads = Object.values(plan.loads)
      const expectShort = perApp > nReviewers
      return Math.max(...loads) - Math.min(...loads) <= 1 && (plan.short.length > 0) === (expectShort && nApps > 0)
    }), { numRuns: 500 })
  t.pass('held')
})

t.test('property: with conflicts, still balanced among reviewers when every application has enough spare eligible reviewers', async (t) => {
  // One conflicted reviewer per firm and plenty of others: balance must still hold.
  fc.assert(fc.property(fc.integer({ min: 0, max: 15 }), (nApps) => {
    const reviewers = Array.from({ length: 6 }, (_, i) => reviewer(`r${i}`, [`U${i}`]))
    const apps = Array.from({ length: nApps }, (_, i) => app(`a${String(i).padStart(2, '0')}`, `U${i % 6}`, 2))
    const plan = planAssignment(apps, reviewers)
    const loads = Object.values(plan.loads)
    return plan.short.length === 0 && Math.max(...loads) - Math.min(...loads) <= 1
  }), { numRuns: 100 })
  t.pass('held')
})
