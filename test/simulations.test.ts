import t from 'tap'
import { sql } from 'drizzle-orm'
import type { FastifyInstance } from 'fastify'
import { queryRows } from '../db/client.ts'
import { seedDatabase } from '../scripts/seed/load.ts'
import { adminToken, auth, buildTestApp, createStaff } from './helper.ts'

// Policy what-if on seeded data (scripts/seed/): the issue's "done
// when" — raise the above-scale threshold to 30,000,000.00 for 2025, see how
// many firms drop to below-scale and what the above-scale target becomes,
// with nothing changed; adopting gives exactly the simulated tiers.

t.setTimeout(600_000)

const YEAR = 2025
const SPECIAL = ['industrial_software', 'info_security', 'big_data']

/** Everything a simulation must leave alone: stored tiers, the rollup, the pool, the policy, the audit trail. */
async function stateOf (app: FastifyInstance) {
  const q = async (query: ReturnType<typeof sql>) => await queryRows(app.db, query)
  return {
    declarations: await q(sql`select enterprise_id, year, tier_code, version from declarations order by enterprise_id, year`),
    cells: await q(sql`select * from analytics_cells where firms > 0 order by year, tier_code, district_code, program_code, domains`),
    totals: await q(sql`select * from analytics_totals where firms > 0 order by year, tier_code, district_code, program_code`),
    pool: await q(sql`select id, status, current_tier, missing_years, last_evaluated_year, updated_at from pool_memberships order by id`),
    evaluations: await q(sql`select count(*)::int as n from pool_evaluations`),
    rules: await q(sql`select tier_code, min_revenue, from_year, to_year, domain_code from tier_rules order by id`),
    policy: await q(sql`select key, value from policy_settings order by key`),
    targets: await q(sql`select * from plan_targets order by id`),
    rubrics: await q(sql`select id, version from rubrics order by id`),
    applications: await q(sql`select id, state, version, eligibility, score from applications order by id`),
    audit: await q(sql`select count(*)::int as n, max(id) as last from audit_log`)
  }
}

/** The stored rule set with the general above-scale rule of 2022 on raised to `min`. */
async function raisedRules (app: FastifyInstance, admin: string, min: string) {
  const rules = (await app.inject({ url: '/v1/admin/tier-rules', headers: auth(admin) })).json().rules as Array<Record<string, unknown>>
  return rules.map(r => r.tierCode === 'above_scale' && r.domainCode == null && r.fromYear === 2022 ? { ...r, minRevenue: min } : r)
}

t.test('raising the above-scale threshold: shown, nothing changed, adopted exactly', async (t) => {
  const app = await buildTestApp(t)
  await seedDatabase(app.database, { firms: 300, fromYear: 2023, toYear: 2025, seed: 5, force: false, now: new Date('2026-06-01T00:00:00Z') })
  const admin = await adminToken(app)
  const officer = await createStaff(app, 'officer')
  const analyst = await createStaff(app, 'analyst')

  // What the change must do, counted straight from the declarations: above-scale firms under 30M
  // without one of the domains whose own 5M line stays.
  const [expected] = await queryRows<{ drop: number, above: number }>(app.db, sql`
    select count(*) filter (where d.tier_code = 'above_scale' and d.operating_revenue < 30000000
        and not exists (select 1 from enterprise_domains ed where ed.enterprise_id = d.enterprise_id
          and ed.domain_code = any(string_to_array(${SPECIAL.join(',')}, ','))))::int as drop,
      count(*) filter (where d.tier_code <> 'below_scale')::int as above
    from declarations d where d.year = ${YEAR}`)
  t.ok(expected.drop > 0, `the seed has above-scale firms between 20M and 30M (${expected.drop})`)

  const distribution = async () => (await app.inject({ url: `/v1/analytics/distribution?year=${YEAR}&by=tier`, headers: auth(analyst.token) })).json()
  const before = await stateOf(app)
  const distBefore = await distribution()

  const tierRules = await raisedRules(app, admin, '30000000.00')
  const res = await app.inject({ method: 'POST', url: '/v1/admin/simulations', headers: auth(admin), payload: { year: YEAR, tierRules } })
  t.equal(res.statusCode, 201, res.body.slice(0, 300))
  const sim = res.json()
  t.equal(sim.state, 'simulated')
  t.equal(sim.stale, false)
  t.equal(sim.disclosure, 'exact')
  t.same(sim.parts, ['tierRules'])
  const move = sim.tiers.moves.find((m: any) => m.from === 'above_scale' && m.to === 'below_scale')
  t.equal(move?.firms, expected.drop, 'firms dropping to below-scale')
  t.equal(sim.tiers.changed, expected.drop, 'and no other firm changes tier')
  t.equal(sim.tiers.after.below_scale - sim.tiers.before.below_scale, expected.drop)
  t.equal(sim.tiers.changes.length, expected.drop, 'officers and administrators get the list')
  t.ok(sim.tiers.changes.every((c: any) => c.name !== '' && /^[0-9A-Z]{18}$/.test(c.uscc) && c.from === 'above_scale'))
  for (const cell of distBefore.cells) t.equal(sim.tiers.before[cell.tier], cell.firms, `before = the distribution (${cell.tier})`)
  const target = sim.targets.find((x: any) => x.code === 'above_scale_firms_2023')
  t.equal(target.before.value, String(expected.above), 'the above-scale target before')
  t.equal(target.after.value, String(expected.above - expected.drop), 'the above-scale target after')
  t.equal(target.after.gap, String(1000 - (expected.above - expected.drop)))
  t.same(sim.applications.calls.map((c: any) => c.applications >= 0), sim.applications.calls.map(() => true))

  // Nothing changed: the stored tiers, rollups, pool, policy, applications and the audit trail.
  t.same(await stateOf(app), before, 'a simulation writes nothing but itself')
  t.same(await distribution(), distBefore, 'the same distribution')

  // Read back: the same result; analysts get the aggregate view.
  const again = (await app.inject({ url: `/v1/admin/simulations/${sim.id}`, headers: auth(officer.token) })).json()
  t.same(again.tiers, sim.tiers)
  const agg = await app.inject({ url: `/v1/admin/simulations/${sim.id}`, headers: auth(analyst.token) })
  t.equal(agg.statusCode, 200)
  t.equal(agg.json().disclosure, 'aggregate')
  t.equal(agg.json().tiers.changes, undefined, 'no list of firms for analysts')
  t.equal(agg.json().pool.members, undefined)
  const list = (await app.inject({ url: '/v1/admin/simulations', headers: auth(officer.token) })).json()
  t.equal(list.items[0].id, sim.id)
  t.equal(list.items[0].tiersChanged, expected.drop)

  // Only administrators adopt.
  const byOfficer = await app.inject({ method: 'POST', url: `/v1/admin/simulations/${sim.id}/adopt`, headers: auth(officer.token) })
  t.equal(byOfficer.statusCode, 403)
  t.same(await stateOf(app), before)

  const adopted = await app.inject({ method: 'POST', url: `/v1/admin/simulations/${sim.id}/adopt`, headers: auth(admin) })
  t.equal(adopted.statusCode, 200, adopted.body.slice(0, 300))
  t.equal(adopted.json().state, 'adopted')
  t.equal(adopted.json().adoption.recomputed.changed, expected.drop)
  const distAfter = await distribution()
  for (const tier of Object.keys(sim.tiers.after)) {
    t.equal(distAfter.cells.find((c: any) => c.tier === tier)?.firms ?? 0, sim.tiers.after[tier], `adopted tiers = simulated (${tier})`)
  }
  const moved = await queryRows<{ enterprise_id: string }>(app.db, sql`
    select d.enterprise_id::text from declarations d join audit_log a on a.object_id = d.id::text
    where a.action = 'declaration.reclassify' and d.year = ${YEAR} order by 1`)
  t.same(moved.map(m => m.enterprise_id), sim.tiers.changes.map((c: any) => c.enterpriseId).sort(), 'exactly the listed firms were reclassified')
  const targets = (await app.inject({ url: `/v1/analytics/targets?year=${YEAR}`, headers: auth(analyst.token) })).json()
  t.equal(targets.targets.find((x: any) => x.key === 'above_scale_firms_2023').value, target.after.value, 'the target is what the simulation said')
  const actions = (await queryRows<{ action: string }>(app.db, sql`select action from audit_log where id > ${before.audit[0].last ?? 0} order by id`)).map(a => a.action)
  t.ok(actions.includes('tier_rules.replace') && actions.includes('tier_rules.recompute') && actions.at(-1) === 'simulation.adopt', actions.slice(-3).join(', '))
  const rules = (await app.inject({ url: '/v1/admin/tier-rules', headers: auth(admin) })).json().rules
  t.equal(rules.find((r: any) => r.tierCode === 'above_scale' && r.domainCode == null && r.fromYear === 2022).minRevenue, '30000000.00')

  const twice = await app.inject({ method: 'POST', url: `/v1/admin/simulations/${sim.id}/adopt`, headers: auth(admin) })
  t.equal(twice.statusCode, 409)
  t.equal(twice.json().code, 'INVALID_STATE')
})

t.test('stale simulations, roles and validation', async (t) => {
  const app = await buildTestApp(t)
  await seedDatabase(app.database, { firms: 150, fromYear: 2024, toYear: 2025, seed: 9, force: false, now: new Date('2026-06-01T00:00:00Z') })
  const admin = await adminToken(app)
  const officer = await createStaff(app, 'officer')
  const analyst = await createStaff(app, 'analyst')
  const post = async (token: string, payload: unknown) => await app.inject({ method: 'POST', url: '/v1/admin/simulations', headers: auth(token), payload: payload as object })

  // The policy changes after the simulation: adoption is refused and nothing is written.
  const sim = (await post(admin, { year: YEAR, tierRules: await raisedRules(app, admin, '25000000.00') })).json()
  const gates = (await app.inject({ url: '/v1/admin/eligibility-gates', headers: auth(admin) })).json()
  gates.innovative_growth = [{ gate: 'tier_at_least', tier: 'above_scale' }, { gate: 'rd_intensity_at_least', ratio: '0.04' }]
  t.equal((await app.inject({ method: 'PUT', url: '/v1/admin/eligibility-gates', headers: auth(admin), payload: gates })).statusCode, 200)
  t.equal((await app.inject({ url: `/v1/admin/simulations/${sim.id}`, headers: auth(admin) })).json().stale, true)
  const before = await stateOf(app)
  const stale = await app.inject({ method: 'POST', url: `/v1/admin/simulations/${sim.id}/adopt`, headers: auth(admin) })
  t.equal(stale.statusCode, 409)
  t.equal(stale.json().code, 'STALE_SIMULATION')
  t.same(await stateOf(app), before, 'a refused adoption changes nothing')

  // Officers simulate gates and rubrics; the lists name the applications that flip.
  const stricter = structuredClone(gates)
  stricter.innovative_growth[1].ratio = '0.08'
  const g = await post(officer.token, { year: YEAR, eligibilityGates: stricter })
  t.equal(g.statusCode, 201, g.body.slice(0, 300))
  const flips = g.json().applications.calls.flatMap((c: any) => c.items.filter((i: any) => i.eligible.before !== i.eligible.after))
  t.equal(flips.length, g.json().applications.eligibilityFlips)
  t.ok(flips.length > 0, `some applications of ${YEAR} fail the stricter gate (${flips.length})`)
  t.ok(flips.every((i: any) => i.eligible.before && !i.eligible.after), 'a stricter gate only ever refuses more')
  t.ok(g.json().pool.newlyQualifying.innovative_growth === 0, 'nobody newly qualifies under a stricter gate')
  t.same(await stateOf(app), before, 'nothing written')

  const rubric = (await app.inject({ url: '/v1/admin/rubrics?program=innovative_growth', headers: auth(admin) })).json().items.at(-1)
  // A lenient rubric (no minimums, pass mark 0) on the first year's decided call, where growth minimums
  // failed for want of an earlier year: every graded application would pass.
  const groupMinimums = Object.fromEntries(Object.keys(rubric.groupMinimums).map(k => [k, 0]))
  const lenient = { program: 'innovative_growth', title: 'lenient', indicators: rubric.indicators, groupMinimums, passMark: 0, gradeBands: rubric.gradeBands }
  const r = await post(officer.token, { year: YEAR - 1, rubric: lenient })
  t.equal(r.statusCode, 201, r.body.slice(0, 300))
  const graded = r.json().applications.calls.filter((c: any) => c.program === 'innovative_growth').flatMap((c: any) => c.items)
  t.ok(r.json().applications.passFlips > 0, `some failing applications pass without minimums (${r.json().applications.passFlips})`)
  t.ok(graded.filter((i: any) => i.pass.after != null).every((i: any) => i.pass.after === true), 'a pass mark of 0 passes everyone graded')
  t.equal(graded.filter((i: any) => i.pass.before === false && i.pass.after === true).length, r.json().applications.passFlips)
  t.same(await stateOf(app), before, 'nothing written')

  // Analysts: tier rules and targets only, thresholds on the coarse grid, aggregate view.
  const refused = await post(analyst.token, { year: YEAR, eligibilityGates: stricter })
  t.equal(refused.statusCode, 422)
  t.equal(refused.json().code, 'SIMULATION_PART_FORBIDDEN')
  t.equal(refused.json().fields[0].field, 'body.eligibilityGates')
  const offGrid = await post(analyst.token, { year: YEAR, tierRules: await raisedRules(app, admin, '23456789.00') })
  t.equal(offGrid.statusCode, 400)
  t.match(offGrid.json().fields[0], { field: /^body\.tierRules\.\d+\.minRevenue$/ })
  const a = await post(analyst.token, { year: YEAR, tierRules: await raisedRules(app, admin, '30000000.00') })
  t.equal(a.statusCode, 201)
  t.equal(a.json().disclosure, 'aggregate')
  t.equal(a.json().tiers.changes, undefined)
  t.equal(a.json().pool.members, undefined)
  const share = a.json().targets.find((x: any) => x.measure === 'revenue_share_at_least_tier' && x.tierCode === 'hundred_million')
  t.same([share.before.value != null, share.after.value], [true, share.before.value], 'a share the proposal does not change is published')
  t.equal((await app.inject({ method: 'POST', url: `/v1/admin/simulations/${a.json().id}/adopt`, headers: auth(analyst.token) })).statusCode, 403)

  // Bad proposals: 400 with the field, exactly as the admin endpoints would say.
  const bad = await post(admin, { year: YEAR, tierRules: [{ tierCode: 'below_scale', minRevenue: '1.00', fromYear: 2020 }] })
  t.equal(bad.statusCode, 400)
  t.equal(bad.json().fields[0].field, 'body.tierRules.0.tierCode')
  t.equal((await post(admin, { year: YEAR })).statusCode, 400, 'a proposal of nothing')
  const number = await post(admin, { year: YEAR, tierRules: [{ tierCode: 'billion', minRevenue: 1000000000, fromYear: 2020 }] })
  t.equal(number.statusCode, 400, 'money as a JSON number is refused')
  const badTarget = await post(admin, { year: YEAR, targets: [{ key: 'x', measure: 'firms_at_least_tier', comparator: 'gte', goal: '5', dueYear: 2028, labelZh: '甲', labelEn: 'x' }] })
  t.equal(badTarget.statusCode, 400)
  t.equal((await app.inject({ url: '/v1/admin/simulations/00000000-0000-4000-8000-000000000000', headers: auth(admin) })).statusCode, 404)

  // Targets: a proposed set is measured on the same year; adopting it replaces the set.
  const fresh = (await post(admin, { year: YEAR, targets: [{ key: 'big_firms', measure: 'firms_at_least_tier', tierCode: 'billion', comparator: 'gte', goal: '3', dueYear: 2028, labelZh: '十亿级', labelEn: 'Billion' }] })).json()
  const big = fresh.targets.find((x: any) => x.code === 'big_firms')
  t.equal(big.before, null, 'a new target has no before')
  t.ok(big.after.value != null)
  t.equal((await app.inject({ method: 'POST', url: `/v1/admin/simulations/${fresh.id}/adopt`, headers: auth(admin) })).statusCode, 200)
  t.same((await app.inject({ url: '/v1/admin/targets', headers: auth(admin) })).json().targets.map((x: any) => x.key), ['big_firms'])
})
