import t from 'tap'
import fc from 'fast-check'
import { declarationProblems, type DeclarationFigures } from '../server/domain/declarations.ts'
import { fromFen, toFen } from '../server/domain/money.ts'

const BASE: DeclarationFigures = {
  operatingRevenue: '1000.00', softwareRevenue: '800.00', rdExpense: '50.00', exportRevenue: '0.00',
  employees: 10, rdStaff: 4, patents: 0, softwareCopyrights: 0
}
const CTX = { year: 2025, currentYear: 2026, foundedYear: 2015 }
const fieldsOf = (d: Partial<DeclarationFigures>, ctx: Partial<typeof CTX> = {}) =>
  declarationProblems({ ...BASE, ...d }, { ...CTX, ...ctx }).map(p => p.field)

t.test('each check at its boundary: equal passes, one unit over fails', async (t) => {
  const cases: Array<[string, Partial<DeclarationFigures>, Partial<typeof CTX>, string[]]> = [
    ['consistent', {}, {}, []],
    ['software revenue = operating revenue', { softwareRevenue: '1000.00' }, {}, []],
    ['software revenue one fen over', { softwareRevenue: '1000.01' }, {}, ['body.softwareRevenue']],
    ['export revenue = operating revenue', { exportRevenue: '1000' }, {}, []],
    ['export revenue one fen over', { exportRevenue: '1000.01' }, {}, ['body.exportRevenue']],
    ['main-business revenue = operating revenue', { mainBusinessRevenue: '1000.00' }, {}, []],
    ['main-business revenue one fen over', { mainBusinessRevenue: '1000.01' }, {}, ['body.mainBusinessRevenue']],
    ['main-business revenue absent', { mainBusinessRevenue: null }, {}, []],
    ['R&D above revenue is allowed (young firms)', { rdExpense: '5000.00' }, {}, []],
    ['R&D staff = employees', { rdStaff: 10 }, {}, []],
    ['R&D staff one over', { rdStaff: 11 }, {}, ['body.rdStaff']],
    ['no staff at all', { employees: 0, rdStaff: 0 }, {}, []],
    ['assets and liabilities', { totalAssets: '10.00', totalLiabilities: '20.00' }, {}, []],
    ['assets alone', { totalAssets: '10.00' }, {}, []],
    ['liabilities alone', { totalLiabilities: '20.00' }, {}, ['body.totalLiabilities']],
    ['this year', {}, { year: 2026 }, []],
    ['next year', {}, { year: 2027 }, ['params.year']],
    ['the founding year', {}, { year: 2015 }, []],
    ['the year before founding', {}, { year: 2014 }, ['params.year']],
    ['negative money', { rdExpense: '-0.01' }, {}, ['body.rdExpense']],
    ['negative count', { patents: -1 }, {}, ['body.patents']],
    ['fractional count', { employees: 1.5 }, {}, ['body.employees']],
    ['malformed money', { exportRevenue: '1e3' }, {}, ['body.exportRevenue']],
    ['several at once', { softwareRevenue: '2000.00', rdStaff: 11, totalLiabilities: '1.00' }, { year: 2030 }, ['params.year', 'body.softwareRevenue', 'body.rdStaff', 'body.totalLiabilities']]
  ]
  for (const [name, d, ctx, expected] of cases) t.same(fieldsOf(d, ctx), expected, name)
  t.match(declarationProblems({ ...BASE, rdStaff: 11 }, CTX)[0].message, 'must not exceed employees (10)')
})

const fen = fc.bigInt({ min: 0n, max: 10n ** 17n })
const count = fc.integer({ min: 0, max: 1_000_000 })

t.test('property: figures built consistent are always accepted', async (t) => {
  fc.assert(fc.property(fen, fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), fen, count, fc.double({
    min: 0,
    max: 1, noNaN: true
  }),
  (revenue, softShare, exportShare, rd, employees, rdShare) => {
    // Shares only pick the parts; the figures themselves stay exact bigint fen.
    const part = (share: number) => fromFen(revenue * BigInt(Math.floor(share * 1000)) / 1000n)
    const d: DeclarationFigures = {
      operatingRevenue: fromFen(revenue), softwareRevenue: part(softShare), exportRevenue: part(exportShare), mainBusinessRevenue: part(softShare),
      rdExpense: fromFen(rd), employees, rdStaff: Math.floor(employees * rdShare), patents: 0, softwareCopyrights: 0
    }
    return declarationProblems(d, CTX).length === 0
  }), { numRuns: 1000 })
  t.pass('accepted')
})

t.test('property: a part above the whole is always named', async (t) => {
  fc.assert(fc.property(fen, fc.bigInt({ min: 1n, max: 10n ** 12n }), fc.constantFrom('softwareRevenue', 'exportRevenue', 'mainBusinessRevenue'), (revenue, excess, part) => {
    const d = { ...BASE, operatingRevenue: fromFen(revenue), softwareRevenue: '0', exportRevenue: '0', [part]: fromFen(revenue + excess) }
    const fields = declarationProblems(d, CTX).map(p => p.field)
    return fields.length === 1 && fields[0] === `body.${part}` && toFen(d[part] as string) > revenue
  }), { numRuns: 1000 })
  t.pass('named')
})
