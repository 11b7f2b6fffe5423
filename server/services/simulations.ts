import { createHash } from 'node:crypto'
import { and, desc, eq, sql, type SQL } from 'drizzle-orm'
import { inTransaction, queryRows, type Db } from '../../db/client.ts'
import { domains, policySimulations, programs, rubrics } from '../../db/schema/index.ts'
import type { EligibilityGates } from '../domain/eligibility.ts'
import { gateConfigProblems } from '../domain/eligibility.ts'
import { errors, type FieldError } from '../domain/errors.ts'
import type { Rubric } from '../domain/rubrics.ts'
import type { ApplicationScore } from '../domain/scoring.ts'
import { simulationTransition, type SimulationState } from '../domain/simulation-state.ts'
import {
  aggregateView, firmsNeedingDetails, onCoarseGrid, proposedTiers, simulatePolicy, type LabelledTarget, type Policy, type Proposal, type SimulationApplication,
  type SimulationFirm, type SimulationMember, type SimulationResult
} from '../domain/simulation.ts'
import type { ApplicationSnapshot } from '../domain/submission.ts'
import { MEASURE_UNITS, type TargetMeasure } from '../domain/targets.ts'
import { tierRuleProblems } from '../domain/tiers.ts'
import { canonicalJson, recordAudit, type AuditContext } from '../lib/audit.ts'
import { decodeCursor, page } from '../lib/pagination.ts'
import type { Principal } from '../domain/access.ts'
import type { SimulationBody, SimulationView } from '../../schemas/simulations.ts'
import { targetProblems, type TargetInput } from '../domain/targets.ts'
import { tierSums } from './analytics.ts'
import { listTargets, replaceTargets } from './targets.ts'
import { loadEligibilityGates, lockPolicyValues, policyNumber, replaceEligibilityGates } from './policy.ts'
import { cursorInstant } from './calls.ts'
import { LIVE_STATUSES } from './pool.ts'
import { checkRubric, createRubricVersion, rubricOf } from './rubrics.ts'
import { loadTierRules, recomputeTiers, replaceTierRules, tierRulesEtag, type TierRuleView } from './tier-rules.ts'

/**
 * Policy what-if (docs/simulations.md): loads one year in one snapshot,
 * evaluates the proposal in memory with the domain's own rules
 * (server/domain/simulation.ts) and stores the result. Nothing else is
 * written: no policy, declaration, membership, rollup or audit entry.
 * Adoption goes through the same services as the admin endpoints.
 */

type SimulationRow = typeof policySimulations.$inferSelect
export const SIMULATION_PARTS = ['tierRules', 'eligibilityGates', 'rubric', 'targets'] as const
type Part = typeof SIMULATION_PARTS[number]
/** What aggregate-only readers may propose. */
const ANALYST_PARTS: readonly Part[] = ['tierRules', 'targets']
const SIMULATING_ROLES = ['admin', 'officer', 'analyst']

/** The policy in force and everything the fingerprint covers. */
export async function policyInForce (tx: Db): Promise<{ policy: Policy, rules: TierRuleView[], fingerprint: string }> {
  const [rules, gates, targets, exitMissingYears, rubricRows] = await Promise.all([
    loadTierRules(tx),
    loadEligibilityGates(tx),
    listTargets(tx),
    policyNumber(tx, 'pool_exit_missing_years', 2),
    tx.select().from(rubrics).orderBy(rubrics.programCode, rubrics.version)
  ])
  const exit = Number.isInteger(exitMissingYears) && exitMissingYears >= 1 ? exitMissingYears : 2
  const fingerprint = createHash('sha256').update(canonicalJson({
    tierRules: tierRulesEtag(rules),
    gates,
    targets,
    exitMissingYears: exit,
    rubrics: rubricRows.map(r => ({ id: r.id, version: r.version, ...rubricOf(r) }))
  })).digest('hex')
  // Simulations measure the city: the districts' own targets are not evaluated on city figures.
  const cityTargets = targets.filter(x => x.district == null) as LabelledTarget[]
  return { policy: { tierRules: rules, gates, targets: cityTargets, exitMissingYears: exit }, rules, fingerprint }
}

const partsOf = (body: Partial<Record<Part, unknown>>): Part[] => SIMULATION_PARTS.filter(p => body[p] != null)

function labelledTargets (targets: TargetInput[]): LabelledTarget[] {
  return targets.map(t => ({
    key: t.key, measure: t.measure, tierCode: t.tierCode ?? null, comparator: t.comparator, goal: t.goal,
    unit: MEASURE_UNITS[t.measure as TargetMeasure], dueYear: t.dueYear, labelZh: t.labelZh, labelEn: t.labelEn
  }))
}

const tierRuleViews = (body: SimulationBody): TierRuleView[] | undefined => body.tierRules?.map(r => ({
  tierCode: r.tierCode, minRevenue: r.minRevenue, fromYear: r.fromYear, toYear: r.toYear ?? null, domainCode: r.domainCode ?? null, note: r.note ?? null
}))

/**
 * The proposal checked exactly as the admin endpoints check each part (so a
 * simulated policy can always be adopted while the policy stands), plus the
 * role's limits: analysts propose tier rules and targets only, with
 * thresholds on the coarse grid.
 */
async function checkProposal (tx: Db, user: Principal, body: SimulationBody): Promise<Proposal> {
  const parts = partsOf(body)
  if (parts.length === 0) throw errors.validation([{ field: 'body', message: `propose at least one of ${SIMULATION_PARTS.join(', ')}` }])
  if (user.role === 'analyst') {
    const refused = parts.find(p => !ANALYST_PARTS.includes(p))
    if (refused != null) throw errors.simulationPartForbidden(refused)
  }
  const problems: FieldError[] = []
  const proposal: Proposal = {}
  const rules = tierRuleViews(body)
  if (rules != null) {
    const known = (await tx.select({ code: domains.code }).from(domains)).map(d => d.code)
    problems.push(...tierRuleProblems(rules, { domains: known }).map(p => ({ field: `body.tierRules.${p.field.replace(/^rules\./, '')}`, message: p.message })))
    if (user.role === 'analyst') {
      rules.forEach((r, i) => {
        if (!onCoarseGrid(r.minRevenue)) {
          problems.push({ field: `body.tierRules.${i}.minRevenue`, message: 'analysts may propose thresholds of 1, 1.5, 2, 3, 5 or 7 times a power of ten yuan' })
        }
      })
    }
    proposal.tierRules = rules
  }
  if (body.eligibilityGates != null) {
    const known = (await tx.select({ code: programs.code }).from(programs)).map(p => p.code)
    const gates = body.eligibilityGates as EligibilityGates
    problems.push(...gateConfigProblems(gates, known).map(p => ({ field: `body.eligibilityGates.${p.field}`, message: p.message })))
    proposal.eligibilityGates = gates
  }
  if (body.rubric != null) {
    const [program] = await tx.select({ code: programs.code }).from(programs).where(eq(programs.code, body.rubric.program))
    if (program == null) throw errors.unknownReference('body.rubric.program', body.rubric.program)
    let rubric: Rubric | undefined
    try {
      rubric = checkRubric(body.rubric)
    } catch (err) {
      const fields = (err as { fields?: FieldError[] }).fields ?? []
      problems.push(...fields.map(f => ({ field: f.field.replace(/^body\./, 'body.rubric.'), message: f.message })))
    }
    if (rubric != null) proposal.rubric = { ...rubric, program: body.rubric.program }
  }
  if (body.targets != null) {
    problems.push(...targetProblems(body.targets))
    proposal.targets = labelledTargets(body.targets)
  }
  if (problems.length > 0) throw errors.validation(problems)
  return proposal
}

interface FirmRow {
  enterprise_id: string, operating_revenue: string, software_revenue: string, rd_expense: string, employees: number, tier_code: string, domains: string
}

/**
 * The year's declarations as the analytics rollup holds them (one row per
 * firm and year: the stored tier, the figures and the firm's sorted domains,
 * kept exact by the database in every writing transaction): a third of the
 * work of joining declarations with firms and domains.
 */
async function loadFirms (tx: Db, year: number): Promise<SimulationFirm[]> {
  const rows = await queryRows<FirmRow>(tx, sql`
    select f.enterprise_id::text, f.operating_revenue::text, f.software_revenue::text, f.rd_expense::text, f.employees, f.tier_code,
      array_to_string(f.domains, ',') as domains
    from analytics_firm_years f where f.year = ${year}`)
  return rows.map(r => ({
    enterpriseId: r.enterprise_id, name: '', uscc: '', foundedOn: '', domains: r.domains === '' ? [] : r.domains.split(','),
    operatingRevenue: r.operating_revenue, softwareRevenue: r.software_revenue, rdExpense: r.rd_expense, employees: Number(r.employees), tierCode: r.tier_code
  }))
}

/** Fills in name, credit code and founding date of the firms at `indexes`. */
async function loadDetails (tx: Db, firms: SimulationFirm[], indexes: number[]): Promise<void> {
  if (indexes.length === 0) return
  const rows = indexes.length > firms.length / 4
    ? await queryRows<{ id: string, name: string, uscc: string, founded_on: string }>(tx, sql`select id::text, name, uscc, founded_on::text from enterprises`)
    : await queryRows<{ id: string, name: string, uscc: string, founded_on: string }>(tx, sql`
      select id::text, name, uscc, founded_on::text from enterprises
      where id = any(string_to_array(${indexes.map(i => firms[i].enterpriseId).join(',')}, ',')::uuid[])`)
  const byId = new Map(rows.map(r => [r.id, r]))
  for (const i of indexes) {
    const r = byId.get(firms[i].enterpriseId)
    if (r != null) Object.assign(firms[i], { name: r.name, uscc: r.uscc, foundedOn: r.founded_on })
  }
}

/** The year as the simulation reads it: the pool, the year's calls and applications (the firms: loadFirms). */
export async function loadYear (tx: Db, year: number, exitMissingYears: number) {
  const memberRows = await queryRows<{
    id: string, enterprise_id: string, name: string, uscc: string, program_code: string, current_tier: string, status: string,
    missing_years: number, admitted_on: string, founded_on: string, years: string | null,
    status_reason: string | null, valid_from: string, valid_until: string
  }>(tx, sql`
    select m.id::text, m.enterprise_id::text, e.name, e.uscc, m.program_code, m.current_tier, m.status, m.missing_years,
      m.admitted_on::text, e.founded_on::text, m.status_reason, m.valid_from::text, m.valid_until::text,
      (select string_agg(d.year::text, ',') from declarations d
        where d.enterprise_id = m.enterprise_id and d.year between ${year - exitMissingYears + 1} and ${year}) as years
    from pool_memberships m join enterprises e on e.id = m.enterprise_id
    where m.status in ('active', 'warned')
    order by m.id`)
  const members: SimulationMember[] = memberRows.map(r => ({
    id: r.id, enterpriseId: r.enterprise_id, enterpriseName: r.name, uscc: r.uscc, programCode: r.program_code, currentTier: r.current_tier,
    status: r.status as 'active' | 'warned', missingYears: Number(r.missing_years), admittedOn: r.admitted_on, foundedOn: r.founded_on,
    declaredYears: r.years == null ? [] : r.years.split(',').map(Number),
    statusReason: r.status_reason, validFrom: r.valid_from, validUntil: r.valid_until, priorDeclarations: {}
  }))
  // The members' earlier declarations a failure streak can reach (re-evaluation checks each year's gates).
  const prior = await queryRows<{ enterprise_id: string, year: number, tier_code: string, operating_revenue: string, rd_expense: string }>(tx, sql`
    select d.enterprise_id::text, d.year, d.tier_code, d.operating_revenue::text, d.rd_expense::text from declarations d
    where d.year between ${year - exitMissingYears + 1} and ${year - 1}
      and d.enterprise_id in (select m.enterprise_id from pool_memberships m where m.status in ('active', 'warned'))`)
  const byFirm = new Map<string, Record<number, { tierCode: string, operatingRevenue: string, rdExpense: string }>>()
  for (const r of prior) {
    const years = byFirm.get(r.enterprise_id) ?? {}
    years[Number(r.year)] = { tierCode: r.tier_code, operatingRevenue: r.operating_revenue, rdExpense: r.rd_expense }
    byFirm.set(r.enterprise_id, years)
  }
  for (const m of members) m.priorDeclarations = byFirm.get(m.enterpriseId) ?? {}
  const memberships = await queryRows<{ enterpriseId: string, programCode: string }>(tx, sql`
    select enterprise_id::text as "enterpriseId", program_code as "programCode" from pool_memberships
    where status = any(string_to_array(${LIVE_STATUSES.join(',')}, ','))`)
  const callRows = await queryRows<{ id: string, title: string, program_code: string, rubric_id: string }>(tx, sql`
    select id::text, title, program_code, rubric_id::text from calls where year = ${year} order by opens_at, id`)
  const rubricRows = callRows.length === 0 ? [] : await tx.select().from(rubrics)
  const calls = callRows.map(c => ({
    id: c.id, title: c.title, program: c.program_code, rubric: rubricOf(rubricRows.find(r => r.id === c.rubric_id) as typeof rubrics.$inferSelect)
  }))
  const appRows = callRows.length === 0
    ? []
    : await queryRows<{ id: string, call_id: string, enterprise_id: string, state: string, snapshot: ApplicationSnapshot, score: ApplicationScore | null }>(tx, sql`
      select a.id::text, a.call_id::text, a.enterprise_id::text, a.state, a.snapshot, a.score
      from applications a join calls c on c.id = a.call_id
      where c.year = ${year} and a.snapshot is not null and a.state not in ('draft', 'withdrawn')
      order by a.id`)
  const applications: SimulationApplication[] = appRows.map(a => {
    // postgres.js hands jsonb over parsed; be strict about it either way.
    const snapshot = (typeof a.snapshot === 'string' ? JSON.parse(a.snapshot) : a.snapshot) as ApplicationSnapshot
    const score = (typeof a.score === 'string' ? JSON.parse(a.score) : a.score) as ApplicationScore | null
    return { id: a.id, callId: a.call_id, enterpriseId: a.enterprise_id, firmName: snapshot.enterprise.name, state: a.state, snapshot, score }
  })
  return { members, memberships, calls, applications }
}

function summaryParts (row: SimulationRow): Part[] {
  return partsOf(row.proposal as Partial<Record<Part, unknown>>)
}

/** A stored simulation as `user` may see it: exact for officers and administrators, the aggregate view for analysts. */
async function view (db: Db, user: Principal, row: SimulationRow, currentFingerprint?: string): Promise<SimulationView> {
  const stored = row.result as SimulationResult
  const aggregate = user.role === 'analyst'
  const result = aggregate ? aggregateView(stored) : stored
  const fingerprint = currentFingerprint ?? (await policyInForce(db)).fingerprint
  return {
    ...result,
    id: row.id,
    year: row.year,
    state: row.state as SimulationState,
    stale: row.state === 'simulated' && fingerprint !== row.policyFingerprint,
    createdAt: row.createdAt.toISOString(),
    createdByRole: row.createdByRole,
    adoptedAt: row.adoptedAt?.toISOString() ?? null,
    parts: summaryParts(row),
    proposal: row.proposal as Record<string, unknown>,
    disclosure: aggregate ? 'aggregate' : 'exact',
    adoption: (row.adoption ?? null) as SimulationView['adoption']
  } as SimulationView
}

function assertMayRead (user: Principal): void {
  if (!SIMULATING_ROLES.includes(user.role)) throw errors.forbidden()
}

/** Runs a simulation and stores it (the only row written). */
export async function runSimulation (db: Db, user: Principal, body: SimulationBody): Promise<SimulationView> {
  assertMayRead(user)
  // One snapshot for everything read: the figures, the pool and the policy fingerprint agree.
  const { row, fingerprint } = await inTransaction(db, async (tx) => {
    const proposal = await checkProposal(tx, user, body)
    const { policy, fingerprint } = await policyInForce(tx)
    const firms = await loadFirms(tx, body.year)
    const after = proposedTiers(firms, body.year, proposal)
    await loadDetails(tx, firms, firmsNeedingDetails(firms, after, proposal))
    const year = await loadYear(tx, body.year, policy.exitMissingYears)
    const sums = await tierSums(tx, body.year, { inTransaction: true })
    const result = simulatePolicy({ year: body.year, firms, after, ...year, current: policy, proposal, tierSums: sums })
    const [row] = await tx.insert(policySimulations).values({
      year: body.year,
      proposal: JSON.parse(JSON.stringify(body)),
      policyFingerprint: fingerprint,
      result,
      createdBy: user.id,
      createdByRole: user.role
    }).returning()
    return { row, fingerprint }
  }, { isolationLevel: 'repeatable read' })
  return await view(db, user, row, fingerprint)
}

export async function getSimulation (db: Db, user: Principal, id: string): Promise<SimulationView> {
  assertMayRead(user)
  const [row] = await db.select().from(policySimulations).where(eq(policySimulations.id, id))
  if (row == null) throw errors.notFound()
  return await view(db, user, row)
}

export async function listSimulations (db: Db, user: Principal, q: { limit: number, cursor?: string, year?: number }) {
  assertMayRead(user)
  const after = decodeCursor<{ c: string, id: string }>(q.cursor, ['c', 'id'])
  const where: SQL[] = []
  if (q.year != null) where.push(eq(policySimulations.year, q.year))
  if (after != null) where.push(sql`(${policySimulations.createdAt}, ${policySimulations.id}) < (${cursorInstant(after.c)}::timestamptz, ${after.id}::uuid)`)
  const rows = await db.select({
    id: policySimulations.id, year: policySimulations.year, state: policySimulations.state, createdAt: policySimulations.createdAt,
    createdByRole: policySimulations.createdByRole, proposal: policySimulations.proposal,
    tiersChanged: sql<number>`(${policySimulations.result}->'tiers'->>'changed')::int`
  }).from(policySimulations).where(and(...where))
    .orderBy(desc(policySimulations.createdAt), desc(policySimulations.id)).limit(q.limit + 1)
  const p = page(rows, q.limit, r => ({ c: r.createdAt.toISOString(), id: r.id }))
  return {
    items: p.items.map(r => ({
      id: r.id, year: r.year, state: r.state as SimulationState, createdAt: r.createdAt.toISOString(), createdByRole: r.createdByRole,
      parts: partsOf(r.proposal as Partial<Record<Part, unknown>>), tiersChanged: Number(r.tiersChanged ?? 0)
    })),
    nextCursor: p.nextCursor
  }
}

/**
 * Adopts exactly the simulated proposal, in one transaction, through the
 * services of the admin endpoints (their validation and audit entries), then
 * reclassifies the simulated year when the tier rules changed. 409
 * STALE_SIMULATION when the policy in force is no longer the one the
 * simulation read; 409 INVALID_STATE when it was adopted already.
 */
export async function adoptSimulation (db: Db, user: Principal, id: string, ctx: AuditContext): Promise<SimulationView> {
  if (user.role !== 'admin') throw errors.forbidden()
  const row = await inTransaction(db, async (tx) => {
    // Hold every policy writer off until the fingerprint is checked and the new policy is in.
    await tx.execute(sql`lock table tier_rules, plan_targets, rubrics in exclusive mode`)
    await lockPolicyValues(tx, ['eligibility_gates', 'pool_exit_missing_years'])
    const [sim] = await tx.select().from(policySimulations).where(eq(policySimulations.id, id)).for('update')
    if (sim == null) throw errors.notFound()
    const next = simulationTransition(sim.state as SimulationState, 'adopt')
    const { fingerprint } = await policyInForce(tx)
    if (fingerprint !== sim.policyFingerprint) throw errors.staleSimulation()
    const body = sim.proposal as SimulationBody
    const rules = tierRuleViews(body)
    if (rules != null) await replaceTierRules(tx, ctx, rules)
    if (body.eligibilityGates != null) await replaceEligibilityGates(tx, body.eligibilityGates as EligibilityGates, ctx)
    const rubric = body.rubric == null ? null : await createRubricVersion(tx, body.rubric, ctx)
    if (body.targets != null) {
      // A simulated set is the city's targets (simulations measure the city): the districts' own stay unless it names some.
      const kept = body.targets.some(x => x.district != null)
        ? []
        : (await listTargets(tx)).filter(x => x.district != null).map(({ unit: _unit, ...x }) => x)
      await replaceTargets(tx, [...body.targets, ...kept], ctx)
    }
    const recompute = rules == null ? null : await recomputeTiers(tx, ctx, sim.year)
    const adoption = {
      recomputed: recompute == null ? null : { year: recompute.year, examined: recompute.examined, changed: recompute.changed },
      rubricId: rubric?.id ?? null
    }
    const [updated] = await tx.update(policySimulations).set({ state: next, adoptedBy: user.id, adoptedAt: new Date(), adoption })
      .where(eq(policySimulations.id, id)).returning()
    await recordAudit(tx, ctx, {
      action: 'simulation.adopt', objectType: 'policy_simulation', objectId: id,
      before: { state: sim.state, policyFingerprint: sim.policyFingerprint }, after: { state: next, parts: summaryParts(sim), ...adoption }
    })
    return updated
  })
  return await view(db, user, row)
}
