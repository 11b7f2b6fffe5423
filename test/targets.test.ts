import t from 'tap'
import { targetProblems, type TargetInput } from '../server/domain/targets.ts'

// The meaning of a target set (the shape is the schema's): a table of sets and the problems each has.
const base: TargetInput = { key: 'k', measure: 'employees', tierCode: null, comparator: 'gte', goal: '500000', dueYear: 2028, labelZh: '从业人员', labelEn: 'Employees' }

t.test('targetProblems: each rule, by table', async (t) => {
  const cases: Array<[string, TargetInput[], string[]]> = [
    ['a valid set', [base, { ...base, key: 'b', measure: 'firms_at_least_tier', tierCode: 'billion', goal: '25' }], []],
    ['a key twice', [base, { ...base }], ['body.targets.1.key']],
    ['a tiered measure without its tier', [{ ...base, measure: 'firms_at_least_tier', tierCode: null }], ['body.targets.0.tierCode']],
    ['a tier on a measure that uses none', [{ ...base, tierCode: 'billion' }], ['body.targets.0.tierCode']],
    ['a ratio goal above 1', [{ ...base, measure: 'rd_to_software_revenue', goal: '1.5' }], ['body.targets.0.goal']],
    ['a ratio goal of exactly 1', [{ ...base, measure: 'rd_to_software_revenue', goal: '1.0000' }], []],
    ['a ratio goal as a fraction', [{ ...base, measure: 'revenue_share_at_least_tier', tierCode: 'hundred_million', goal: '0.5' }], []]
  ]
  for (const [name, targets, fields] of cases) {
    t.same(targetProblems(targets).map(p => p.field), fields, name)
  }
})
