/**
 * Loads the synthetic industry (industry.ts) and its grading history
 * (grading.ts) into a database: COPY on PostgreSQL and multi-row INSERTs on
 * PGlite, in one transaction, with the analytics triggers switched off for
 * the load; the rollup's rows are written from the generated data and summed
 * at the end.
 */
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { asc, desc, sql } from 'drizzle-orm'
import { queryRows, type Database, type Db } from '../../db/client.ts'
import { programs as programsTable, rubrics as rubricsTable, tierRules as tierRulesTable } from '../../db/schema/index.ts'
import { tierRank } from '../../server/domain/tiers.ts'
import { loadEligibilityGates } from '../../server/services/applications.ts'
import { policyNumber } from '../../server/services/policy.ts'
import { rubricOf } from '../../server/services/rubrics.ts'
import { fromFen } from '../../server/domain/money.ts'
import { hashPassword } from '../../server/lib/passwords.ts'
import { callRows, COLUMNS, GradingHistory, type FirmGrading, type GradingCounts, type GradingPolicy, type ProgramCode } from './grading.ts'
import { generateIndustry, type SyntheticFirm } from './industry.ts'
import { DEMO_ACCOUNTS, FIRM_PASSWORD, SeedRefused, firmEmail, type SeedOptions } from './options.ts'
import { rng, uuidFrom } from './random.ts'

// ---------------------------------------------------------------- loading

type Cell = string | number | bigint | null

/** Writes rows to a table: COPY on PostgreSQL, multi-row INSERT on PGlite. */
interface BulkSink {
  write: (table: string, columns: string[], rows: Iterable<Cell[]>) => Promise<number>
}

const copyText = (v: Cell) => v == null ? '\\N' : String(v).replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r')
const sqlLiteral = (v: Cell) => v == null ? 'NULL' : typeof v === 'string' ? `'${v.replace(/'/g, "''")}'` : String(v)

function copySink (tx: import('postgres').TransactionSql): BulkSink {
  return {
    async write (table, columns, rows) {
      let count = 0
      const writable = await tx.unsafe(`copy ${table} (${columns.join(', ')}) from stdin`).writable()
      async function * lines () {
        let chunk: string[] = []
        for (const row of rows) {
          chunk.push(row.map(copyText).join('\t') + '\n')
          count++
          if (chunk.length === 2000) { yield chunk.join(''); chunk = [] }
        }
        if (chunk.length > 0) yield chunk.join('')
      }
      await pipeline(Readable.from(lines()), writable)
      return count
    }
  }
}

function insertSink (tx: Db): BulkSink {
  return {
    async write (table, columns, rows) {
      let count = 0
      let chunk: string[] = []
      const flush = async () => {
        if (chunk.length === 0) return
        await tx.execute(sql.raw(`insert into ${table} (${columns.join(', ')}) values ${chunk.join(',')}`))
        chunk = []
      }
      for (const row of rows) {
        chunk.push('(' + row.map(sqlLiteral).join(',') + ')')
        count++
        if (chunk.length === 1000) await flush()
      }
      await flush()
      return count
    }
  }
}

export interface SeedSummary {
  firms: number
  declarations: number
  members: number
  users: number
  calls: number
  applications: number
  reviews: number
  /** Applications by final state. */
  applicationsByState: GradingCounts['byState']
  /** Firm 0's application in the open call (under review, or ineligible): an owner's read for benchmarks. */
  sampleApplication: { email: string, id: string } | null
  seconds: number
  /** First year: firms declaring, above-scale-or-higher firms and their revenue, employees. */
  baseline: { year: number, firms: number, aboveScale: number, aboveScaleRevenue: string, employees: number }
}

/** True when the registry already has firms: the seed then needs --force. */
export async function registryIsEmpty (db: Db): Promise<boolean> {
  const [row] = await queryRows<{ any: boolean }>(db, sql`select exists (select 1 from enterprises) as any`)
  return !row.any
}

/** The policy the grading history follows, read from the database: gates, each program's latest rubric, policy numbers. */
async function gradingPolicy (db: Db): Promise<Omit<GradingPolicy, 'officerId' | 'reviewerIds'>> {
  const rubricRows = await db.select().from(rubricsTable).orderBy(asc(rubricsTable.programCode), desc(rubricsTable.version))
  const rubrics: GradingPolicy['rubrics'] = {}
  for (const row of rubricRows) rubrics[row.programCode] ??= { id: row.id, rubric: rubricOf(row) }
  const programs = await db.select({ code: programsTable.code, nameZh: programsTable.nameZh }).from(programsTable)
  return {
    gates: await loadEligibilityGates(db),
    rubrics,
    programNames: Object.fromEntries(programs.map(p => [p.code, p.nameZh])),
    disagreementPoints: await policyNumber(db, 'review_disagreement_points', 15),
    noticePeriodDays: await policyNumber(db, 'notice_period_days', 7)
  }
}

/**
 * Seeds `database`. Refuses a database that already has firms unless
 * opts.force, which first empties the registry (firms, accounts other than
 * administrators, declarations, pool, calls and everything that hangs off
 * them). The audit trail is append-only and stays.
 */
export async function seedDatabase (database: Database, opts: SeedOptions, log: (line: string) => void = () => {}): Promise<SeedSummary> {
  const started = Date.now()
  const now = opts.now ?? new Date()
  const db = database.db
  const replace = !(await registryIsEmpty(db))
  if (replace && !opts.force) throw new SeedRefused('the database already has firms; run with --force to replace them (the audit trail is kept)')
  const rules = (await db.select().from(tierRulesTable)).map(r => ({ ...r, minRevenue: String(r.minRevenue) }))
  const policy = await gradingPolicy(db)
  const firmHash = await hashPassword(FIRM_PASSWORD)
  const demoIds = rng(opts.seed ^ 0xde70)
  const demo = await Promise.all(DEMO_ACCOUNTS.map(async a => ({ ...a, id: uuidFrom(demoIds), hash: await hashPassword(a.password) })))

  const summary: SeedSummary = {
    firms: 0, declarations: 0, members: 0, users: 0, calls: 0, applications: 0, reviews: 0, applicationsByState: {}, sampleApplication: null, seconds: 0,
    baseline: { year: opts.fromYear, firms: 0, aboveScale: 0, aboveScaleRevenue: '0.00', employees: 0 }
  }
  let baselineRevenue = 0n
  const progressEvery = Math.max(1000, Math.floor(opts.firms / 10))

  const load = async (sink: BulkSink, exec: (q: string) => Promise<unknown>, query: (q: string) => Promise<Array<Record<string, unknown>>>) => {
    if (replace) {
      log('--force: emptying the registry (administrators, rubrics and the audit trail stay)')
      // TRUNCATE … CASCADE also empties every table that references firms or accounts (calls,
      // applications, reviews, conflicts, notices …); administrators and rubrics are put back.
      await exec('create temp table keep_admins on commit drop as select * from users where role = \'admin\'')
      await exec('create temp table keep_rubrics on commit drop as select * from rubrics')
      await exec('truncate enterprises, users, pool_evaluations, analytics_firm_years, analytics_cells, analytics_totals, idempotency_keys, revoked_tokens cascade')
      await exec('insert into users select * from keep_admins')
      await exec('update keep_rubrics set created_by = null where created_by is not null and created_by not in (select id from keep_admins)')
      await exec('insert into rubrics select * from keep_rubrics on conflict do nothing')
    }
    // Skip the per-row analytics triggers during the load (the rollup is rebuilt once at the end).
    // Inside the transaction: a failed load rolls this back too. Calls, applications and reviews
    // have no triggers; pool memberships feed the rollup through the generated program below.
    await exec('alter table declarations disable trigger analytics_declarations')
    await exec('alter table enterprise_domains disable trigger analytics_enterprise_domains')
    await exec('alter table pool_memberships disable trigger analytics_pool_memberships')
    // Demo staff first: the officer opens the calls and decides, the reviewers review.
    for (const a of demo) {
      await exec(`insert into users (id, email, name, password_hash, role, employer_uscc) values (${sqlLiteral(a.id)}, ${sqlLiteral(a.email)}, ${sqlLiteral(a.name)}, ${sqlLiteral(a.hash)}, ${sqlLiteral(a.role)}, NULL) on conflict (email) do nothing`)
    }
    summary.users += demo.length
    const staff = new Map((await query(`select email, id from users where email in (${demo.map(a => sqlLiteral(a.email)).join(', ')})`)).map(u => [String(u.email), String(u.id)]))
    const staffId = (role: string) => demo.filter(a => a.role === role).map(a => staff.get(a.email) as string)
    const officerId = staffId('officer')[0]
    const ids = rng(opts.seed ^ 0x6ade1d)
    const history = new GradingHistory(opts, { ...policy, officerId, reviewerIds: staffId('reviewer') }, rng(opts.seed ^ 0x6ade), () => uuidFrom(ids), now)
    summary.calls = await sink.write('calls', [...COLUMNS.calls], callRows(history.calls, officerId))

    // Firms go in batches: generate, then copy each table's rows for the batch.
    const batchSize = 10_000
    const generator = generateIndustry(opts, rules)
    const r = rng(opts.seed ^ 0x5eed)
    for (;;) {
      const batch: SyntheticFirm[] = []
      for (let i = 0; i < batchSize; i++) {
        const next = generator.next()
        if (next.done === true) break
        batch.push(next.value)
      }
      if (batch.length === 0) break
      await sink.write('enterprises', ['id', 'uscc', 'name', 'district_code', 'founded_on'],
        batch.map(f => [f.id, f.uscc, f.name, f.district, f.foundedOn]))
      await sink.write('enterprise_domains', ['enterprise_id', 'domain_code'],
        batch.flatMap(f => f.domains.map(d => [f.id, d])))
      summary.users += await sink.write('users', ['id', 'email', 'name', 'password_hash', 'role', 'enterprise_id', 'firm_role'],
        batch.map(f => [f.userId, firmEmail(f.index), f.name, firmHash, 'enterprise', f.id, 'owner']))
      summary.declarations += await sink.write('declarations', [
        'id', 'enterprise_id', 'year', 'operating_revenue', 'software_revenue', 'rd_expense', 'export_revenue', 'main_business_revenue',
        'total_assets', 'total_liabilities', 'employees', 'rd_staff', 'patents', 'software_copyrights', 'tier_code'
      ], (function * () {
        for (const f of batch) {
          for (const [year, y] of f.years) {
            yield [y.id, f.id, year, fromFen(y.revenueFen), fromFen(y.softwareFen), fromFen(y.rdFen), fromFen(y.exportFen), fromFen(y.mainFen),
              fromFen(y.assetsFen), fromFen(y.liabilitiesFen), y.employees, y.rdStaff, y.patents, y.copyrights, y.tier]
          }
        }
      })())
      // The calls: pool members were admitted by the first year's call on the first year's figures, a
      // draw among the firms its gates let in; other firms applied now and then (GradingHistory).
      const grading: FirmGrading[] = []
      const programOf = new Map<string, string>()
      for (const f of batch) {
        const y = f.years.get(opts.fromYear)
        let admittedTo: ProgramCode | null = null
        if (y != null) {
          admittedTo = history.admissionProgram(f, r())
          summary.baseline.firms++
          summary.baseline.employees += y.employees
          if (tierRank(y.tier) >= tierRank('above_scale')) { summary.baseline.aboveScale++; baselineRevenue += y.revenueFen }
        }
        const g = history.firm(f, admittedTo)
        grading.push(g)
        programOf.set(f.id, g.program)
      }
      await sink.write('applications', [...COLUMNS.applications], grading.flatMap(g => g.applications))
      await sink.write('reviews', [...COLUMNS.reviews], grading.flatMap(g => g.reviews))
      await sink.write('reviewer_conflicts', [...COLUMNS.conflicts], grading.flatMap(g => g.conflicts))
      summary.members += await sink.write('pool_memberships', [...COLUMNS.memberships], grading.flatMap(g => g.memberships))
      await sink.write('public_notices', [...COLUMNS.notices], grading.flatMap(g => g.notices))
      // The analytics rollup's firm-year rows, straight from the generator (what analytics_rebuild() would derive).
      await sink.write('analytics_firm_years', [
        'enterprise_id', 'year', 'tier_code', 'district_code', 'program_code', 'domains', 'operating_revenue', 'software_revenue', 'rd_expense', 'employees'
      ], (function * () {
        for (const f of batch) {
          const domains = `{${f.domains.join(',')}}`
          const program = programOf.get(f.id) ?? ''
          for (const [year, y] of f.years) {
            yield [f.id, year, y.tier, f.district, program, domains, fromFen(y.revenueFen), fromFen(y.softwareFen), fromFen(y.rdFen), y.employees]
          }
        }
      })())
      summary.firms += batch.length
      if (summary.firms % progressEvery < batchSize || batch.length < batchSize) {
        log(`  ${summary.firms.toLocaleString('en')} / ${opts.firms.toLocaleString('en')} firms, ${summary.declarations.toLocaleString('en')} declarations, ${history.counts.applications.toLocaleString('en')} applications (${((Date.now() - started) / 1000).toFixed(1)} s)`)
      }
    }
    summary.applications = history.counts.applications
    summary.reviews = history.counts.reviews
    summary.applicationsByState = history.counts.byState
    summary.sampleApplication = history.sampleApplicationId == null ? null : { email: firmEmail(0), id: history.sampleApplicationId }
    await exec('alter table declarations enable trigger analytics_declarations')
    await exec('alter table enterprise_domains enable trigger analytics_enterprise_domains')
    await exec('alter table pool_memberships enable trigger analytics_pool_memberships')
    log('  summing the analytics cells')
    await exec(`insert into analytics_cells (year, tier_code, district_code, program_code, domains, firms, operating_revenue, software_revenue, rd_expense, employees)
      select year, tier_code, district_code, program_code, domains, count(*)::int, sum(operating_revenue), sum(software_revenue), sum(rd_expense), sum(employees)::bigint
      from analytics_firm_years group by year, tier_code, district_code, program_code, domains`)
    await exec('select analytics_sum_totals()')
  }

  if (database.kind === 'postgres' && database.raw != null) {
    await database.raw.begin(async (tx) => {
      // Where the role may (a superuser, as on a development machine), skip the foreign-key checks
      // for the load: the generator's rows are consistent by construction. Elsewhere they just run.
      await tx.savepoint(async (sp) => await sp.unsafe('set local session_replication_role = replica')).catch(() => {})
      await load(copySink(tx), async (q) => await tx.unsafe(q), async (q) => await tx.unsafe(q))
    })
    await database.raw.unsafe('analyze')
  } else {
    await db.transaction(async (t) => {
      const tx = t as unknown as Db
      await load(insertSink(tx), async (q) => await tx.execute(sql.raw(q)), async (q) => await queryRows(tx, sql.raw(q)))
    })
  }
  summary.baseline.aboveScaleRevenue = fromFen(baselineRevenue)
  summary.seconds = (Date.now() - started) / 1000
  return summary
}
