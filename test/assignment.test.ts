import t from 'tap'
import fc from 'fast-check'
import { planAssignment, sharesDomain, type AssignmentApplication, type AssignmentReviewer } from '../server/domain/assignment.ts'

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
  t.equal(plan.assignments.filter(a => a.applicationId === 'a2').length, 2, 'a2 gets two of its three eligible reviewers')
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
  t.same(fallback.assignments.map(a => a.reviewerId).sort(), ['r2', 'r3'], 'r3, then the less loaded of the avoided ones')
})

t.test('nothing needed, nothing assigned', async (t) => {
  t.same(planAssignment([app('a1', 'U1', 0)], [reviewer('r1')]), { assignments: [], short: [], loads: { r1: 0 }, matched: 0 })
  t.same(planAssignment([app('a1', 'U1', 1)], []), { assignments: [], short: [{ applicationId: 'a1', missing: 1 }], loads: {}, matched: 0 })
})

const USCCS = ['U0', 'U1', 'U2', 'U3', 'U4', 'U5']
const inputArb = fc.record({
  apps: fc.uniqueArray(fc.record({ id: fc.uuid(), uscc: fc.constantFrom(...USCCS), needed: fc.integer({ min: 0, max: 4 }) }), {
    maxLength: 15,
    selector: a => a.id
  }),
  reviewers: fc.uniqueArray(fc.record({ id: fc.uuid(), conflicts: fc.subarray(USCCS, { maxLength: 3 }), load: fc.integer({ min: 0, max: 3 }) }),
    { maxLength: 10, selector: r => r.id })
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

// ---------------------------------------------------------------------------
// Expertise and optimality (the plan is a min-cost max-flow, not a greedy pass).

const expert = (id: string, domains: string[], conflicts: string[] = [], load = 0): AssignmentReviewer => ({ id, conflicts, load, domains })

t.test('expertise: reviewers whose field meets the firm\'s are preferred, balance first', async (t) => {
  const plan = planAssignment(
    [app('a1', 'U1', 1, { domains: ['ai'] }), app('a2', 'U2', 1, { domains: ['iot'] }), app('a3', 'U3', 1, { domains: ['big_data', 'cloud'] })],
    [expert('r1', ['cloud']), expert('r2', ['ai']), expert('r3', ['iot'])]
  )
  t.same(plan.assignments.map(a => `${a.applicationId}:${a.reviewerId}`).sort(), ['a1:r2', 'a2:r3', 'a3:r1'])
  t.equal(plan.matched, 3)
  // A greedy pass in id order would give a1 to r1 (least loaded, first id) and lose a match.
  const lopsided = planAssignment(
    [app('a1', 'U1', 1, { domains: ['ai'] }), app('a2', 'U2', 1, { domains: ['ai'] })],
    [expert('r1', ['ai'])]
  )
  t.equal(lopsided.assignments.length, 2, 'one reviewer may take both applications')
  t.equal(lopsided.matched, 2)
  // Two ai firms, one ai expert and one generalist: balance keeps one each; the expert takes one.
  const balanced = planAssignment(
    [app('a1', 'U1', 1, { domains: ['ai'] }), app('a2', 'U2', 1, { domains: ['ai'] })],
    [expert('r1', ['ai']), expert('r2', [])]
  )
  t.same(balanced.loads, { r1: 1, r2: 1 }, 'balance outranks expertise')
  t.equal(balanced.matched, 1)
})

/** Every plan of the same size, by brute force (tiny inputs only): the best (avoided, sum of squares, mismatches) it can reach. */
function bruteForce (apps: AssignmentApplication[], reviewers: AssignmentReviewer[]) {
  const slots: Array<{ app: AssignmentApplication }> = []
  for (const a of apps) for (let k = 0; k < a.needed; k++) slots.push({ app: a })
  let best: [number, number, number, number] | null = null // [-assigned, avoided, squares, mismatches]
  const pick = (i: number, used: Map<string, Set<string>>, loads: Map<string, number>, score: [number, number, number]) => {
    if (i === slots.length) {
      const squares = [...loads.values()].reduce((n, l) => n + l * l, 0)
      const assigned = [...used.values()].reduce((n, s) => n + s.size, 0)
      const candidate: [number, number, number, number] = [-assigned, score[0], squares, score[2]]
      if (best == null || lexLess(candidate, best)) best = candidate
      return
    }
    const { app } = slots[i]
    const on = used.get(app.id) ?? new Set<string>()
    pick(i + 1, used, loads, score) // leave the slot empty
    for (const r of reviewers) {
      if (r.conflicts.includes(app.uscc) || on.has(r.id) || (app.onIt ?? []).includes(r.id)) continue
      on.add(r.id); used.set(app.id, on); loads.set(r.id, (loads.get(r.id) as number) + 1)
      pick(i + 1, used, loads, [score[0] + ((app.avoid ?? []).includes(r.id) ? 1 : 0), 0, score[2] + (sharesDomain(r, app) ? 0 : 1)])
      on.delete(r.id); loads.set(r.id, (loads.get(r.id) as number) - 1)
    }
  }
  pick(0, new Map(), new Map(reviewers.map(r => [r.id, r.load])), [0, 0, 0])
  return best as unknown as [number, number, number, number]
}
function lexLess (a: number[], b: number[]): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] < b[i]
  return false
}

t.test('property: the plan is optimal (most assignments, then fewest avoided, most balanced, most domain matches)', async (t) => {
  const DOMAINS = ['ai', 'iot', 'cloud']
  const tiny = fc.record({
    apps: fc.uniqueArray(fc.record({
      id: fc.constantFrom('a1', 'a2', 'a3'), uscc: fc.constantFrom('U1', 'U2'), needed: fc.integer({ min: 0, max: 2 }),
      domains: fc.subarray(DOMAINS, { maxLength: 2 }), avoid: fc.subarray(['r1', 'r2'], { maxLength: 1 })
    }), { maxLength: 3, selector: a => a.id }),
    reviewers: fc.uniqueArray(fc.record({
      id: fc.constantFrom('r1', 'r2', 'r3'), conflicts: fc.subarray(['U1', 'U2'], { maxLength: 1 }), load: fc.integer({ min: 0, max: 2 }),
      domains: fc.subarray(DOMAINS, { maxLength: 2 })
    }), { maxLength: 3, selector: r => r.id })
  })
  fc.assert(fc.property(tiny, ({ apps, reviewers }) => {
    const plan = planAssignment(apps, reviewers)
    const squares = Object.values(plan.loads).reduce((n, l) => n + l * l, 0)
    const avoided = plan.assignments.filter(a => (apps.find(x => x.id === a.applicationId)?.avoid ?? []).includes(a.reviewerId)).length
    const got: [number, number, number, number] = [-plan.assignments.length, avoided, squares, plan.assignments.length - plan.matched]
    return got.join() === bruteForce(apps, reviewers).join()
  }), { numRuns: 300 })
  t.pass('equal to the brute-force optimum on 300 random tiny pools')
})

t.test('property: the matched count is what the assignments say', async (t) => {
  const DOMAINS = ['ai', 'iot', 'cloud', 'big_data']
  fc.assert(fc.property(
    fc.array(fc.subarray(DOMAINS, { maxLength: 2 }), { minLength: 1, maxLength: 12 }),
    fc.array(fc.subarray(DOMAINS, { maxLength: 2 }), { minLength: 1, maxLength: 6 }),
    (appDomains, reviewerDomains) => {
      const apps = appDomains.map((d, i) => app(`a${String(i).padStart(2, '0')}`, `U${i}`, 2, { domains: d }))
      const reviewers = reviewerDomains.map((d, i) => expert(`r${i}`, d))
      const plan = planAssignment(apps, reviewers)
      const counted = plan.assignments.filter(a => sharesDomain(reviewers.find(r => r.id === a.reviewerId)!, apps.find(x => x.id === a.applicationId)!)).length
      const loads = Object.values(plan.loads)
      return counted === plan.matched && Math.max(...loads) - Math.min(...loads) <= 1
    }), { numRuns: 300 })
  t.pass('held')
})
