// npm run db:seed -- [--firms 2000] [--years 2017-2026] [--seed 1] [--force]
// Loads the deterministic synthetic industry (scripts/seed/industry.ts) and its
// calls, applications and reviews (scripts/seed/grading.ts) into
// DATABASE_URL, or the PGlite in DATA_DIR. Refuses a database with firms
// unless --force.
import { parseArgs } from 'node:util'
import { databaseOptions, loadConfig } from '../server/config.ts'
import { openDatabase } from '../db/client.ts'
import { seedDatabase } from './seed/load.ts'
import { DEFAULT_SEED, DEMO_ACCOUNTS, FIRM_PASSWORD, firmEmail, parseYears, SeedRefused } from './seed/options.ts'

const { values } = parseArgs({
  options: {
    firms: { type: 'string' }, years: { type: 'string' }, seed: { type: 'string' }, force: { type: 'boolean', default: false }
  }
})
function positive (name: string, raw: string | undefined, fallback: number, max: number): number {
  if (raw == null) return fallback
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > max) {
    console.error(`--${name} must be a whole number between 1 and ${max}, got ${raw}`)
    process.exit(2)
  }
  return Number(raw)
}

let years: [number, number]
try {
  years = values.years == null ? [DEFAULT_SEED.fromYear, DEFAULT_SEED.toYear] : parseYears(values.years)
} catch (err) {
  console.error((err as Error).message)
  process.exit(2)
}
const opts = {
  firms: positive('firms', values.firms, DEFAULT_SEED.firms, 1_000_000),
  fromYear: years[0],
  toYear: years[1],
  seed: positive('seed', values.seed, DEFAULT_SEED.seed, 2 ** 31),
  force: values.force ?? false
}

const { config } = loadConfig({ ...process.env, ADMIN_EMAIL: '', ADMIN_PASSWORD: '' })
const database = await openDatabase(databaseOptions(config, 2)).catch((err: Error) => {
  // e.g. DATA_DIR in use by the running service (DataDirInUseError): say so and touch nothing.
  console.error(`peiyu: ${err.message}`)
  process.exit(1)
})
try {
  await database.migrate()
  console.log(`seeding ${opts.firms.toLocaleString('en')} firms, ${opts.fromYear}-${opts.toYear}, seed ${opts.seed} (${database.kind})`)
  const s = await seedDatabase(database, opts, line => console.log(line))
  console.log(`done in ${s.seconds.toFixed(1)} s: ${s.firms} firms, ${s.declarations} declarations, ${s.members} pool members, ${s.users} accounts, ${s.calls} calls, ${s.applications} applications, ${s.reviews} reviews`)
  console.log(`applications by state: ${Object.entries(s.applicationsByState).sort().map(([state, n]) => `${state} ${n}`).join(', ')}`)
  console.log(`support funds: ${s.funds.funds} funds, ${s.funds.awards} awards, ${s.funds.payments} payments`)
  if (s.sampleApplication != null) console.log(`${s.sampleApplication.email} owns application ${s.sampleApplication.id} (open call; GET /v1/applications lists it too)`)
  console.log(`baseline ${s.baseline.year}: ${s.baseline.firms} firms declaring, ${s.baseline.aboveScale} above scale or higher with ${s.baseline.aboveScaleRevenue} CNY, ${s.baseline.employees} employees`)
  console.log('\ndemo accounts:')
  for (const a of DEMO_ACCOUNTS) console.log(`  ${a.role.padEnd(9)} ${a.email.padEnd(26)} ${a.password}`)
  console.log(`  firms     ${firmEmail(0)} … ${firmEmail(opts.firms - 1)}  ${FIRM_PASSWORD} (one shared password)`)
} catch (err) {
  if (err instanceof SeedRefused) {
    console.error(`not seeded: ${err.message}`)
    process.exitCode = 1
  } else throw err
} finally {
  await database.close()
}
