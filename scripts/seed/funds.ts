/**
 * The demo's support funds: for the year before the last seeded year (so the
 * next year's declarations show the outcomes), one fund per program with
 * awards to the first members of the program valid that year (in id order,
 * so the same seed gives the same funds), some paid in full, some in part,
 * some not yet, and one cancelled before payment. The amounts stay within
 * each budget and the paid sums within each award, as the service keeps them.
 */
import { fromFen } from '../../server/domain/money.ts'
import { rng, uuidFrom } from './random.ts'

const BUDGETS_FEN: Record<string, bigint> = {
  startup: 200_000_000n,
  innovative_growth: 500_000_000n,
  leading_platform: 1_000_000_000n
}
const AWARDS_PER_FUND = 8
const PURPOSES = ['研发投入补助', '首版次软件产品奖励', '人才引进补贴', '上云用云补助', '知识产权奖励', '市场开拓补助']

const lit = (v: string | number | null) => v == null ? 'NULL' : typeof v === 'number' ? String(v) : `'${v.replace(/'/g, "''")}'`

export interface FundSeedCounts { funds: number, awards: number, payments: number }

export async function seedFunds (
  exec: (q: string) => Promise<unknown>,
  query: (q: string) => Promise<Array<Record<string, unknown>>>,
  opts: { seed: number, fromYear: number, toYear: number },
  officerId: string,
  programNames: ReadonlyMap<string, string>
): Promise<FundSeedCounts> {
  const year = opts.toYear > opts.fromYear ? opts.toYear - 1 : opts.toYear
  const ids = rng(opts.seed ^ 0xf0d5)
  const r = rng(opts.seed ^ 0xa3a4d)
  const counts: FundSeedCounts = { funds: 0, awards: 0, payments: 0 }
  for (const program of Object.keys(BUDGETS_FEN)) {
    // Members during the fund's year: their term may have ended since (expired), the award stays history.
    const members = await query(`select id, enterprise_id from pool_memberships where program_code = ${lit(program)} and status in ('active', 'warned', 'expired')
      and valid_from <= make_date(${year}, 12, 31) and valid_until >= make_date(${year}, 1, 1) order by id limit ${AWARDS_PER_FUND}`)
    if (members.length === 0) continue
    const budget = BUDGETS_FEN[program]
    const fundId = uuidFrom(ids)
    await exec(`insert into funds (id, year, program_code, name, budget, created_by, created_at, updated_at) values (${lit(fundId)}, ${year}, ${lit(program)},
      ${lit(`${year} 年${programNames.get(program) ?? program}专项资金`)}, ${lit(fromFen(budget))}, ${lit(officerId)}, '${year}-02-20T02:00:00Z', '${year}-02-20T02:00:00Z')`)
    counts.funds++
    // Weights 1..3 for each member; two more shares stay unawarded. Amounts in whole thousands of yuan.
    const weights = members.map(() => 1 + Math.floor(r() * 3))
    const shares = BigInt(weights.reduce((s, w) => s + w, 0) + 2)
    for (const [i, m] of members.entries()) {
      const amount = budget * BigInt(weights[i]) / shares / 100_000n * 100_000n
      const awardId = uuidFrom(ids)
      const cancelled = i === members.length - 1 && members.length > 2
      const paidInFull = !cancelled && i < Math.ceil(members.length / 2)
      const paidInPart = !cancelled && !paidInFull && i % 2 === 0
      const paid = paidInFull ? amount : paidInPart ? amount / 2n / 100n * 100n : 0n
      const state = cancelled ? 'cancelled' : paidInFull ? 'paid' : paidInPart ? 'partly_paid' : 'awarded'
      const at = `'${year}-03-${String(10 + i).padStart(2, '0')}T02:00:00Z'`
      await exec(`insert into fund_awards (id, fund_id, enterprise_id, membership_id, amount, paid, purpose, state, cancel_reason, awarded_by, created_at, updated_at)
        values (${lit(awardId)}, ${lit(fundId)}, ${lit(String(m.enterprise_id))}, ${lit(String(m.id))}, ${lit(fromFen(amount))}, ${lit(fromFen(paid))},
        ${lit(PURPOSES[i % PURPOSES.length])}, ${lit(state)}, ${lit(cancelled ? '企业主动放弃' : null)}, ${lit(officerId)}, ${at}, ${at})`)
      counts.awards++
      // Paid in full: two instalments (June and September) when the award is large enough; in part: one, in September.
      const instalments: Array<[string, bigint]> = paidInFull
        ? (amount >= 200_000n ? [[`${year}-06-30`, amount / 2n], [`${year}-09-30`, amount - amount / 2n]] : [[`${year}-06-30`, amount]])
        : paidInPart ? [[`${year}-09-30`, paid]] : []
      for (const [paidOn, fen] of instalments) {
        await exec(`insert into fund_payments (id, award_id, amount, paid_on, recorded_by, created_at) values (${lit(uuidFrom(ids))}, ${lit(awardId)},
          ${lit(fromFen(fen))}, ${lit(paidOn)}, ${lit(officerId)}, '${paidOn}T08:00:00Z')`)
        counts.payments++
      }
    }
  }
  return counts
}
