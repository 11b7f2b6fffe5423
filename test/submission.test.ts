import t from 'tap'
import { declarationFigures, freezeSubmission, frozenFigures, gradedDeclaration, type DeclarationRecord } from '../server/domain/submission.ts'
import type { Rubric } from '../server/domain/rubrics.ts'

const rubric: Rubric = {
  indicators: [
    { key: 'rd_intensity', nameZh: '研发', nameEn: 'R&D', group: 'innovation', kind: 'auto', max: 20, source: 'rd_intensity', bands: [{ atLeast: '0.05', points: 20 }, { atLeast: '0.03', points: 10 }] },
    { key: 'revenue_growth', nameZh: '增长', nameEn: 'Growth', group: 'growth', kind: 'auto', max: 10, source: 'revenue_growth', bands: [{ atLeast: '0.10', points: 10 }] },
    { key: 'novelty', nameZh: '先进性', nameEn: 'Novelty', group: 'innovation', kind: 'judged', max: 10 }
  ],
  groupMinimums: {},
  passMark: 20,
  gradeBands: [{ grade: 'A', min: 30 }, { grade: 'D', min: 0 }]
}

const declaration = (year: number, revenue: string, rd: string): DeclarationRecord => ({
  id: `00000000-0000-4000-8000-00000000${year}`, year, tierCode: 'above_scale', version: 1,
  operatingRevenue: revenue, softwareRevenue: revenue, rdExpense: rd, exportRevenue: '0',
  mainBusinessRevenue: null, totalAssets: '100', totalLiabilities: null, employees: 50, rdStaff: 10, patents: 1, softwareCopyrights: 2
})

const input = (graded: DeclarationRecord, previous: DeclarationRecord | null) => ({
  now: new Date('2026-03-02T01:00:00Z'),
  call: { id: 'call', program: 'innovative_growth', year: 2025, rubricId: 'rubric' },
  enterprise: { id: 'firm', uscc: '91210202000000042N', name: '示例', districtCode: '210202', foundedOn: '2015-05-20', domains: ['ai', 'big_data'] },
  declaration: graded,
  previousDeclaration: previous,
  documents: [],
  gates: [{ gate: 'rd_intensity_at_least' as const, ratio: '0.03' }],
  rubric
})

t.test('the graded declaration: the latest up to the call year, and the year before it', async (t) => {
  const years = [2021, 2022, 2024, 2026].map(year => ({ year }))
  t.same(gradedDeclaration(years, 2025), { graded: { year: 2024 }, previous: null }, '2023 undeclared: no previous year')
  t.same(gradedDeclaration(years, 2022), { graded: { year: 2022 }, previous: { year: 2021 } })
  t.same(gradedDeclaration(years, 2026), { graded: { year: 2026 }, previous: null })
  t.equal(gradedDeclaration(years, 2020), null, 'nothing declared up to the call year')
})

t.test('submitting freezes normalised figures, runs the gates and scores the auto indicators', async (t) => {
  const s = freezeSubmission(input(declaration(2025, '1000', '60.5'), declaration(2024, '800.00', '40')))
  t.equal(s.event, 'submit')
  t.same(s.eligibility, { passed: true, failedGates: [] })
  t.equal(s.declarationYear, 2025)
  t.equal(s.snapshot.frozenAt, '2026-03-02T01:00:00.000Z')
  t.equal(s.snapshot.declaration.operatingRevenue, '1000.00', 'money with two decimals')
  t.equal(s.snapshot.declaration.exportRevenue, '0.00')
  t.equal(s.snapshot.declaration.totalLiabilities, null)
  t.same(s.snapshot.previousDeclaration, declarationFigures(declaration(2024, '800.00', '40')))
  // R&D 6.05% → 20 points; growth 25% → 10 points; the judged indicator is not auto-scored.
  t.same(s.autoScores?.indicators.map(i => [i.key, i.points]), [['rd_intensity', '20.00'], ['revenue_growth', '10.00']])
  t.equal(s.autoScores?.total, '30.00')
  t.same(frozenFigures(s.snapshot).previous, { year: 2024, operatingRevenue: '800.00' })
})

t.test('an ineligible submission lists the failed gate and gets no auto scores', async (t) => {
  const s = freezeSubmission(input(declaration(2025, '1000', '29.99'), null))
  t.equal(s.event, 'submit_ineligible')
  t.equal(s.eligibility.passed, false)
  t.same(s.eligibility.failedGates.map(g => [g.gate, g.actual]), [['rd_intensity_at_least', '0.0299']])
  t.equal(s.autoScores, null)
  t.equal(s.snapshot.previousDeclaration, null)
})

t.test('required documents and the revision window (pure rules)', async (t) => {
  const { missingDocuments, revisionDeadline, submissionRefusal } = await import('../server/domain/submission.ts')
  const req = [{ key: 'a', nameZh: '甲', nameEn: 'A' }, { key: 'b', nameZh: '乙', nameEn: 'B' }]
  t.same(missingDocuments(req, []), req)
  t.same(missingDocuments(req, [{ kind: 'b' }, { kind: null }, {}]), [req[0]])
  t.same(missingDocuments(req, [{ kind: 'a' }, { kind: 'b' }]), [])
  t.same(missingDocuments([], [{ kind: 'x' }]), [])
  const returned = new Date('2026-03-01T00:00:00Z')
  t.equal(revisionDeadline(returned, 10).toISOString(), '2026-03-11T00:00:00.000Z')
  t.equal(revisionDeadline(returned, 0).toISOString(), returned.toISOString())
  const due = revisionDeadline(returned, 10)
  const before = new Date('2026-03-10T23:59:59Z')
  const at = due
  const table: Array<[boolean, boolean, Date | null, Date, string | null]> = [
    [true, false, null, before, null],
    [true, true, due, new Date('2026-04-01T00:00:00Z'), null], // the call is open: always accepted
    [false, false, null, before, 'CALL_CLOSED'],
    [false, true, due, before, null],
    [false, true, due, at, 'REVISION_CLOSED'], // the deadline itself is past the window
    [false, true, null, before, 'REVISION_CLOSED']
  ]
  for (const [callOpen, isReturned, revisionDueAt, now, expected] of table) {
    t.equal(submissionRefusal({ callOpen, returned: isReturned, revisionDueAt, now }), expected, `${callOpen} ${isReturned} ${revisionDueAt?.toISOString()} ${now.toISOString()}`)
  }
})
