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
import { seedFunds, type FundSeedCounts } from './funds.ts'
import { generateIndustry, type SyntheticFirm } from './industry.ts'
import { DEMO_ACCOUNTS, FIRM_PASSWORD, SeedRefused, firmEmail, type SeedOptions } from './options.ts'
import { rng, uuidFrom } from './random.ts'

// ---------------------------------------------------------------- loading

type Cell = string | number | bigint | null

/**
 * A row: its cells, or already as one line of COPY's text format (cells
 * joined by tabs, \N for null) when none of its cells needs escaping (ids,
 * numbers, amounts, codes): the ten million declarations and firm-years go
 * that way, without an array and an escape check per cell.
 */
type Row = Cell[] | string

/** Writes rows to a table: COPY on PostgreSQL, multi-row INSERT on PGlite. */
interface BulkSink {
  write: (table: string, columns: string[], rows: Iterable<Row>) => Promise<number>
}

const COPY_SPECIAL = /[\\\t\n\r]/
const copyText = (v: Cell) => v == null
  ? '\\N'
  : typeof v !== 'string' ? String(v) : !COPY_SPECIAL.test(v) ? v : v.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r')
const sqlLiteral = (v: Cell) => v == null ? 'NULL' : typeof v === 'string' ? `'${v.replace(/'/g, "''")}'` : String(v)

function copySink (tx: import('postgres').TransactionSql): BulkSink {
  return {
    async write (table, columns, rows) {
      let count = 0
      const writable = await tx.unsafe(`copy ${table} (${columns.join(', ')}) from stdin`).writable()
      async function * lines () {
        let chunk: string[] = []
        for (const row of rows) {
          if (typeof row === 'string') {
            chunk.push(row + '\n')
          } else {
            // One string per row, no intermediate arrays: the seed formats tens of millions of cells.
            let line = copyText(row[0])
            for (let i = 1; i < row.length; i++) line += '\t' + copyText(row[i])
            chunk.push(line + '\n')
          }
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

/** What runs around the bulk of the load (PostgreSQL: the indexes are set aside and rebuilt). */
interface BulkHooks {
  beforeBulk: () => Promise<void>
  afterBulk: (log: (line: string) => void) => Promise<void>
}
const NO_HOOKS: BulkHooks = { beforeBulk: async () => {}, afterBulk: async () => {} }

/** The tables the firms' batches fill. */
const BULK_TABLES = ['enterprises', 'enterprise_domains', 'users', 'declarations', 'applications', 'reviews', 'reviewer_conflicts', 'pool_memberships', 'public_notices', 'analytics_firm_years']

/**
 * Indexes built once after the load instead of row by row during it (for
 * ten million declarations under random UUIDs, maintaining the indexes row
 * by row is most of the load's cost). Inside the load's transaction: each
 * index and unique or primary-key constraint of the bulk tables is dropped
 * before the batches and created again after them, with the same definition
 * (pg_get_indexdef, pg_get_constraintdef), so a duplicate still fails the
 * seed and rolls everything back. Kept in place: the keys that foreign keys
 * of the bulk tables point at (the firms' and accounts' ids: dropping them
 * would mean re-checking those foreign keys over millions of rows). Foreign
 * keys from other tables (empty in a seed) to a dropped key are dropped and
 * added again, which checks them.
 */
function indexesAfterLoad (tx: import('postgres').TransactionSql, tables: string[]): BulkHooks {
  let indexes: Array<{ table: string, index: string, def: string, constraint: string | null, condef: string | null }> = []
  let foreign: Array<{ table: string, name: string, def: string }> = []
  return {
    async beforeBulk () {
      indexes = await tx`
        select c.relname as "table", i.indexrelid::regclass::text as index, pg_get_indexdef(i.indexrelid) as def,
               con.conname as constraint, case when con.oid is null then null else pg_get_constraintdef(con.oid) end as condef
        from pg_index i
        join pg_class c on c.oid = i.indrelid and c.relnamespace = 'public'::regnamespace
        left join pg_constraint con on con.conindid = i.indexrelid and con.conrelid = i.indrelid and con.contype in ('p', 'u', 'x')
        where c.relname = any(${tables})
          and not exists (
            select 1 from pg_constraint f join pg_class fc on fc.oid = f.conrelid
            where f.contype = 'f' and f.conindid = i.indexrelid and fc.relname = any(${tables}))
        order by c.relname, i.indexrelid`
      foreign = await tx`
        select f.conrelid::regclass::text as "table", f.conname as name, pg_get_constraintdef(f.oid) as def
        from pg_constraint f where f.contype = 'f' and f.conindid = any(${indexes.map(i => i.index)}::regclass[])`
      for (const f of foreign) await tx.unsafe(`alter table ${f.table} drop constraint ${f.name}`)
      for (const i of indexes) {
        await tx.unsafe(i.constraint != null ? `alter table ${i.table} drop constraint ${i.constraint}` : `drop index ${i.index}`)
      }
    },
    async afterBulk (log) {
      const started = Date.now()
      // Sorting for the builds in memory, with the parallel workers the server allows.
      await tx.unsafe("set local maintenance_work_mem = '512MB'")
      for (const i of indexes) {
        await tx.unsafe(i.constraint != null ? `alter table ${i.table} add constraint ${i.constraint} ${i.condef!}` : i.def)
      }
      for (const f of foreign) await tx.unsafe(`alter table ${f.table} add constraint ${f.name} ${f.def}`)
      log(`  ${indexes.length} indexes and keys built, ${foreign.length} foreign keys checked (${((Date.now() - started) / 1000).toFixed(1)} s)`)
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
        // A COPY line's cells as quoted literals (PostgreSQL casts '12.50' to the column's type).
        const cells: Cell[] = typeof row === 'string' ? row.split('\t').map(v => v === '\\N' ? null : v) : row
        chunk.push('(' + cells.map(sqlLiteral).join(',') + ')')
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
  /** The demo's support funds, their awards and payments (funds.ts). */
  funds: FundSeedCounts
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
    funds: { funds: 0, awards: 0, payments: 0 },
    baseline: { year: opts.fromYear, firms: 0, aboveScale: 0, aboveScaleRevenue: '0.00', employees: 0 }
  }
  let baselineRevenue = 0n
  const progressEvery = Math.max(1000, Math.floor(opts.firms / 10))

  const load = async (sink: BulkSink, exec: (q: string) => Promise<unknown>, query: (q: string) => Promise<Array<Record<string, unknown>>>, hooks: BulkHooks = NO_HOOKS) => {
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
    // The year stamps (migration 0024) are moved once for every year after the load instead of per statement.
    await exec('alter table analytics_firm_years disable trigger analytics_firm_years_inserted')
    // Demo staff first: the officer opens the calls and decides, the reviewers review.
    for (const a of demo) {
      const district = 'districtCode' in a ? sqlLiteral(a.districtCode) : 'NULL'
      await exec(`insert into users (id, email, name, password_hash, role, employer_uscc, district_code) values (${sqlLiteral(a.id)}, ${sqlLiteral(a.email)}, ` +
        `${sqlLiteral(a.name)}, ${sqlLiteral(a.hash)}, ${sqlLiteral(a.role)}, NULL, ${district}) on conflict ((lower(email))) where email_confirmed_at is not null do nothing`)
    }
    summary.users += demo.length
    const staff = new Map((await query(`select email, id from users where email in (${demo.map(a => sqlLiteral(a.email)).join(', ')})`)).map(u => [String(u.email), String(u.id)]))
    const staffId = (role: string) => demo.filter(a => a.role === role).map(a => staff.get(a.email) as string)
    const officerId = staffId('officer')[0]
    const ids = rng(opts.seed ^ 0x6ade1d)
    const history = new GradingHistory(opts, { ...policy, officerId, reviewerIds: staffId('reviewer') }, rng(opts.seed ^ 0x6ade), () => uuidFrom(ids), now)
    summary.calls = await sink.write('calls', [...COLUMNS.calls], callRows(history.calls, officerId))

    // Firms go in batches of 10,000: while one batch's rows stream into the database, the next
    // is generated (the generation yields to the event loop, so the COPY keeps flowing).
    const batchSize = 10_000
    const generator = generateIndustry(opts, rules)
    const r = rng(opts.seed ^ 0x5eed)
    const tick = async () => await new Promise<void>(resolve => setImmediate(resolve))
    // analytics_cells: one per (year, tier, district, program, domains), as analytics_rebuild() would sum them.
    const cells = new Map<string, { year: number, tier: string, district: string, program: string, domains: string, firms: number, revenueFen: bigint, softwareFen: bigint, rdFen: bigint, employees: number }>()
    type Table = [table: string, columns: string[], rows: Iterable<Row>, count?: 'users' | 'declarations' | 'members']
    const DECLARATION_COLUMNS = [
      'id', 'enterprise_id', 'year', 'operating_revenue', 'software_revenue', 'rd_expense', 'export_revenue', 'main_business_revenue',
      'total_assets', 'total_liabilities', 'employees', 'rd_staff', 'patents', 'software_copyrights', 'tier_code'
    ]
    const FIRM_YEAR_COLUMNS = [
      'enterprise_id', 'year', 'tier_code', 'district_code', 'program_code', 'domains', 'operating_revenue', 'software_revenue', 'rd_expense', 'employees',
      'export_revenue'
    ]
    // The declarations and the rollup's firm-years, as COPY lines (Row): uuids, numbers, amounts and codes need no escaping.
    const firmYearTables = (batch: SyntheticFirm[], programOf: Map<string, string>): [Table, Table] => [
      ['declarations', DECLARATION_COLUMNS, (function * () {
        for (const f of batch) {
          for (const [year, y] of f.years) {
            yield `${y.id}\t${f.id}\t${year}\t${fromFen(y.revenueFen)}\t${fromFen(y.softwareFen)}\t${fromFen(y.rdFen)}\t${fromFen(y.exportFen)}\t` +
              `${fromFen(y.mainFen)}\t${fromFen(y.assetsFen)}\t${fromFen(y.liabilitiesFen)}\t${y.employees}\t${y.rdStaff}\t${y.patents}\t${y.copyrights}\t${y.tier}`
          }
        }
      })(), 'declarations'],
      ['analytics_firm_years', FIRM_YEAR_COLUMNS, (function * () {
        for (const f of batch) {
          const domains = `{${f.domains.join(',')}}`
          const program = programOf.get(f.id) ?? ''
          for (const [year, y] of f.years) {
            yield `${f.id}\t${year}\t${y.tier}\t${f.district}\t${program}\t${domains}\t${fromFen(y.revenueFen)}\t${fromFen(y.softwareFen)}\t` +
              `${fromFen(y.rdFen)}\t${y.employees}\t${fromFen(y.exportFen)}`
          }
        }
      })()]
    ]
    const prepare = async (): Promise<{ firms: number, tables: Table[] } | null> => {
      const batch: SyntheticFirm[] = []
      for (let i = 0; i < batchSize; i++) {
        const next = generator.next()
        if (next.done === true) break
        batch.push(next.value)
        if (i % 200 === 199) await tick()
      }
      if (batch.length === 0) return null
      // The calls: pool members were admitted by the first year's call on the first year's figures, a
      // draw among the firms its gates let in; other firms applied now and then (GradingHistory).
      const grading: FirmGrading[] = []
      const programOf = new Map<string, string>()
      for (const [i, f] of batch.entries()) {
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
        programOf.set(f.id, g.liveProgram)
        const domains = `{${f.domains.join(',')}}`
        for (const [year, y] of f.years) {
          const key = `${year}|${y.tier}|${f.district}|${g.liveProgram}|${domains}`
          let c = cells.get(key)
          if (c == null) {
            c = { year, tier: y.tier, district: f.district, program: g.liveProgram, domains, firms: 0, revenueFen: 0n, softwareFen: 0n, rdFen: 0n, employees: 0 }
            cells.set(key, c)
          }
          c.firms++
          c.revenueFen += y.revenueFen
          c.softwareFen += y.softwareFen
          c.rdFen += y.rdFen
          c.employees += y.employees
        }
        if (i % 200 === 199) await tick()
      }
      const firmYears = firmYearTables(batch, programOf)
      return {
        firms: batch.length,
        tables: [
          // The first domain is the primary one (what domain shares of revenue count).
          ['enterprises', ['id', 'uscc', 'name', 'district_code', 'founded_on', 'primary_domain'],
            batch.map(f => [f.id, f.uscc, f.name, f.district, f.foundedOn, f.domains[0]])],
          ['enterprise_domains', ['enterprise_id', 'domain_code'], batch.flatMap(f => f.domains.map(d => [f.id, d]))],
          ['users', ['id', 'email', 'name', 'password_hash', 'role', 'enterprise_id', 'firm_role'],
            batch.map(f => [f.userId, firmEmail(f.index), f.name, firmHash, 'enterprise', f.id, 'owner']), 'users'],
          firmYears[0],
          ['applications', [...COLUMNS.applications], grading.flatMap(g => g.applications)],
          ['reviews', [...COLUMNS.reviews], grading.flatMap(g => g.reviews)],
          ['reviewer_conflicts', [...COLUMNS.conflicts], grading.flatMap(g => g.conflicts)],
          ['pool_memberships', [...COLUMNS.memberships], grading.flatMap(g => g.memberships), 'members'],
          ['public_notices', [...COLUMNS.notices], grading.flatMap(g => g.notices)],
          // The analytics rollup's firm-year rows, straight from the generator (what analytics_rebuild() would derive).
          firmYears[1]
        ]
      }
    }
    const write = async (prepared: { firms: number, tables: Table[] }): Promise<void> => {
      for (const [table, columns, rows, count] of prepared.tables) {
        const n = await sink.write(table, columns, rows)
        if (count != null) summary[count] += n
      }
      summary.firms += prepared.firms
      if (summary.firms % progressEvery < batchSize || prepared.firms < batchSize) {
        log(`  ${summary.firms.toLocaleString('en')} / ${opts.firms.toLocaleString('en')} firms, ${summary.declarations.toLocaleString('en')} declarations (${((Date.now() - started) / 1000).toFixed(1)} s)`)
      }
    }
    await hooks.beforeBulk()
    let writing: Promise<void> = Promise.resolve()
    for (;;) {
      const prepared = await prepare()
      await writing
      if (prepared == null) break
      writing = write(prepared)
      // Awaited on the next turn; until then a failure must not count as unhandled.
      writing.catch(() => {})
    }
    await hooks.afterBulk(log)
    summary.applications = history.counts.applications
    summary.reviews = history.counts.reviews
    summary.applicationsByState = history.counts.byState
    summary.sampleApplication = history.sampleApplicationId == null ? null : { email: firmEmail(0), id: history.sampleApplicationId }
    await exec('alter table declarations enable trigger analytics_declarations')
    await exec('alter table enterprise_domains enable trigger analytics_enterprise_domains')
    await exec('alter table pool_memberships enable trigger analytics_pool_memberships')
    await exec('alter table analytics_firm_years enable trigger analytics_firm_years_inserted')
    await exec(`insert into analytics_year_changes as c (year, shard, n) select y, 0, 1 from generate_series(${opts.fromYear}, ${opts.toYear}) y
      on conflict (year, shard) do update set n = c.n + 1`)
    const programNames = new Map((await query('select code, name_zh from programs')).map(p => [String(p.code), String(p.name_zh)]))
    summary.funds = await seedFunds(exec, query, opts, officerId, programNames)
    log(`  ${summary.funds.funds} funds, ${summary.funds.awards} awards, ${summary.funds.payments} payments`)
    // The rollup's cells, summed while the firm-years were generated (exact: money in fen as bigint).
    const cellCount = await sink.write('analytics_cells', ['year', 'tier_code', 'district_code', 'program_code', 'domains', 'firms', 'operating_revenue', 'software_revenue', 'rd_expense', 'employees'],
      (function * () {
        for (const c of cells.values()) yield [c.year, c.tier, c.district, c.program, c.domains, c.firms, fromFen(c.revenueFen), fromFen(c.softwareFen), fromFen(c.rdFen), c.employees]
      })())
    log(`  ${cellCount.toLocaleString('en')} analytics cells written; summing the totals`)
    await exec('select analytics_sum_totals()')
  }

  if (database.kind === 'postgres' && database.raw != null) {
    await database.raw.begin(async (tx) => {
      // Where the role may (a superuser, as on a development machine), skip the foreign-key checks
      // for the load: the generator's rows are consistent by construction. Elsewhere they just run.
      await tx.savepoint(async (sp) => await sp.unsafe('set local session_replication_role = replica')).catch(() => {})
      await load(copySink(tx), async (q) => await tx.unsafe(q), async (q) => await tx.unsafe(q), indexesAfterLoad(tx, BULK_TABLES))
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
