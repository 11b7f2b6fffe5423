/** What a seed is asked for, the accounts it creates, and the errors that refuse it. */

export interface SeedOptions {
  firms: number
  fromYear: number
  toYear: number
  seed: number
  force: boolean
  /** The seed's "now": the open calls' windows contain it, closed calls lie before it (default: the clock). */
  now?: Date
}

export const DEFAULT_SEED: SeedOptions = { firms: 2000, fromYear: 2017, toYear: 2026, seed: 1, force: false }

/** Demo accounts, printed at the end and listed in the README. */
export const DEMO_ACCOUNTS = [
  { email: 'admin@demo.peiyu.cn', role: 'admin', name: '系统管理员', password: 'Demo-Admin-Pass-2026' },
  { email: 'officer1@demo.peiyu.cn', role: 'officer', name: '经信委 王科长', password: 'Demo-Officer-Pass-2026' },
  { email: 'officer2@demo.peiyu.cn', role: 'officer', name: '经信委 李科员', password: 'Demo-Officer-Pass-2026' },
  { email: 'analyst1@demo.peiyu.cn', role: 'analyst', name: '规划处 赵分析师', password: 'Demo-Analyst-Pass-2026' },
  { email: 'analyst2@demo.peiyu.cn', role: 'analyst', name: '规划处 钱分析师', password: 'Demo-Analyst-Pass-2026' },
  ...[1, 2, 3, 4, 5, 6].map(i => ({ email: `reviewer${i}@demo.peiyu.cn`, role: 'reviewer', name: `评审专家 ${i}`, password: 'Demo-Reviewer-Pass-2026' })),
  // District officers (区县工作人员): they see their district's firms and pre-screen its applications.
  { email: 'district1@demo.peiyu.cn', role: 'district_officer', name: '甘井子区工信局 孙科长', password: 'Demo-District-Pass-2026', districtCode: '210211' },
  { email: 'district2@demo.peiyu.cn', role: 'district_officer', name: '中山区工信局 周科员', password: 'Demo-District-Pass-2026', districtCode: '210202' }
] as const
/** Every generated firm account shares this password (one precomputed argon2 hash: hashing 100,000 would take hours). */
export const FIRM_PASSWORD = 'Seed-Firm-Pass-2026'
export const firmEmail = (i: number) => `firm${i}@seed.peiyu.cn`

export class SeedRefused extends Error {
  override name = 'SeedRefused'
}

/** "2017-2026" → [2017, 2026]. */
export function parseYears (raw: string): [number, number] {
  const m = /^(\d{4})-(\d{4})$/.exec(raw)
  if (m == null) throw new SeedRefused(`--years must look like 2017-2026, got ${raw}`)
  const from = Number(m[1])
  const to = Number(m[2])
  if (to < from || to - from > 40) throw new SeedRefused('--years: the end must not be before the start, and at most 40 years')
  return [from, to]
}
