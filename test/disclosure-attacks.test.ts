import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { buildTestApp, createStaff, registerFirm, auth } from './helper.ts'
import { poolMemberships } from '../db/schema/index.ts'
import { toFen, fromFen } from '../server/domain/money.ts'
import { TIER_CODES } from '../server/domain/tiers.ts'

/**
 * The analyst as attacker. A population with known figures is built through
 * the API (registration, declarations for 2024 and 2025; pool memberships are
 * written straight to their table, as admissions would). The analyst then
 * asks the distribution, trend and targets endpoints (JSON and CSV) with many
 * filters and breakdowns, and every published figure becomes a known sum over
 * the set of firms it covers (the attacker is assumed to know each firm's
 * tier, district, program and domains: they are public). The attacks:
 *  - linear: any combination of published sums that equals one firm's value
 *    (differencing two filter sets, complements such as the city minus the
 *    other districts, chains of both) — Gaussian elimination per year;
 *  - differencing and complements with an insider: a published sum, minus
 *    another published sum or a response's published cells inside it, minus
 *    what one firm of the rest knows of itself, as an estimate of another;
 *  - dominance: the same with no subtraction (a dominated cell);
 *  - averaging: the mean of a firm's estimates from every difference that
 *    leaves at most three firms;
 *  - cross-year: the same through the trend endpoint for both years.
 * Nothing may land within P% of a firm's value. The same attacks run on an
 * officer's exact answers must recover firms: the attacks can fail.
 */

t.setTimeout(900_000)
const P = 10n
const YEARS = [2024, 2025] as const
const MEASURES = ['operatingRevenue', 'softwareRevenue', 'rdExpense', 'exportRevenue', 'employees'] as const
type M = typeof MEASURES[number]

interface Spec { name: string, district: string, domains: string[], op: string, program?: string, only2025?: boolean }
const SPECS: Spec[] = [
  // 普兰店: one ten-billion firm among nine (the differencing), leading the only leading_platform membership.
  { name: 'BIG', district: '210214', domains: ['ai', 'cloud'], op: '12345678901.23', program: 'leading_platform' },
  { name: 'B1', district: '210214', domains: ['ai'], op: '1500000000.17' },
  { name: 'B2', district: '210214', domains: ['cloud'], op: '1300000000.00' },
  { name: 'B3', district: '210214', domains: ['iot'], op: '1100000000.55' },
  { name: 'A1', district: '210214', domains: ['ai'], op: '60000000.00', program: 'innovative_growth' },
  { name: 'A2', district: '210214', domains: ['ai'], op: '45000000.00' },
  { name: 'A3', district: '210214', domains: ['cloud'], op: '38000000.90' },
  { name: 'A4', district: '210214', domains: ['iot'], op: '31000000.00' },
  { name: 'A5', district: '210214', domains: ['ai', 'iot'], op: '27000000.00', only2025: true },
  { name: 'A6', district: '210214', domains: ['cloud'], op: '25000000.00' },
  // 中山: a below-scale cell where one firm earns 99% (dominance), and above-scale firms.
  { name: 'S1', district: '210202', domains: ['ai'], op: '19800000.00' },
  { name: 'S2', district: '210202', domains: ['ai'], op: '100000.00' },
  { name: 'S3', district: '210202', domains: ['ai'], op: '100000.00' },
  { name: 'Z1', district: '210202', domains: ['big_data'], op: '90000000.00', program: 'innovative_growth' },
  { name: 'Z2', district: '210202', domains: ['big_data'], op: '70000000.00' },
  { name: 'Z3', district: '210202', domains: ['ai'], op: '55000000.00' },
  { name: 'Z4', district: '210202', domains: ['cloud'], op: '48000000.00', program: 'startup' },
  { name: 'Z5', district: '210202', domains: ['iot'], op: '33000000.00' },
  // 甘井子: two firms only (the complement: the city minus the other districts).
  { name: 'G1', district: '210211', domains: ['ai'], op: '40000000.00' },
  { name: 'G2', district: '210211', domains: ['iot'], op: '300000000.00' },
  // 西岗: four hundred-million firms.
  { name: 'X1', district: '210203', domains: ['cloud'], op: '150000000.00' },
  { name: 'X2', district: '210203', domains: ['ai'], op: '200000000.00' },
  { name: 'X3', district: '210203', domains: ['iot'], op: '250000000.00' },
  { name: 'X4', district: '210203', domains: ['ai', 'big_data'], op: '400000000.00' }
]

interface Firm { spec: Spec, id: string, token: string, program: string, tier: Record<number, string>, values: Record<number, Record<M, bigint>> }

/** A year's figures of a firm, derived from its operating revenue (2024: 90%). */
function figuresOf (spec: Spec, index: number, year: number) {
  const op = toFen(spec.op) * (year === 2024 ? 9n : 10n) / 10n
  const sw = op * BigInt(60 + (index * 7) % 35) / 100n
  const rd = op * BigInt(5 + (index * 3) % 11) / 100n
  const ex = op * BigInt((5 + index * 5) % 30) / 100n
  const employees = Number(op / 100_000_00n) + 10 + index
  return {
    operatingRevenue: fromFen(op), softwareRevenue: fromFen(sw), rdExpense: fromFen(rd), exportRevenue: fromFen(ex), employees, rdStaff: 1,
    patents: 0, softwareCopyrights: 0
  }
}

async function buildPopulation (app: FastifyInstance): Promise<Firm[]> {
  const firms: Firm[] = []
  for (const [i, spec] of SPECS.entries()) {
    const f = await registerFirm(app, { districtCode: spec.district, domains: spec.domains, name: `测试企业 ${spec.name}` })
    const firm: Firm = { spec, id: f.enterpriseId, token: f.token, program: spec.program ?? '', tier: {}, values: {} }
    for (const year of YEARS) {
      if (year === 2024 && spec.only2025 === true) continue
      const body = figuresOf(spec, i, year)
      const res = await app.inject({ method: 'PUT', url: `/v1/enterprises/${f.enterpriseId}/declarations/${year}`, headers: auth(f.token), payload: body })
      if (res.statusCode !== 201) throw new Error(`declaration ${spec.name} ${year}: ${res.statusCode} ${res.body}`)
      firm.tier[year] = res.json().tier
      firm.values[year] = {
        operatingRevenue: toFen(body.operatingRevenue), softwareRevenue: toFen(body.softwareRevenue), rdExpense: toFen(body.rdExpense),
        exportRevenue: toFen(body.exportRevenue), employees: BigInt(body.employees)
      }
    }
    firms.push(firm)
  }
  const members = firms.filter(f => f.program !== '')
  await app.db.insert(poolMemberships).values(members.map(f => ({
    enterpriseId: f.id, programCode: f.program, tierAtAdmission: 'above_scale', currentTier: 'above_scale', admittedOn: '2024-06-01', status: 'active'
  })))
  return firms
}

/** A published figure: the set of firms (bit i = firm i) and its value per measure (null = withheld). */
interface Observation { year: number, set: bigint, values: Record<M, bigint | null>, source: string }
interface Response { year: number, cells: Observation[], source: string }

type Query = Record<string, string | undefined>

/** The firms a cell of a response covers, from the firms' public attributes, the query's filters and the cell's key. */
function setOf (firms: Firm[], year: number, q: Query, key: Record<string, string | null | undefined>): bigint {
  let set = 0n
  const list = (v: string | undefined) => v == null ? null : v.split(',')
  firms.forEach((f, i) => {
    const tier = f.tier[year]
    if (tier == null) return
    const ok = (list(q.tier)?.includes(tier) ?? true) && (list(q.district)?.includes(f.spec.district) ?? true) &&
      (list(q.program)?.includes(f.program) ?? true) && (list(q.domain)?.some(d => f.spec.domains.includes(d)) ?? true) &&
      (q.pool !== 'member' || f.program !== '') && (q.pool !== 'non_member' || f.program === '') &&
      (key.tier === undefined || key.tier === tier) && (key.district === undefined || key.district === f.spec.district) &&
      (key.program === undefined || (key.program ?? '') === f.program) && (key.domain === undefined || f.spec.domains.includes(key.domain ?? ''))
    if (ok) set |= 1n << BigInt(i)
  })
  return set
}

const valuesOf = (c: Record<string, unknown>): Record<M, bigint | null> => Object.fromEntries(MEASURES.map(m => {
  const v = c[m]
  return [m, v == null || v === '' ? null : m === 'employees' ? BigInt(v as number) : toFen(String(v))]
})) as Record<M, bigint | null>

const qs = (q: Query) => Object.entries(q).filter(([, v]) => v != null).map(([k, v]) => `${k}=${v}`).join('&')

/** Every question the attacker asks, as a reader with this token; each answer as observations. */
async function ask (app: FastifyInstance, token: string, firms: Firm[]): Promise<Response[]> {
  const out: Response[] = []
  const get = async (url: string, accept?: string) => {
    const res = await app.inject({ url, headers: { ...auth(token), ...(accept == null ? {} : { accept }) } })
    if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body}`)
    return res
  }
  const districts = [...new Set(SPECS.map(s => s.district))]
  const domainsUsed = [...new Set(SPECS.flatMap(s => s.domains))]
  const programs = ['leading_platform', 'innovative_growth', 'startup']
  const filters: Query[] = [
    {},
    ...districts.map(d => ({ district: d })),
    ...districts.map(d => ({ district: districts.filter(x => x !== d).join(',') })),
    ...TIER_CODES.map(tier => ({ tier })),
    ...TIER_CODES.map(tier => ({ tier: TIER_CODES.filter(x => x !== tier).join(',') })),
    ...TIER_CODES.map(tier => ({ district: '210214', tier: TIER_CODES.filter(x => x !== tier).join(',') })),
    ...domainsUsed.map(domain => ({ domain })),
    ...programs.map(program => ({ program })),
    { pool: 'member' }, { pool: 'non_member' }, { district: '210214', pool: 'non_member' }
  ]
  const plan: Array<{ by: string, q: Query }> = [
    ...filters.flatMap(q => ['', 'tier', 'district'].map(by => ({ by, q }))),
    ...['program', 'domain', 'tier,district', 'district,program', 'tier,program', 'tier,district,program', 'domain,district'].map(by => ({ by, q: {} }))
  ]
  for (const year of YEARS) {
    for (const { by, q } of plan) {
      const body = (await get(`/v1/analytics/distribution?year=${year}&${qs({ ...q, by: by === '' ? undefined : by })}`)).json()
      const source = `distribution ${year} by=${by} ${qs(q)}`
      out.push({
        year, source,
        cells: [
          ...body.cells.map((c: Record<string, unknown>) => ({ year, set: setOf(firms, year, q, c as never), values: valuesOf(c), source })),
          { year, set: setOf(firms, year, q, {}), values: valuesOf(body.totals), source: `${source} totals` }
        ]
      })
    }
  }
  // The same through the trend endpoint (both years at once) and as CSV.
  for (const q of filters.slice(0, 12)) {
    for (const by of ['', 'tier']) {
      const body = (await get(`/v1/analytics/trend?from=2024&to=2025&${qs({ ...q, by: by === '' ? undefined : by })}`)).json()
      for (const y of body.years) {
        const source = `trend ${y.year} by=${by} ${qs(q)}`
        out.push({
          year: y.year, source,
          cells: [
            ...y.cells.map((c: Record<string, unknown>) => ({ year: y.year, set: setOf(firms, y.year, q, c as never), values: valuesOf(c), source })),
            { year: y.year, set: setOf(firms, y.year, q, {}), values: valuesOf(y.totals), source: `${source} totals` }
          ]
        })
      }
    }
  }
  for (const q of [{ district: '210214' }, { district: '210214', tier: 'below_scale,above_scale,hundred_million,billion' }]) {
    const csv = (await get(`/v1/analytics/distribution?year=2025&${qs(q)}&format=csv`)).body.replace(/^\uFEFF/, '').trim().split('\r\n')
    const header = csv[0].split(',')
    const row = Object.fromEntries(csv[1].split(',').map((v, i) => [header[i], v]))
    out.push({ year: 2025, source: `csv ${qs(q)}`, cells: [{ year: 2025, set: setOf(firms, 2025, q, {}), values: valuesOf(row), source: `csv ${qs(q)}` }] })
  }
  // The plan's targets: the revenue share of the hundred-million tier and up, times the exact total, is that band's revenue.
  for (const year of YEARS) {
    const body = (await get(`/v1/analytics/targets?year=${year}`)).json()
    const share = body.targets.find((x: { key: string }) => x.key === 'hundred_million_share_2023')
    const total = out.find(r => r.year === year && r.source.startsWith('distribution') && r.source.endsWith('by= '))?.cells.at(-1)?.values.operatingRevenue
    if (share?.value != null && total != null) {
      const band = setOf(firms, year, { tier: 'hundred_million,billion,ten_billion' }, {})
      const [whole, frac = ''] = String(share.value).split('.')
      const estimate = BigInt(whole + frac) * total / 10n ** BigInt(frac.length)
      const values = Object.fromEntries(MEASURES.map(m => [m, m === 'operatingRevenue' ? estimate : null])) as Record<M, bigint | null>
      out.push({ year, source: 'targets', cells: [{ year, set: band, values, source: 'targets share × total' }] })
    }
  }
  return out
}

const bits = (set: bigint): number[] => {
  const out: number[] = []
  for (let i = 0; set >> BigInt(i) > 0n; i++) if ((set >> BigInt(i)) & 1n) out.push(i)
  return out
}

interface Leak { attack: string, firm: string, year: number, measure: M, estimate: bigint, truth: bigint, how: string }

/** Strictly within P% (the p% rule lets a remainder of exactly p% stand). */
const within = (estimate: bigint, truth: bigint) => truth > 0n && (estimate - truth < 0n ? truth - estimate : estimate - truth) * 100n < P * truth

/** Exact recovery by any linear combination of published sums: is a firm's unit vector in their span (mod a large prime)? */
function linearAttack (firms: Firm[], obs: Observation[], year: number, m: M): Leak[] {
  const PRIME = 2305843009213693951n
  const n = firms.length
  const mod = (x: bigint) => ((x % PRIME) + PRIME) % PRIME
  const inv = (a: bigint) => {
    let r = 1n; let b = mod(a); let e = PRIME - 2n
    while (e > 0n) { if (e & 1n) r = r * b % PRIME; b = b * b % PRIME; e >>= 1n }
    return r
  }
  const basis: Array<{ pivot: number, row: bigint[] }> = []
  const reduce = (row: bigint[]) => {
    for (const b of basis) {
      const c = row[b.pivot]
      if (c !== 0n) for (let j = 0; j < n; j++) row[j] = mod(row[j] - c * b.row[j])
    }
    return row
  }
  const seen = new Set<bigint>()
  for (const o of obs) {
    if (o.year !== year || o.values[m] == null || o.set === 0n || seen.has(o.set)) continue
    seen.add(o.set)
    const row = reduce(Array.from({ length: n }, (_, i) => (o.set >> BigInt(i)) & 1n))
    const pivot = row.findIndex(x => x !== 0n)
    if (pivot === -1) continue
    const s = inv(row[pivot])
    const normalized = row.map(x => x * s % PRIME)
    for (const b of basis) {
      const c = b.row[pivot]
      if (c !== 0n) for (let j = 0; j < n; j++) b.row[j] = mod(b.row[j] - c * normalized[j])
    }
    basis.push({ pivot, row: normalized })
  }
  const leaks: Leak[] = []
  firms.forEach((f, i) => {
    const truth = f.values[year]?.[m]
    if (truth == null || truth === 0n) return
    const unit = reduce(Array.from({ length: n }, (_, j) => (j === i ? 1n : 0n)))
    if (unit.every(x => x === 0n)) leaks.push({ attack: 'linear', firm: f.spec.name, year, measure: m, estimate: truth, truth, how: 'in the span of published sums' })
  })
  return leaks
}

/**
 * Differencing, complement and dominance estimates: a published sum A, minus
 * a published sum B inside it or a response's published cells inside it (or
 * nothing), is the sum over D = A ∖ B; D's firm f is estimated as that sum,
 * or that sum minus what another firm of D knows of itself.
 */
function estimateAttacks (firms: Firm[], responses: Response[], year: number, m: M): { leaks: Leak[], estimates: Map<number, { sum: bigint, n: bigint }> } {
  const published = new Map<bigint, { v: bigint, source: string }>()
  for (const r of responses) {
    for (const o of r.cells) if (o.year === year && o.values[m] != null && o.set !== 0n && o.source !== 'targets share × total') published.set(o.set, { v: o.values[m] as bigint, source: o.source })
  }
  const sums: Array<{ set: bigint, v: bigint, how: string }> = [...published].map(([set, p]) => ({ set, v: p.v, how: p.source }))
  const subtractions: Array<{ set: bigint, v: bigint, how: string }> = [{ set: 0n, v: 0n, how: 'nothing' }, ...sums]
  // Complements: the union of a response's published cells (each cell set is disjoint when there is no domain breakdown).
  for (const r of responses) {
    if (r.year !== year || r.source.includes('domain')) continue
    const cells = r.cells.slice(0, -1).filter(c => c.values[m] != null && c.set !== 0n)
    if (cells.length < 2) continue
    let union = 0n
    let v = 0n
    for (const c of cells) { union |= c.set; v += c.values[m] as bigint }
    subtractions.push({ set: union, v, how: `the published cells of ${r.source}` })
  }
  const leaks: Leak[] = []
  const estimates = new Map<number, { sum: bigint, n: bigint }>()
  for (const a of sums) {
    for (const b of subtractions) {
      if ((a.set & b.set) !== b.set || a.set === b.set) continue
      const rest = a.set & ~b.set
      const diff = a.v - b.v
      const members = bits(rest)
      const values = members.map(i => firms[i].values[year]?.[m] ?? 0n)
      // The best insider for firm f is the largest other firm of D: it subtracts the most.
      const order = values.map((v, j) => [v, j] as const).sort((x, y) => (x[0] < y[0] ? 1 : x[0] > y[0] ? -1 : 0))
      members.forEach((i, j) => {
        const truth = firms[i].values[year]?.[m]
        if (truth == null) return
        const other = order.find(([, k]) => k !== j)
        const guesses: Array<[bigint, string]> = [[diff, 'outsider']]
        if (other != null) guesses.push([diff - other[0], `insider ${firms[members[other[1]]].spec.name}`])
        for (const [estimate, who] of guesses) {
          // The averaging attack: the mean of the estimates from small differences (at most three firms left).
          if (members.length <= 3) {
            const mean = estimates.get(i) ?? { sum: 0n, n: 0n }
            mean.sum += estimate
            mean.n++
            estimates.set(i, mean)
          }
          if (within(estimate, truth)) {
            const attack = b.set === 0n ? 'dominance' : b.how.startsWith('the published cells') ? 'complement' : 'differencing'
            leaks.push({ attack, firm: firms[i].spec.name, year, measure: m, estimate, truth, how: `${a.how} − ${b.how} (${who})` })
          }
        }
      })
    }
  }
  return { leaks, estimates }
}

function allAttacks (firms: Firm[], responses: Response[]): Leak[] {
  const leaks: Leak[] = []
  const obs = responses.flatMap(r => r.cells)
  for (const year of YEARS) {
    for (const m of MEASURES) {
      leaks.push(...linearAttack(firms, obs, year, m))
      const { leaks: l, estimates } = estimateAttacks(firms, responses, year, m)
      leaks.push(...l)
      for (const [i, { sum, n }] of estimates) {
        const truth = firms[i].values[year]?.[m]
        if (truth == null || n < 2n) continue
        const mean = sum / n
        if (within(mean, truth)) leaks.push({ attack: 'averaging', firm: firms[i].spec.name, year, measure: m, estimate: mean, truth, how: `mean of ${n} estimates` })
      }
    }
  }
  return leaks
}

t.test('an analyst recovers no firm\'s figures; the city total is exact; officers read every firm', async (t) => {
  const app = await buildTestApp(t)
  let clock = Date.now()
  const lap = (what: string) => { t.comment(`${what}: ${Date.now() - clock} ms`); clock = Date.now() }
  const firms = await buildPopulation(app)
  const analyst = await createStaff(app, 'analyst')
  const officer = await createStaff(app, 'officer')

  lap('population')
  const responses = await ask(app, analyst.token, firms)
  lap(`${responses.length} analyst requests`)
  const observations = responses.flatMap(r => r.cells)
  t.ok(observations.length > 500, `${observations.length} published figures collected`)
  const leaks = allAttacks(firms, responses)
  lap('attacks')
  t.same(leaks.slice(0, 5), [], `no attack recovers a firm within ${P}% (${leaks.length} found)`)

  const withheld = observations.filter(o => MEASURES.some(m => o.values[m] == null)).length
  t.ok(withheld > 0 && withheld < observations.length, `some figures withheld (${withheld}), not all`)

  for (const year of YEARS) {
    const totals = (await app.inject({ url: `/v1/analytics/distribution?year=${year}`, headers: auth(analyst.token) })).json().totals
    for (const m of MEASURES) {
      const truth = firms.reduce((a, f) => a + (f.values[year]?.[m] ?? 0n), 0n)
      t.equal(m === 'employees' ? BigInt(totals[m]) : toFen(totals[m]), truth, `${year} city-wide ${m} exact to the fen`)
    }
    t.equal(totals.suppressed, false)
  }

  // The pair, asked as the analyst: at least one of the two is withheld.
  const pair = await Promise.all(['district=210214', 'district=210214&tier=below_scale,above_scale,hundred_million,billion'].map(async q =>
    (await app.inject({ url: `/v1/analytics/distribution?year=2025&${q}`, headers: auth(analyst.token) })).json().totals))
  t.ok(pair.some(p => p.operatingRevenue == null && p.suppressed === true), 'the differencing pair meets a withheld figure')

  // Officers keep exact figures: each firm's declaration, and the same pair exactly.
  for (const f of firms) {
    const res = await app.inject({ url: `/v1/enterprises/${f.id}/declarations/2025`, headers: auth(officer.token) })
    t.equal(res.statusCode, 200)
    t.equal(toFen(res.json().operatingRevenue), f.values[2025].operatingRevenue, `officer reads ${f.spec.name}`)
  }
  const exactPair = await Promise.all(['district=210214', 'district=210214&tier=below_scale,above_scale,hundred_million,billion'].map(async q =>
    (await app.inject({ url: `/v1/analytics/distribution?year=2025&${q}`, headers: auth(officer.token) })).json()))
  t.equal(exactPair[0].exact, true)
  t.equal(toFen(exactPair[0].totals.operatingRevenue) - toFen(exactPair[1].totals.operatingRevenue), firms[0].values[2025].operatingRevenue,
    'an officer\'s exact figures differ by the big firm\'s revenue')

  // The attacks are real: on exact answers (the officer's) they recover firms by every route.
  const exactLeaks = allAttacks(firms, await ask(app, officer.token, firms))
  lap('the same as an officer')
  for (const attack of ['linear', 'differencing', 'complement', 'dominance', 'averaging']) {
    t.ok(exactLeaks.some(l => l.attack === attack), `without protection the ${attack} attack recovers a firm`)
  }
  t.ok(exactLeaks.some(l => l.firm === 'BIG' && l.measure === 'exportRevenue'), 'export revenue is among what would leak')
  t.ok(exactLeaks.some(l => l.firm === 'S1' && l.attack === 'dominance'), 'the dominant firm of a three-firm cell would leak')
})
