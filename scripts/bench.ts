// npm run bench [-- --duration 10 --connections 10 --firms 100000 --instances 2 --read-firms 6000] [-- --soak] [-- --only simulation]
//
// On PostgreSQL (DATABASE_URL): seeds the synthetic industry into the
// database if it has no firms, starts the service as a child process (two
// with --instances 2, the load spread over both) and the ceilings beside it
// (bare Fastify + raw postgres.js doing the same database work), and runs
// autocannon against each in turn. Prints req/s, p50 and p99 of each figure
// beside its ceiling, and the targets with their verdicts:
//   owner read ≥ 80% of the read ceiling (the firms' own applications, read in
//   turn over --read-firms firms: more than the service keeps replies for, so
//   each read does the whole work, as reads spread over a registry do);
//   audited declaration write ≥ 60% of the write ceiling (20 firms in turn,
//   every PUT new figures: a new version, its audit entry, the rollup);
//   writes over two instances with 8 connections faster than one with 4;
//   distribution and targets p99 < 20 ms, trend < 100 ms, simulation < 2 s.
// --soak: the owner read and the declaration write for 10 minutes with more
// connections than the database pool, req/s per minute.
// --only simulation: just the policy what-if case (POST /v1/admin/simulations
// on the latest full year, one request at a time, 5 runs after a warm-up).
// --only reads: the read ceiling, the owner read and /v1/me.
// --only analytics: distribution, targets and trend (first read, then a row of reads each), p99 < 50 ms.
// PEIYU_BENCH_PROFILE=<dir>: the service writes a V8 CPU profile there (node --cpu-prof).
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { createHash, randomBytes, randomUUID } from 'node:crypto'
import { cpus, loadavg } from 'node:os'
import { parseArgs } from 'node:util'
import autocannon from 'autocannon'
import { createSigner } from 'fast-jwt'
import { openDatabase } from '../db/client.ts'
import { loadConfig } from '../server/config.ts'
import { keyId } from '../server/lib/jwt-keys.ts'
import { registryIsEmpty, seedDatabase } from './seed/load.ts'
import { DEMO_ACCOUNTS, FIRM_PASSWORD, firmEmail } from './seed/options.ts'

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '10' },
    firms: { type: 'string', default: '100000' },
    soak: { type: 'boolean', default: false },
    'soak-minutes': { type: 'string', default: '10' },
    'ceiling-server': { type: 'boolean', default: false },
    only: { type: 'string' },
    instances: { type: 'string', default: '1' },
    'read-firms': { type: 'string', default: '6000' },
    port: { type: 'string', default: '0' }
  }
})
const databaseUrl = process.env.DATABASE_URL
if (databaseUrl == null) {
  console.error('npm run bench needs DATABASE_URL (PostgreSQL), e.g. DATABASE_URL=postgres://postgres@127.0.0.1:5432/peiyu_bench')
  process.exit(2)
}

// ---------------------------------------------------------------- the ceilings: bare Fastify + raw postgres.js
if (values['ceiling-server']) {
  await ceilingServer()
} else {
  await main()
}

/**
 * The ceilings: what the same database work costs with no framework features,
 * no authentication and no checks. The read ceiling reads the owner's whole
 * application row (what GET /v1/applications/:id reads) and sends it as JSON;
 * the write ceiling runs a declaration PUT's transaction — lock the firm, lock
 * the firm-year row, upsert it with the next version, one audit row with its
 * content hash — without the tier rules, the checks or the chain. The old
 * reference, one small row by primary key, stays beside them.
 */
async function ceilingServer (): Promise<void> {
  const { default: Fastify } = await import('fastify')
  const { default: postgres } = await import('postgres')
  const sql = postgres(databaseUrl!, { max: Number(process.env.DB_POOL_SIZE ?? 10), onnotice: () => {} })
  const app = Fastify({ logger: false })
  app.get('/ceiling/:id', async (request) => {
    const [row] = await sql`select id, name, district_code from enterprises where id = ${(request.params as { id: string }).id}`
    return row ?? {}
  })
  app.get('/ceiling/applications/:id', async (request, reply) => {
    const { id } = request.params as { id: string }
    const { firm } = request.query as { firm: string }
    const [row] = await sql`select * from applications where id = ${id} and enterprise_id = ${firm}`
    return row == null ? await reply.code(404).send({}) : row
  })
  app.put('/ceiling/declarations/:id/:year', async (request, reply) => {
    const { id } = request.params as { id: string }
    const year = Number((request.params as { year: string }).year)
    const f = request.body as Record<string, string | number>
    const out = await sql.begin(async (tx) => {
      await tx`select id from enterprises where id = ${id} for no key update`
      const [before] = await tx`select * from declarations where enterprise_id = ${id} and year = ${year} for update`
      const [after] = await tx`
        insert into declarations (enterprise_id, year, operating_revenue, software_revenue, rd_expense, export_revenue, employees, rd_staff, patents, software_copyrights, tier_code)
        values (${id}, ${year}, ${f.operatingRevenue}, ${f.softwareRevenue}, ${f.rdExpense}, ${f.exportRevenue}, ${f.employees}, ${f.rdStaff}, ${f.patents}, ${f.softwareCopyrights},
          (select tier_code from declarations where enterprise_id = ${id} order by year desc limit 1))
        on conflict (enterprise_id, year) do update set operating_revenue = excluded.operating_revenue, software_revenue = excluded.software_revenue,
          rd_expense = excluded.rd_expense, export_revenue = excluded.export_revenue, employees = excluded.employees, rd_staff = excluded.rd_staff,
          patents = excluded.patents, software_copyrights = excluded.software_copyrights, version = declarations.version + 1, updated_at = now()
        returning *`
      const at = new Date()
      const action = before == null ? 'declaration.create' : 'declaration.update'
      const contentHash = createHash('sha256').update(JSON.stringify({ at, action, id: after.id, before, after })).digest('hex')
      await tx`insert into audit_log (at, actor_role, action, object_type, object_id, before, after, content_hash)
        values (${at}, 'enterprise', ${action}, 'declaration', ${after.id}, ${before == null ? null : tx.json(before)}, ${tx.json(after)}, ${contentHash})`
      return { created: before == null, after }
    })
    return await reply.code(out.created ? 201 : 200).send(out.after)
  })
  await app.listen({ port: Number(values.port), host: '127.0.0.1' })
  process.send?.({ port: (app.server.address() as { port: number }).port })
  process.on('SIGTERM', () => { app.close().then(async () => await sql.end()).finally(() => process.exit(0)) })
}

async function startChild (args: string[], env: Record<string, string>): Promise<{ child: ChildProcess, port: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  const [msg] = await once(child, 'message') as [{ port: number }]
  return { child, port: msg.port }
}

/** The real app as a child process (its config from the environment plus `env`); resolves with its port. */
async function startService (env: Record<string, string>): Promise<{ child: ChildProcess, port: number }> {
  const code = `
    const { buildApp } = await import('./server/app.ts')
    const { loadConfig } = await import('./server/config.ts')
    const { config } = loadConfig()
    const app = await buildApp(config)
    await app.listen({ port: 0, host: '127.0.0.1' })
    process.send({ port: app.server.address().port })
    process.on('SIGTERM', () => app.close().then(() => process.exit(0)))`
  // PEIYU_BENCH_PROFILE=dir: the service writes a V8 CPU profile there when it stops (node --cpu-prof).
  const profile = process.env.PEIYU_BENCH_PROFILE == null ? [] : ['--cpu-prof', `--cpu-prof-dir=${process.env.PEIYU_BENCH_PROFILE}`]
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', '--input-type=module', '-e', code], {
    env: {
      ...process.env,
      LOG_LEVEL: 'silent',
      // Measure the service, not the abuse limits.
      RATE_LIMIT: '0',
      LOGIN_RATE_LIMIT: '100000',
      ADMIN_EMAIL: '',
      ADMIN_PASSWORD: '',
      ...env
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc']
  })
  const [msg] = await once(child, 'message') as [{ port: number }]
  return { child, port: msg.port }
}

async function stop (children: Array<{ child: ChildProcess }>): Promise<void> {
  await Promise.all(children.map(async ({ child }) => {
    if (child.exitCode != null || child.signalCode != null) return
    child.kill('SIGTERM')
    await once(child, 'exit')
  }))
}

interface Row { name: string, rps: number, p50: number, p99: number, errors: number }

async function run (name: string, opts: autocannon.Options): Promise<Row> {
  const result = await autocannon({ connections: Number(values.connections), duration: Number(values.duration), ...opts })
  const errors = result.non2xx + result.errors + result.timeouts
  return { name, rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, errors }
}

/**
 * Two rows (a figure and its ceiling) measured in alternating rounds (first,
 * second, first, second …, `rounds` each, the duration split between them),
 * so that whatever else the machine does at a moment weighs on both alike. req/s is
 * all requests over all rounds' time; p50 the median round's, p99 the worst
 * round's.
 */
async function paired (rounds: number, first: [string, autocannon.Options], second: [string, autocannon.Options]): Promise<[Row, Row]> {
  const duration = Math.max(1, Number(values.duration) / rounds)
  const runs: [autocannon.Result[], autocannon.Result[]] = [[], []]
  for (let i = 0; i < rounds; i++) {
    for (const [k, [, opts]] of [first, second].entries()) {
      runs[k].push(await autocannon({ connections: Number(values.connections), ...opts, duration }))
    }
  }
  const row = (name: string, results: autocannon.Result[]): Row => {
    const p50s = results.map(r => r.latency.p50).sort((a, b) => a - b)
    return {
      name: `${name} [${rounds} rounds]`,
      rps: results.reduce((a, r) => a + r.requests.total, 0) / results.reduce((a, r) => a + r.duration, 0),
      p50: p50s[Math.floor(p50s.length / 2)],
      p99: Math.max(...results.map(r => r.latency.p99)),
      errors: results.reduce((a, r) => a + r.non2xx + r.errors + r.timeouts, 0)
    }
  }
  return [row(first[0], runs[0]), row(second[0], runs[1])]
}

/** One request, timed (ms); throws unless 2xx. */
async function timedOnce (url: string, headers: Record<string, string>): Promise<number> {
  const started = performance.now()
  const res = await fetch(url, { headers })
  await res.arrayBuffer()
  if (!res.ok) throw new Error(`GET ${url}: ${res.status}`)
  return Math.round(performance.now() - started)
}

async function json (url: string, init: RequestInit = {}): Promise<any> {
  const res = await fetch(url, { ...init, headers: { 'content-type': 'application/json', ...(init.headers ?? {}) } })
  if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${url}: ${res.status} ${await res.text()}`)
  return await res.json()
}

interface ReadFirm { token: string, enterpriseId: string, applicationId: string }
interface WriteFirm { token: string, enterpriseId: string }

/**
 * Access tokens for seeded firms, signed with the service's secret exactly as
 * its login would sign them (claims, issuer, audience, key id): signing in
 * thousands of firms through argon2 would take minutes. The service checks
 * each one as any other (signature, session, revocation).
 */
function tokenMinter (secret: string): (user: { id: string, tv: number }) => string {
  const { config } = loadConfig({ ...process.env, JWT_SECRET: secret })
  const sign = createSigner({ key: secret, algorithm: 'HS256', iss: config.jwtIssuer, aud: config.jwtAudience, expiresIn: config.tokenTtl * 1000, kid: keyId(secret) })
  return (user) => sign({ sub: user.id, role: 'enterprise', jti: randomUUID(), tv: user.tv })
}

/** `n` firms' owners with an application each (reads), and 20 with a declaration for 2026 (writes). */
async function benchFirms (n: number, mint: ReturnType<typeof tokenMinter>): Promise<{ readers: ReadFirm[], writers: WriteFirm[] }> {
  const { default: postgres } = await import('postgres')
  const sql = postgres(databaseUrl!, { max: 1, onnotice: () => {} })
  try {
    const reads = await sql<Array<{ id: string, tv: number, enterpriseId: string, applicationId: string }>>`
      select distinct on (u.enterprise_id) u.id, u.token_version as tv, u.enterprise_id as "enterpriseId", a.id as "applicationId"
      from users u join applications a on a.enterprise_id = u.enterprise_id
      where u.role = 'enterprise' and not u.disabled order by u.enterprise_id, a.created_at desc limit ${n}`
    const writes = await sql<Array<{ id: string, tv: number, enterpriseId: string }>>`
      select u.id, u.token_version as tv, u.enterprise_id as "enterpriseId"
      from users u join declarations d on d.enterprise_id = u.enterprise_id and d.year = 2026
      where u.role = 'enterprise' and not u.disabled order by u.email limit 20`
    return {
      readers: reads.map(r => ({ token: mint(r), enterpriseId: r.enterpriseId, applicationId: r.applicationId })),
      writers: writes.map(r => ({ token: mint(r), enterpriseId: r.enterpriseId }))
    }
  } finally {
    await sql.end()
  }
}

/** Owner reads over `firms` in turn: each request the next firm's own application. */
function ownerReads (firms: ReadFirm[], ceiling: boolean): autocannon.Request[] {
  let i = 0
  return [{
    method: 'GET',
    setupRequest: (request): autocannon.Request => {
      const f = firms[i++ % firms.length]
      return ceiling
        ? { ...request, path: `/ceiling/applications/${f.applicationId}?firm=${f.enterpriseId}` }
        : { ...request, path: `/v1/applications/${f.applicationId}`, headers: { authorization: `Bearer ${f.token}` } }
    }
  }]
}

/**
 * Declaration PUTs over 20 firms in turn, every one a real new version: the
 * figures change with each request (never the same figures for one firm
 * twice), so each writes the row, its audit entry and the rollup.
 */
function declarationWrites (firms: WriteFirm[], ceiling: boolean, counter: { n: number }): autocannon.Request[] {
  return [{
    method: 'PUT',
    setupRequest: (request): autocannon.Request => {
      const n = counter.n++
      const f = firms[n % firms.length]
      const body = JSON.stringify({
        operatingRevenue: `${35_000_000 + (n % 1_000_000)}.${String(n % 100).padStart(2, '0')}`,
        softwareRevenue: '30000000.00', rdExpense: '2500000.00', exportRevenue: '0.00',
        employees: 60 + (n % 40), rdStaff: 20, patents: 2, softwareCopyrights: 5
      })
      return ceiling
        ? { ...request, path: `/ceiling/declarations/${f.enterpriseId}/2026`, headers: { 'content-type': 'application/json' }, body }
        : { ...request, path: `/v1/enterprises/${f.enterpriseId}/declarations/2026`, headers: { authorization: `Bearer ${f.token}`, 'content-type': 'application/json' }, body }
    }
  }]
}

async function main (): Promise<void> {
  const firms = Number(values.firms)
  const instances = Number(values.instances)
  if (!(instances === 1 || instances === 2)) throw new Error('--instances must be 1 or 2')
  const database = await openDatabase({ databaseUrl, dataDir: ':memory:', poolSize: 2 })
  await database.migrate()
  if (await registryIsEmpty(database.db)) {
    console.log(`seeding ${firms.toLocaleString('en')} firms (2017-2026) …`)
    const s = await seedDatabase(database, { firms, fromYear: 2017, toYear: 2026, seed: 1, force: false }, line => console.log(line))
    console.log(`seeded in ${s.seconds.toFixed(1)} s`)
  }
  await database.close()

  // Every instance signs and checks with the same secret (as behind a load balancer).
  const secret = process.env.JWT_SECRET ?? randomBytes(32).toString('base64url')
  const mint = tokenMinter(secret)
  const services = await Promise.all(Array.from({ length: instances }, async () => await startService({ JWT_SECRET: secret })))
  const ceiling = await startChild(['scripts/bench.ts', '--ceiling-server'], {})
  const urls = services.map(s => `http://127.0.0.1:${s.port}`)
  const base = urls[0]
  const ceilingUrl = `http://127.0.0.1:${ceiling.port}`
  const extra: Array<{ child: ChildProcess }> = []
  try {
    const analystEmail = DEMO_ACCOUNTS.find(a => a.role === 'analyst')!.email
    const analyst = (await json(`${base}/v1/auth/login`, { method: 'POST', body: JSON.stringify({ email: analystEmail, password: 'Demo-Analyst-Pass-2026' }) })).accessToken
    const owner = (await json(`${base}/v1/auth/login`, { method: 'POST', body: JSON.stringify({ email: firmEmail(0), password: FIRM_PASSWORD }) })).accessToken
    const me = await json(`${base}/v1/me`, { headers: { authorization: `Bearer ${owner}` } })
    const ownerHeaders = { authorization: `Bearer ${owner}` }
    const analystHeaders = { authorization: `Bearer ${analyst}` }

    if (values.soak) {
      await soak(base, await soakFirms(base))
      return
    }
    if (values.only === 'simulation') {
      const r = await simulationCase(base)
      console.log(`\n${new Date().toISOString().slice(0, 10)}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, load average ${loadavg().map(x => x.toFixed(1)).join(' ')}`)
      console.log(`| ${r.name} | median ${r.p50} ms | max ${r.p99} ms | target < 2000 ms: ${r.p50 < 2000 ? 'met' : 'not met'} |`)
      return
    }

    const rows: Row[] = []
    const step = async (row: Promise<Row>): Promise<Row> => {
      const r = await row
      rows.push(r)
      console.log(`  ${r.name}: ${r.rps.toFixed(0)} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms${r.errors > 0 ? `, ${r.errors} errors` : ''}`)
      return r
    }
    /** When, where and on what the run was made: printed above each summary table. */
    const machine = (): string => `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ` +
      `Node ${process.version}, ${firms.toLocaleString('en')} firms × 10 years, ${instances} instance${instances > 1 ? 's' : ''}, ` +
      `load average ${loadavg().map(x => x.toFixed(1)).join(' ')}`

    if (values.only === 'analytics') {
      const { cold, warm } = await analyticsRows(base, urls, analystHeaders, step)
      console.log(`\n${machine()}`)
      console.log('\n| figure | first read ms | req/s | p50 ms | p99 ms | errors | p99 < 50 ms |\n|---|---:|---:|---:|---:|---:|---|')
      for (const key of ['distribution', 'targets', 'trend'] as const) {
        const r = warm[key]
        console.log(`| ${r.name} | ${cold[key]} | ${r.rps.toFixed(0)} | ${r.p50} | ${r.p99} | ${r.errors} | ${r.errors === 0 && r.rps > 0 && r.p99 < 50 ? 'yes' : 'no'} |`)
      }
      return
    }
    const { readers, writers } = await benchFirms(Number(values['read-firms']), mint)
    if (readers.length === 0 || writers.length < 20) throw new Error('the database has too few seeded firms: re-seed with npm run db:seed -- --force --firms 100000')
    const n = readers.length.toLocaleString('en')
    // One count across every write row: no firm is ever sent the same figures twice.
    const written = { n: 0 }
    console.log(`autocannon: ${values.connections} connections, ${values.duration} s per row; ${instances} instance${instances > 1 ? 's' : ''} of the service (pool ${process.env.DB_POOL_SIZE ?? 10} each)`)
    await step(run('reference: bare Fastify + postgres.js, one small row by primary key', { url: `${ceilingUrl}/ceiling/${me.enterpriseId as string}` }))
    const [readCeiling, ownerRead] = await paired(5,
      [`read ceiling: bare Fastify + postgres.js, the owner's application row (${n} firms in turn)`, { url: ceilingUrl, requests: ownerReads(readers, true) }],
      [`GET /v1/applications/:id (owner, ${n} firms in turn)`, { url: urls, requests: ownerReads(readers, false) }])
    await step(Promise.resolve(readCeiling))
    await step(Promise.resolve(ownerRead))
    if (values.only === 'reads') {
      await step(run('GET /v1/me (one token: authentication alone, reference)', { url: urls.map(u => `${u}/v1/me`), headers: ownerHeaders }))
      console.log(`\nowner read: ${(ownerRead.rps / readCeiling.rps * 100).toFixed(0)}% of the read ceiling (${ownerRead.rps.toFixed(0)} / ${readCeiling.rps.toFixed(0)} req/s), target ≥ 80%`)
      return
    }
    await step(run('POST /v1/auth/login (argon2id)', {
      url: urls.map(u => `${u}/v1/auth/login`), method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: firmEmail(1), password: FIRM_PASSWORD })
    }))
    await step(run('GET /v1/me (one token: authentication alone, reference)', { url: urls.map(u => `${u}/v1/me`), headers: ownerHeaders }))
    // The service first: its PUTs classify the tier for the bench's figures, which the ceiling's then keep.
    // The service's round first in each pair: its PUTs classify the tier for the bench's figures, which the ceiling's then keep.
    const [write, writeCeiling] = await paired(5,
      ['PUT /v1/enterprises/:id/declarations/2026 (owner, 20 firms in turn, each a new version, audited)', { url: urls, requests: declarationWrites(writers, false, written) }],
      ['write ceiling: bare Fastify + postgres.js, the same transaction without the chain (20 firms in turn)', { url: ceilingUrl, requests: declarationWrites(writers, true, written) }])
    await step(Promise.resolve(write))
    await step(Promise.resolve(writeCeiling))
    const { cold, warm } = await analyticsRows(base, urls, analystHeaders, step)
    const { distribution, targets, trend } = warm
    // A failed simulation (e.g. 503 from load shedding) is a row with an error, not the end of the run.
    const simulation = await step(simulationCase(base).catch((err: Error): Row => {
      console.log(`  simulation failed: ${err.message.slice(0, 200)}`)
      return { name: 'POST /v1/admin/simulations', rps: 0, p50: Infinity, p99: Infinity, errors: 1 }
    }))

    // Scale-out: the same writes on one instance with 4 connections, then on two instances with 8 (4 each), every pool 4.
    await stop([...services, ceiling])
    const pair = await Promise.all([0, 1].map(async () => await startService({ JWT_SECRET: secret, DB_POOL_SIZE: '4' })))
    extra.push(...pair)
    const pairUrls = pair.map(s => `http://127.0.0.1:${s.port}`)
    const one = await step(run('PUT declarations: one instance, 4 connections (pool 4)', { url: pairUrls[0], connections: 4, requests: declarationWrites(writers, false, written) }))
    const two = await step(run('PUT declarations: two instances, 8 connections (pool 4 each)', { url: pairUrls, connections: 8, requests: declarationWrites(writers, false, written) }))

    const pct = (a: Row, b: Row): string => `${(a.rps / b.rps * 100).toFixed(0)}%`
    // A row that failed or answered nothing meets no target.
    const valid = (r: Row): boolean => r.errors === 0 && r.rps > 0
    const ceilingOf = new Map<Row, Row>([[ownerRead, readCeiling], [write, writeCeiling], [two, one]])
    const verdicts: Array<[string, string, boolean]> = [
      ['owner read ≥ 80% of the read ceiling', `${pct(ownerRead, readCeiling)} (${ownerRead.rps.toFixed(0)} / ${readCeiling.rps.toFixed(0)} req/s)`, valid(ownerRead) && valid(readCeiling) && ownerRead.rps >= 0.8 * readCeiling.rps],
      ['audited declaration write ≥ 60% of the write ceiling', `${pct(write, writeCeiling)} (${write.rps.toFixed(0)} / ${writeCeiling.rps.toFixed(0)} req/s)`, valid(write) && valid(writeCeiling) && write.rps >= 0.6 * writeCeiling.rps],
      ['writes: two instances, 8 connections > one instance, 4', `${pct(two, one)} (${two.rps.toFixed(0)} / ${one.rps.toFixed(0)} req/s)`, valid(two) && valid(one) && two.rps > one.rps],
      ['distribution p99 < 20 ms', `${distribution.p99} ms (first read ${cold.distribution} ms)`, valid(distribution) && distribution.p99 < 20],
      ['targets p99 < 20 ms', `${targets.p99} ms (first read ${cold.targets} ms)`, valid(targets) && targets.p99 < 20],
      ['trend p99 < 100 ms', `${trend.p99} ms (first read ${cold.trend} ms)`, valid(trend) && trend.p99 < 100],
      ['simulation of the year (median) < 2 s', `${simulation.p50} ms`, valid(simulation) && simulation.p50 < 2000]
    ]
    const errors = rows.reduce((a, r) => a + r.errors, 0)
    console.log(`\n${machine()}`)
    console.log('\n| figure | req/s | p50 ms | p99 ms | errors | ceiling req/s | of ceiling |\n|---|---:|---:|---:|---:|---:|---:|')
    for (const r of rows) {
      const c = ceilingOf.get(r)
      console.log(`| ${r.name} | ${r.rps.toFixed(0)} | ${r.p50} | ${r.p99} | ${r.errors} | ${c == null ? '' : c.rps.toFixed(0)} | ${c == null ? '' : pct(r, c)} |`)
    }
    console.log('\n| target | measured | met |\n|---|---|---|')
    for (const [target, measured, ok] of verdicts) console.log(`| ${target} | ${measured} | ${ok ? 'yes' : 'no'} |`)
    if (errors > 0) console.log(`\n${errors} requests answered non-2xx or failed: the figures above are not valid (503s come from load shedding on a saturated machine: run it on a quiet one)`)
  } finally {
    await stop([...services, ceiling, ...extra])
  }
}

/**
 * The analytics rows. The first read of a year reads it from the database
 * (here: never read yet, and for 2026 just written by the write rows); after
 * that a year is answered from memory until a write changes it (its stamp).
 * Each figure: its first read, timed alone, then a row of reads.
 */
async function analyticsRows (base: string, urls: string[], headers: Record<string, string>, step: (row: Promise<Row>) => Promise<Row>):
Promise<{ cold: Record<'distribution' | 'targets' | 'trend', number>, warm: Record<'distribution' | 'targets' | 'trend', Row> }> {
  const analytics = [
    ['distribution', '/v1/analytics/distribution?year=2023&by=tier,district', 'GET /v1/analytics/distribution by=tier,district'],
    ['targets', '/v1/analytics/targets?year=2023', 'GET /v1/analytics/targets?year=2023'],
    ['trend', '/v1/analytics/trend?from=2017&to=2026&by=tier', 'GET /v1/analytics/trend 2017-2026 by=tier']
  ] as const
  const cold = { distribution: 0, targets: 0, trend: 0 }
  const warm: Partial<Record<keyof typeof cold, Row>> = {}
  for (const [key, path, name] of analytics) {
    cold[key] = await timedOnce(`${base}${path}`, headers)
    console.log(`  ${name}: first read ${cold[key]} ms (the year${key === 'trend' ? 's' : ''} read from the database)`)
    for (const u of urls.slice(1)) await timedOnce(`${u}${path}`, headers)
    warm[key] = await step(run(`${name} (unchanged since the first read)`, { url: urls.map(u => `${u}${path}`), headers }))
  }
  return { cold, warm: warm as Record<keyof typeof cold, Row> }
}

/**
 * The policy what-if on the latest full year (2025 in the seed): the
 * above-scale line raised to 30,000,000.00, one request at a time (it is a
 * heavy, rare request), a warm-up then 5 timed runs. The row reports the
 * median as p50 and the slowest as p99.
 */
async function simulationCase (base: string): Promise<Row> {
  const admin = DEMO_ACCOUNTS.find(a => a.role === 'admin')!
  const token = (await json(`${base}/v1/auth/login`, { method: 'POST', body: JSON.stringify({ email: admin.email, password: admin.password }) })).accessToken
  const headers = { authorization: `Bearer ${token}` }
  const { rules } = await json(`${base}/v1/admin/tier-rules`, { headers })
  const tierRules = (rules as Array<Record<string, unknown>>).map(r =>
    r.tierCode === 'above_scale' && r.domainCode == null && r.toYear == null ? { ...r, minRevenue: '30000000.00' } : r)
  const body = JSON.stringify({ year: 2025, tierRules })
  const times: number[] = []
  let firms = 0
  for (let i = 0; i < 6; i++) {
    const started = performance.now()
    const sim = await json(`${base}/v1/admin/simulations`, { method: 'POST', headers, body })
    if (i > 0) times.push(performance.now() - started)
    firms = sim.firms
  }
  times.sort((a, b) => a - b)
  const name = `POST /v1/admin/simulations (${firms.toLocaleString('en')} declarations)`
  const r: Row = { name, rps: 1000 / times[2], p50: Math.round(times[2]), p99: Math.round(times[times.length - 1]), errors: 0 }
  console.log(`  ${name}: runs ${times.map(x => x.toFixed(0)).join(', ')} ms`)
  return r
}

interface SoakFirm { token: string, enterpriseId: string, applicationId: string }

/** Twenty seeded firms that have an application, signed in. */
async function soakFirms (base: string): Promise<SoakFirm[]> {
  const { default: postgres } = await import('postgres')
  const sql = postgres(databaseUrl!, { max: 1, onnotice: () => {} })
  const rows = await sql<Array<{ email: string, enterpriseId: string, applicationId: string }>>`
    select distinct on (u.enterprise_id) u.email, u.enterprise_id as "enterpriseId", a.id as "applicationId"
    from users u join applications a on a.enterprise_id = u.enterprise_id
    where u.role = 'enterprise' order by u.enterprise_id, a.created_at desc limit 20`
  await sql.end()
  return await Promise.all(rows.map(async r => ({
    token: (await json(`${base}/v1/auth/login`, { method: 'POST', body: JSON.stringify({ email: r.email, password: FIRM_PASSWORD }) })).accessToken as string,
    enterpriseId: r.enterpriseId,
    applicationId: r.applicationId
  })))
}

/**
 * 10 minutes of the owner read and the declaration write, more connections
 * than the database pool has; req/s per minute. Each round picks the next of
 * twenty firms (a firm's writes take its row lock, so one firm alone would
 * measure a lock queue) and changes its head count, so every PUT is a real
 * new version with its audit entry and rollup update.
 */
async function soak (base: string, firms: SoakFirm[]): Promise<void> {
  const minutes = Number(values['soak-minutes'])
  const connections = Math.max(50, Number(values.connections) * 5)
  console.log(`soak: ${minutes} min, ${connections} connections (pool: ${process.env.DB_POOL_SIZE ?? 10}), ${firms.length} firms`)
  let round = 0
  const requests: autocannon.Request[] = [
    {
      method: 'GET',
      setupRequest: (request, context) => {
        const firm = firms[round++ % firms.length]
        context.firm = firm
        context.employees = 60 + (round % 7)
        return { ...request, path: `/v1/applications/${firm.applicationId}`, headers: { authorization: `Bearer ${firm.token}` } }
      }
    },
    {
      method: 'PUT',
      setupRequest: (request, context) => {
        const firm = context.firm as SoakFirm
        return {
          ...request,
          path: `/v1/enterprises/${firm.enterpriseId}/declarations/2026`,
          headers: { authorization: `Bearer ${firm.token}`, 'content-type': 'application/json' },
          body: JSON.stringify({
            operatingRevenue: '35000000.00', softwareRevenue: '30000000.00', rdExpense: '2500000.00', exportRevenue: '0.00',
            employees: context.employees, rdStaff: 20, patents: 2, softwareCopyrights: 5
          })
        }
      }
    }
  ]
  // 30 s of the same load first, not counted: JIT, connections and PostgreSQL's caches warm up.
  console.log('  warm-up: 30 s')
  await autocannon({ connections, duration: 30, requests, url: base })
  const perMinute: number[] = []
  let current = 0
  let second = 0
  const instance = autocannon({
    connections,
    duration: minutes * 60,
    requests,
    url: base
  })
  instance.on('tick', (counter: { counter: number }) => {
    current += counter.counter
    if (++second % 60 === 0) {
      perMinute.push(current / 60)
      console.log(`  minute ${perMinute.length}: ${(current / 60).toFixed(0)} req/s`)
      current = 0
    }
  })
  const result = await instance
  console.log(`  ${result.requests.total} requests, ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts, p99 ${result.latency.p99} ms`)
  const first = perMinute[0]
  const last = perMinute[perMinute.length - 1]
  const band = Math.abs(last / first - 1) <= 0.1 ? 'within 10%' : `outside 10%, ${last > first ? 'faster' : 'slower'} at the end`
  console.log(`last minute / first minute: ${(last / first * 100).toFixed(1)}% (${band})`)
  // The least-squares slope says more than two noisy end points: a leak or a growing queue shows as a steady decline.
  const n = perMinute.length
  const mean = perMinute.reduce((a, b) => a + b, 0) / n
  const xMean = (n - 1) / 2
  const slope = perMinute.reduce((a, y, x) => a + (x - xMean) * (y - mean), 0) / perMinute.reduce((a, _y, x) => a + (x - xMean) ** 2, 0)
  console.log(`trend: ${n < 2 ? 'needs two minutes or more' : `${(slope / mean * 100).toFixed(1)}% of the mean per minute`} (min ${Math.min(...perMinute).toFixed(0)}, max ${Math.max(...perMinute).toFixed(0)}, mean ${mean.toFixed(0)} req/s)`)
}
