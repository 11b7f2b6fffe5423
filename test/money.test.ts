import t from 'tap'
import fc from 'fast-check'
import { fromFen, normalizeMoney, toFen } from '../server/domain/money.ts'

t.test('toFen reads yuan strings exactly', async (t) => {
  const cases: Array<[string, bigint]> = [
    ['0', 0n], ['0.00', 0n], ['0.01', 1n], ['0.1', 10n], ['1', 100n], ['1.5', 150n], ['1.50', 150n],
    ['123456789.50', 12345678950n], ['9999999999999999.99', 999999999999999999n],
    ['-0.01', -1n], ['-12.3', -1230n], [' 7.25 ', 725n],
    // beyond Number.MAX_SAFE_INTEGER fen: still exact
    ['90071992547409.93', 9007199254740993n]
  ]
  for (const [input, fen] of cases) t.equal(toFen(input), fen, input)
})

t.test('toFen refuses what is not an amount', async (t) => {
  for (const bad of ['', '.5', '1.', '1.234', '1e6', '1,000.00', 'abc', '+1', '--1', '0x10', 'NaN', 'Infinity', '1 000']) {
    t.throws(() => toFen(bad), RangeError, JSON.stringify(bad))
  }
})

t.test('fromFen and normalizeMoney write two decimals', async (t) => {
  const cases: Array<[bigint, string]> = [[0n, '0.00'], [1n, '0.01'], [10n, '0.10'], [100n, '1.00'], [12345678950n, '123456789.50'], [-1n, '-0.01'], [-1230n, '-12.30']]
  for (const [fen, text] of cases) t.equal(fromFen(fen), text, String(fen))
  t.equal(normalizeMoney('1500.5'), '1500.50')
  t.equal(normalizeMoney('1500'), '1500.00')
  t.equal(normalizeMoney('0001500.50'), '1500.50')
  t.equal(normalizeMoney('1500.50'), '1500.50', 'already canonical')
  t.equal(normalizeMoney('-0.00'), '0.00', 'no negative zero')
  t.equal(normalizeMoney('-12.30'), '-12.30')
  t.equal(normalizeMoney('0.5'), '0.50')
})

t.test('property: fen → string → fen is the identity', async (t) => {
  fc.assert(fc.property(fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }), (fen) => toFen(fromFen(fen)) === fen), { numRuns: 2000 })
  fc.assert(fc.property(fc.bigInt({ min: 0n, max: 10n ** 18n }), (fen) => normalizeMoney(fromFen(fen)) === fromFen(fen)), { numRuns: 1000 })
  // Any decimal spelling reads back as the canonical one, with or without the fast path.
  fc.assert(fc.property(fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n }), fc.nat(3), (fen, zeros) => {
    const text = fromFen(fen).replace(/^(-?)/, `$1${'0'.repeat(zeros)}`)
    return normalizeMoney(text) === fromFen(fen)
  }), { numRuns: 1000 })
  t.pass('round trip')
})
