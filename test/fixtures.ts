import type { TierRule } from '../server/domain/tiers.ts'

/** The default tier rules of db/migrations/0001_reference_data.sql, for pure tests. */
export const DEFAULT_TIER_RULES: TierRule[] = [
  { tierCode: 'ten_billion', minRevenue: '10000000000.00', fromYear: 2000, toYear: null, domainCode: null },
  { tierCode: 'billion', minRevenue: '1000000000.00', fromYear: 2000, toYear: null, domainCode: null },
  { tierCode: 'hundred_million', minRevenue: '100000000.00', fromYear: 2000, toYear: null, domainCode: null },
  { tierCode: 'above_scale', minRevenue: '5000000.00', fromYear: 2000, toYear: 2021, domainCode: null },
  { tierCode: 'above_scale', minRevenue: '20000000.00', fromYear: 2022, toYear: null, domainCode: null },
  { tierCode: 'above_scale', minRevenue: '5000000.00', fromYear: 2022, toYear: null, domainCode: 'industrial_software' },
  { tierCode: 'above_scale', minRevenue: '5000000.00', fromYear: 2022, toYear: null, domainCode: 'info_security' },
  { tierCode: 'above_scale', minRevenue: '5000000.00', fromYear: 2022, toYear: null, domainCode: 'big_data' }
]
