import t from 'tap'
import { isDeepStrictEqual } from 'node:util'
import { and, asc, eq, sql } from 'drizzle-orm'
import { buildTestApp, auth, login, ADMIN } from './helper.ts'
import { queryRows, type Db } from '../db/client.ts'
import { applications, calls as callsTable, declarations, enterprises, poolMemberships, publicNotices, reviews, rubrics, tierRules } from '../db/schema/index.ts'
import { evaluateEligibility } from '../server/domain/eligibility.ts'
import { autoScore, type AutoScore } from '../server/domain/rubrics.ts'
import { aggregateScores, checkJudgedScores, type ApplicationScore } from '../server/domain/scoring.ts'
import { declarationFigures, freezeSubmission, frozenFigures, type ApplicationSnapshot } from '../server/domain/submission.ts'
import { loadEligibilityGates } from '../server/services/applications.ts'
import { rubricOf } from '../server/services/rubrics.ts'
import { generateIndustry } from '../scripts/seed/industry.ts'
import { seedDatabase } from '../scripts/seed/load.ts'
import { DEMO_ACCOUNTS, FIRM_PASSWORD, firmEmail, parseYears, SeedRefused, type SeedOptions } from '../scripts/seed/options.ts'
import { probit, rng } from '../scripts/seed/random.ts'
import { fromFen } from '../server/domain/money.ts'
import { tierRank } from '../server/domain/tiers.ts'
import { DEFAULT_TIER_RULES } from './fixtures.ts'
import { checkUscc } from '../server/domain/uscc.ts'

// Each subtest builds the app on a fresh database; on a busy 2-core machine that takes a while.
t.setTimeout(600_000)

// The default rule set of db/migrations/0001_reference_data.sql.
const RULES = DEFAULT_TIER_RULES

function fingerprint (opts: SeedOptions) {
  let declarations = 0
  let revenue = 0n
  let employees = 0
  const ids: string[] = []
  for (const f of generateIndustry(opts, RULES)) {
    ids.push(f.id)
    for (const y of f.years.values()) { declarations++; revenue += y.revenueFen; employees += y.employees }
  }
  return { declarations, revenue: fromFen(revenue), employees, firstIds: ids.slice(0, 3) }
}

t.test('the generator: deterministic, calibrated to the 2017 baseline, valid codes', async (t) => {
  const opts: SeedOptions = { firms: 2000, fromYear: 2017, toYear: 2026, seed: 1, force: false }
  const a = fingerprint(opts)
  t.same(fingerprint(opts), a, 'same options, same industry')
  t.not(fingerprint({ ...opts, seed: 2 }).revenue, a.revenue, 'another seed, another industry')

  let firms = 0
  let above = 0
  let aboveRevenue = 0n
  let employees = 0
  let top = 0n
  const districts = new Set<string>()
  const usccs = new Set<string>()
  for (const f of generateIndustry(opts, RULES)) {
    const y = f.years.get(2017)!
    firms++
    employees += y.employees
    if (tierRank(y.tier) >= tierRank('above_scale')) { above++; aboveRevenue += y.revenueFen }
    if (y.revenueFen > top) top = y.revenueFen
    districts.add(f.district)
    t.equal(checkUscc(f.uscc).ok, true)
    usccs.add(f.uscc)
    // R&D 5-10% of software revenue (plus the yearly creep), software revenue below operating revenue.
    for (const [year, d] of f.years) {
      if (d.softwareFen > d.revenueFen || d.rdFen * 100n < d.softwareFen * 5n - 100n ||
        d.rdFen * 100n > d.softwareFen * (10n + BigInt(year - 2017)) / 5n * 5n + 100n) {
        t.fail(`firm ${f.index} ${year} figures out of range`)
      }
    }
  }
  t.equal(firms, 2000, 'every firm declares in the first year')
  t.equal(usccs.size, 2000, 'credit codes are unique')
  t.ok(above >= 680 && above <= 720, `about 700 above scale: ${above}`)
  const yi = Number(aboveRevenue / 100n) / 1e8
  t.ok(yi > 1040 && yi < 1066, `above-scale revenue near 1053亿: ${yi.toFixed(1)}亿`)
  t.ok(employees > 180_000 && employees < 230_000, `about 200,000 employees: ${employees}`)
  t.ok(top > 1_000_000_000_00n, 'heavy tail: at least one firm past a billion')
  t.ok(districts.size >= 10, 'spread over the districts')
})

t.test('small helpers', async (t) => {
  t.same(parseYears('2017-2026'), [2017, 2026])
  t.throws(() => parseYears('2026-2017'), SeedRefused)
  t.throws(() => parseYears('17-26'), SeedRefused)
  t.ok(Math.abs(probit(0.975) - 1.959964) < 1e-5)
  t.ok(Math.abs(probit(0.5)) < 1e-12)
  const r1 = rng(5)
  const r2 = rng(5)
  t.same([r1(), r1(), r1()], [r2(), r2(), r2()])
})

t.test('seeding a database: totals, accounts, analytics; refuses without --force', async (t) => {
  const app = await buildTestApp(t)
  const opts: SeedOptions = { firms: 120, fromYear: 2021, toYear: 2023, seed: 7, force: false }
  const rules = (await app.db.select().from(tierRules)).map(r => ({ ...r, minRevenue: String(r.minRevenue) }))
  t.same(rules.length, RULES.length)
  const lines: string[] = []
  const summary = await seedDatabase(app.database, opts, l => lines.push(l))
  const expected = fingerprint(opts)
  t.equal(summary.firms, 120)
  t.equal(summary.declarations, expected.declarations)
  t.ok(lines.some(l => /120 \/ 120 firms/.test(l)), 'progress printed')

  const totals = async () => (await queryRows<{ n: number, revenue: string, employees: number }>(app.db,
    sql`select count(*)::int as n, sum(operating_revenue)::text as revenue, sum(employees)::int as employees from declarations`))[0]
  const first = await totals()
  t.same([first.n, fromFen(BigInt(first.revenue.replace('.', ''))), first.employees], [expected.declarations, expected.revenue, expected.employees], 'the database holds what the generator made')

  // Accounts: demo staff with their printed passwords, firms with the shared one.
  const analyst = await login(app, DEMO_ACCOUNTS.find(a => a.role === 'analyst')!.email, 'Demo-Analyst-Pass-2026')
  const owner = await login(app, firmEmail(0), FIRM_PASSWORD)
  const me = (await app.inject({ url: '/v1/me', headers: auth(owner) })).json()
  t.equal(me.role, 'enterprise')
  t.ok(me.enterpriseId)

  // The analytics rollup is in place after the bulk load.
  const dist = (await app.inject({ url: '/v1/analytics/distribution?year=2023&by=tier', headers: auth(analyst) })).json()
  const [direct] = await queryRows<{ n: number, revenue: string }>(app.db, sql`select count(*)::int as n, sum(operating_revenue)::text as revenue from declarations where year = 2023`)
  t.equal(dist.totals.firms, direct.n)
  t.equal(dist.totals.operatingRevenue, direct.revenue)
  const cells = async () => [
    await queryRows(app.db, sql`select * from analytics_cells where firms > 0 order by year, tier_code, district_code, program_code, domains`),
    await queryRows(app.db, sql`select * from analytics_totals where firms > 0 order by year, tier_code, district_code, program_code`)
  ]
  const written = await cells()
  await app.db.execute(sql`select analytics_rebuild()`)
  t.same(written, await cells(), 'the rollup the seed wrote is what the database derives')
  const [{ members }] = await queryRows<{ members: number }>(app.db, sql`select count(*)::int as members from pool_memberships`)
  t.equal(members, summary.members)

  // Support funds for the demo: within their budgets, payments within their awards, to members of the program.
  t.ok(summary.funds.funds >= 1 && summary.funds.awards >= summary.funds.funds && summary.funds.payments >= 1, `funds seeded: ${JSON.stringify(summary.funds)}`)
  const overspent = await queryRows(app.db, sql`select f.id from funds f join fund_awards a on a.fund_id = f.id and a.state <> 'cancelled'
    group by f.id, f.budget having sum(a.amount) > f.budget`)
  t.same(overspent, [], 'no fund awards more than its budget')
  const overpaid = await queryRows(app.db, sql`select a.id from fund_awards a left join fund_payments p on p.award_id = a.id
    group by a.id, a.amount, a.paid having coalesce(sum(p.amount), 0) <> a.paid or a.paid > a.amount`)
  t.same(overpaid, [], 'each award\'s paid sum is its payments, never more than the award')
  const outsiders = await queryRows(app.db, sql`select a.id from fund_awards a join funds f on f.id = a.fund_id join pool_memberships m on m.id = a.membership_id
    where m.program_code <> f.program_code or m.enterprise_id <> a.enterprise_id`)
  t.same(outsiders, [], 'awards go to members of the fund\'s program')
  const officer = await login(app, DEMO_ACCOUNTS.find(a => a.role === 'officer')!.email, 'Demo-Officer-Pass-2026')
  const funds = (await app.inject({ url: '/v1/funds', headers: auth(officer) })).json()
  t.equal(funds.items.length, summary.funds.funds)
  const perf = await app.inject({ url: `/v1/analytics/funds?year=${funds.items[0].year}`, headers: auth(analyst) })
  t.equal(perf.statusCode, 200)
  t.equal(perf.json().funds.totals.firms > 0, true, 'the performance evaluation sees the seeded awards')

  // Again without --force: refused, nothing changed.
  await t.rejects(seedDatabase(app.database, opts), SeedRefused)
  t.same(await totals(), first)
  // With --force: replaced, not doubled; the first administrator stays.
  const again = await seedDatabase(app.database, { ...opts, seed: 8, force: true })
  t.equal(again.firms, 120)
  const second = await totals()
  t.equal(second.n, fingerprint({ ...opts, seed: 8 }).declarations)
  t.not(second.revenue, first.revenue)
  t.ok(await login(app, ADMIN.email, ADMIN.password))
  const [{ firms }] = await queryRows<{ firms: number }>(app.db, sql`select count(*)::int as firms from enterprises`)
  t.equal(firms, 120)
})

// ---------------------------------------------------------------- the grading history

type ApplicationRow = typeof applications.$inferSelect
type ReviewRow = typeof reviews.$inferSelect

/** The history's applications with their reviews, in id order: what two seeds must agree on. */
async function gradingFingerprint (db: Db) {
  const apps = await db.select().from(applications).orderBy(asc(applications.id))
  const revs = await db.select().from(reviews).orderBy(asc(reviews.applicationId), asc(reviews.reviewerId))
  return {
    applications: apps.map(a => [a.id, a.callId, a.enterpriseId, a.state, a.version, a.declarationYear, a.eligibility, a.autoScores, a.score, a.decision,
      a.submittedAt?.toISOString() ?? null]),
    reviews: revs.map(r => [r.applicationId, r.reviewerId, r.state, r.scores, r.version])
  }
}

/** Versions as the service counts them: one more per step of the state machine. */
const VERSION: Record<string, number[]> = {
  draft: [1], submitted: [2], ineligible: [2], returned: [3], under_review: [3], scored: [4], admitted: [5], rejected: [5],
  withdrawn: [2, 3] // from a draft, or after submitting
}

t.test('the grading history: calls, applications and reviews as the service would have made them', async (t) => {
  const app = await buildTestApp(t)
  const now = new Date()
  const opts: SeedOptions = { firms: 800, fromYear: 2022, toYear: 2025, seed: 2, force: false, now }
  const summary = await seedDatabase(app.database, opts)
  const db = app.db
  const officer = await login(app, 'officer1@demo.peiyu.cn', 'Demo-Officer-Pass-2026')

  // Every state of the machine that a history leaves behind, in this seed.
  const byState = await queryRows<{ state: string, n: number }>(db, sql`select state, count(*)::int as n from applications group by state`)
  t.same(Object.fromEntries(byState.map(r => [r.state, r.n])), summary.applicationsByState, 'the summary counts what was loaded')
  t.same(Object.keys(summary.applicationsByState).sort(),
    ['admitted', 'draft', 'ineligible', 'rejected', 'returned', 'scored', 'submitted', 'under_review', 'withdrawn'])
  t.equal(summary.applications, byState.reduce((s, r) => s + r.n, 0))
  t.equal(summary.reviews, (await db.select().from(reviews)).length)

  // Calls: one per program for the first year and for each later year; the latest open now.
  const calls = (await app.inject({ url: '/v1/calls?limit=500', headers: auth(officer) })).json().items as Array<{ id: string, program: string, year: number, status: string, rubricId: string, reviewersPerApplication: number }>
  t.equal(calls.length, summary.calls)
  t.same([...new Set(calls.map(c => c.year))].sort(), [2022, 2023, 2024, 2025])
  for (const c of calls) t.equal(c.status, c.year === 2025 ? 'open' : 'closed', `${c.year} ${c.program} ${c.status}`)
  const latestRubric = new Map((await db.select().from(rubrics).orderBy(asc(rubrics.version))).map(r => [r.programCode, r.id]))
  t.ok(calls.every(c => c.rubricId === latestRubric.get(c.program) && c.reviewersPerApplication === 3), 'each with its program\'s current rubric and 3 reviewers')

  // The officer's progress of the open calls agrees with the applications.
  for (const call of calls.filter(c => c.status === 'open')) {
    const progress = (await app.inject({ url: `/v1/calls/${call.id}/progress`, headers: auth(officer) })).json()
    const rows = await db.select().from(applications).where(eq(applications.callId, call.id))
    const counted: Record<string, number> = {}
    for (const a of rows) counted[a.state] = (counted[a.state] ?? 0) + 1
    t.same(progress.applicationsByState, counted, `${call.program}: applications by state`)
    for (const p of progress.applications as Array<{ state: string, assigned: number, submitted: number }>) {
      if (p.state === 'under_review') t.ok(p.assigned === 3 && p.submitted < 3, 'under review: 3 assigned, not all in')
      else if (p.state === 'scored') t.ok(p.assigned === 3 && p.submitted === 3, 'scored: all 3 in')
      else t.equal(p.assigned, 0, `${p.state}: no reviewers`)
    }
  }

  // Firm 0 reads its applications, and only its own.
  t.ok(summary.sampleApplication, 'the summary names firm 0\'s application')
  const owner = await login(app, firmEmail(0), FIRM_PASSWORD)
  const me = (await app.inject({ url: '/v1/me', headers: auth(owner) })).json()
  const mine = (await app.inject({ url: '/v1/applications', headers: auth(owner) })).json().items as Array<{ id: string, enterpriseId: string }>
  t.ok(mine.some(a => a.id === summary.sampleApplication!.id), 'GET /v1/applications lists it')
  t.ok(mine.every(a => a.enterpriseId === me.enterpriseId), 'nothing of another firm')
  t.equal(mine.length, (await db.select().from(applications).where(eq(applications.enterpriseId, me.enterpriseId))).length)
  const sample = await app.inject({ url: `/v1/applications/${summary.sampleApplication!.id}`, headers: auth(owner) })
  t.equal(sample.statusCode, 200)
  t.ok(['under_review', 'ineligible'].includes(sample.json().state))
  t.equal(sample.json().snapshot.enterprise.id, me.enterpriseId, 'a full application with its frozen snapshot')
  const [other] = await db.select().from(applications).where(sql`${applications.enterpriseId} <> ${me.enterpriseId}`).limit(1)
  t.equal((await app.inject({ url: `/v1/applications/${other.id}`, headers: auth(owner) })).statusCode, 404, 'another firm\'s is 404')

  // Reviewers list their assignments: all of them (none hidden as conflicted), none on a conflicted firm.
  const conflicts = await queryRows<{ reviewer_id: string, uscc: string }>(db, sql`select reviewer_id, uscc from reviewer_conflicts`)
  t.ok(conflicts.length > 0, 'some reviewers declared conflicts')
  const conflicted = await queryRows<{ n: number }>(db, sql`select count(*)::int as n from reviews r join applications a on a.id = r.application_id
    join enterprises e on e.id = a.enterprise_id join reviewer_conflicts c on c.reviewer_id = r.reviewer_id and c.uscc = e.uscc`)
  t.equal(conflicted[0].n, 0, 'no review of a firm its reviewer has a conflict with')
  for (const account of DEMO_ACCOUNTS.filter(a => a.role === 'reviewer')) {
    const token = await login(app, account.email, account.password)
    const reviewerId = (await app.inject({ url: '/v1/me', headers: auth(token) })).json().id
    const listed = (await app.inject({ url: '/v1/reviews?limit=500', headers: auth(token) })).json().items as Array<{ reviewerId: string }>
    const stored = await db.select().from(reviews).where(eq(reviews.reviewerId, reviewerId))
    t.ok(listed.length > 0 && listed.length === stored.length, `${account.email}: lists its ${stored.length} reviews`)
    const declared = (await app.inject({ url: '/v1/me/conflicts', headers: auth(token) })).json().items as unknown[]
    t.equal(declared.length, conflicts.filter(c => c.reviewer_id === reviewerId).length, 'and sees its declared conflicts')
  }

  // Every application is consistent, checked with the domain's own rules against the stored rows.
  const gates = await loadEligibilityGates(db)
  const rubricById = new Map((await db.select().from(rubrics)).map(r => [r.id, rubricOf(r)]))
  const callById = new Map((await db.select().from(callsTable)).map(c => [c.id, c]))
  const reviewsOf = new Map<string, ReviewRow[]>()
  for (const r of await db.select().from(reviews)) reviewsOf.set(r.applicationId, [...(reviewsOf.get(r.applicationId) ?? []), r])
  const memberships = await db.select().from(poolMemberships)
  const notices = await db.select().from(publicNotices)
  const firms = new Map((await db.select().from(enterprises)).map(e => [e.id, e]))
  const problems: string[] = []
  const check = (a: ApplicationRow, ok: boolean, what: string) => { if (!ok) problems.push(`${a.id} (${a.state}): ${what}`) }
  // jsonb keeps its own key order: compare as values.
  const same = (stored: unknown, computed: unknown) => isDeepStrictEqual(stored, JSON.parse(JSON.stringify(computed)))
  for (const a of await db.select().from(applications)) {
    const call = callById.get(a.callId)!
    const rubric = rubricById.get(call.rubricId)!
    const rs = reviewsOf.get(a.id) ?? []
    const score = a.score as ApplicationScore | null
    check(a, VERSION[a.state].includes(a.version), `version ${a.version}`)
    check(a, a.createdAt <= now && a.updatedAt <= now && a.createdAt >= call.opensAt, 'timestamps')
    const submitted = a.snapshot != null
    if (submitted) {
      const snapshot = a.snapshot as ApplicationSnapshot
      const [stored] = await db.select().from(declarations).where(eq(declarations.id, snapshot.declaration.id))
      check(a, stored != null && stored.enterpriseId === a.enterpriseId && stored.year === a.declarationYear && stored.year <= call.year, 'graded declaration')
      check(a, stored != null && same(declarationFigures(stored), snapshot.declaration), 'snapshot figures are the declaration\'s')
      check(a, snapshot.enterprise.uscc === firms.get(a.enterpriseId)!.uscc && snapshot.call.id === a.callId && snapshot.call.rubricId === call.rubricId, 'snapshot names the firm and call')
      check(a, a.submittedAt != null && a.submittedAt >= call.opensAt && a.submittedAt < call.closesAt && snapshot.frozenAt === a.submittedAt.toISOString(), 'submitted inside the window')
      const eligibility = evaluateEligibility(gates[call.programCode] ?? [], {
        callYear: call.year, foundedOn: snapshot.enterprise.foundedOn, tierCode: snapshot.declaration.tierCode,
        operatingRevenue: snapshot.declaration.operatingRevenue, rdExpense: snapshot.declaration.rdExpense
      })
      check(a, same(a.eligibility, eligibility), 'eligibility as the gates say')
      check(a, same(a.autoScores, eligibility.passed ? autoScore(rubric, frozenFigures(snapshot)) : null), 'auto scores from the frozen figures')
      check(a, (a.state === 'ineligible') === !eligibility.passed || (a.state === 'withdrawn'), 'ineligible exactly when a gate failed')
    } else {
      check(a, ['draft', 'withdrawn'].includes(a.state) && a.eligibility == null && a.autoScores == null, 'never submitted')
    }
    const reviewed = ['under_review', 'scored', 'admitted', 'rejected'].includes(a.state)
    check(a, rs.length === (reviewed ? 3 : 0), `${rs.length} reviews`)
    check(a, new Set(rs.map(r => r.reviewerId)).size === rs.length, 'three different reviewers')
    for (const r of rs) {
      check(a, checkJudgedScores(rubric, r.scores, r.state !== 'submitted').length === 0, `review scores in the rubric's ranges: ${JSON.stringify(r.scores)}`)
      check(a, (r.state === 'submitted') === (r.submittedAt != null) && r.assignedAt >= a.submittedAt! && r.assignedAt <= now, 'review timestamps')
    }
    const inRound = rs.filter(r => r.state === 'submitted')
    if (a.state === 'under_review') check(a, inRound.length < 3 && score == null, 'some reviews still open, no score')
    if (['scored', 'admitted', 'rejected'].includes(a.state)) {
      check(a, inRound.length === 3, 'all reviews submitted')
      check(a, same(score, aggregateScores(rubric, a.autoScores as AutoScore, inRound.map(r => ({ reviewerId: r.reviewerId, scores: r.scores })), 15)), 'score aggregated from the reviews')
    } else check(a, score == null, 'no score')
    const decided = a.state === 'admitted' || a.state === 'rejected'
    check(a, decided === (a.decision != null) && decided === (a.decidedAt != null) && (a.decidedAt == null || a.decidedAt <= now), 'decision fields only when decided')
    if (a.state === 'admitted') check(a, a.decision === 'admit', 'admitted ⇒ admit')
    if (a.state === 'rejected') check(a, a.decision === 'reject', 'rejected ⇒ reject')
    if (decided) {
      const override = (a.decision === 'admit') !== score!.pass
      check(a, override === (a.decisionOverride != null) && override === (a.decisionReason != null), 'an override of the rubric is flagged and explained')
    }
    const membership = memberships.filter(m => m.applicationId === a.id)
    check(a, membership.length === (a.state === 'admitted' ? 1 : 0), 'an admission makes one membership')
    for (const m of membership) {
      check(a, m.enterpriseId === a.enterpriseId && m.programCode === call.programCode && m.admittedOn === a.decidedAt!.toISOString().slice(0, 10) &&
        m.tierAtAdmission === (a.snapshot as ApplicationSnapshot).declaration.tierCode, 'the membership is the admission\'s')
      check(a, notices.some(n => n.membershipId === m.id && n.applicationId === a.id), 'with its public notice')
    }
    check(a, a.state !== 'returned' || (a.returnReason ?? '') !== '', 'returned with a reason')
  }
  t.same(problems, [], 'every application consistent')
  t.ok(memberships.every(m => m.applicationId != null), 'every pool member has its admitting application')
  t.equal(memberships.length, summary.members)

  // The analytics rollup still equals what the database derives (new members included).
  const cells = async () => await queryRows(db, sql`select * from analytics_cells where firms > 0 order by year, tier_code, district_code, program_code, domains`)
  const written = await cells()
  await db.execute(sql`select analytics_rebuild()`)
  t.same(written, await cells(), 'the rollup the seed wrote is what the database derives')

  // Deterministic: the same options give the same history; another seed another one.
  const first = await gradingFingerprint(db)
  await seedDatabase(app.database, { ...opts, force: true })
  t.same(await gradingFingerprint(db), first, 'same options, same applications and reviews')
  // A seeded snapshot has the shape of one the service freezes, and freezeSubmission is what the
  // service does: a firm of the seed applies through the API.
  const openCall = calls.find(c => c.status === 'open' && c.program === 'innovative_growth')!
  const [applicant] = await queryRows<{ email: string }>(db, sql`select u.email from users u join declarations d on d.enterprise_id = u.enterprise_id and d.year = 2025
    where u.role = 'enterprise' and not exists (select 1 from applications a where a.enterprise_id = u.enterprise_id) order by u.email limit 1`)
  const token = await login(app, applicant.email, FIRM_PASSWORD)
  const created = (await app.inject({ method: 'POST', url: '/v1/applications', headers: auth(token), payload: { callId: openCall.id } })).json()
  t.equal((await app.inject({ method: 'POST', url: `/v1/applications/${created.id}/submit`, headers: auth(token) })).statusCode, 200)
  const fresh = (await app.inject({ url: `/v1/applications/${created.id}`, headers: auth(officer) })).json() // the firm does not see its auto scores yet
  const [seeded] = await db.select().from(applications).where(and(eq(applications.callId, openCall.id), eq(applications.state, 'under_review'))).limit(1)
  const shape = (v: unknown): unknown => v != null && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, shape(x)])) : typeof v
  t.same(shape(fresh.snapshot.declaration), shape((seeded.snapshot as ApplicationSnapshot).declaration), 'the same snapshot fields and types')
  t.same(Object.keys(fresh.snapshot).sort(), Object.keys(seeded.snapshot as object).sort())
  const [graded] = await db.select().from(declarations).where(eq(declarations.id, fresh.snapshot.declaration.id))
  const [previous] = await db.select().from(declarations).where(and(eq(declarations.enterpriseId, graded.enterpriseId), eq(declarations.year, graded.year - 1)))
  const frozen = freezeSubmission({
    now: new Date(fresh.snapshot.frozenAt), call: fresh.snapshot.call, enterprise: fresh.snapshot.enterprise, declaration: graded,
    previousDeclaration: previous ?? null,
    documents: [], gates: gates.innovative_growth, rubric: rubricById.get(openCall.rubricId)!
  })
  t.same([fresh.snapshot, fresh.eligibility, fresh.autoScores], [frozen.snapshot, frozen.eligibility, frozen.autoScores], 'the service froze what freezeSubmission freezes')

  await seedDatabase(app.database, { ...opts, seed: 3, force: true })
  t.not(JSON.stringify(await gradingFingerprint(db)), JSON.stringify(first), 'another seed, another history')
  const [{ n }] = await queryRows<{ n: number }>(db, sql`select count(*)::int as n from calls`)
  t.equal(n, summary.calls, '--force replaced the calls, not added to them')
})
