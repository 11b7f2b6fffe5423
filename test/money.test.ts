import t from 'tap'
import fc from 'fast-check'
import { compareRatio, fromFen, normalizeMoney, ratio, toFen } from '../server/domain/money.ts'

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

t.test('ratio rounds half up at the requested scale', async (t) => {
  const cases: Array<[bigint, bigint, number, string | null]> = [
    [1n, 3n, 4, '0.3333'], [2n, 3n, 4, '0.6667'], [1n, 8n, 2, '0.13'], [1n, 8n, 3, '0.125'],
    [5n, 1000n, 2, '0.01'], [4n, 1000n, 2, '0.00'], [3n, 100n, 4, '0.0300'],
    [-1n, 3n, 4, '-0.3333'], [1n, -8n, 2, '-0.13'], [-1n, 1000n, 2, '0.00'],
    [7n, 2n, 0, '4'], [1n, 0n, 4, null], [0n, 5n, 2, '0.00']
  ]
  for (const [n, d, scale, expected] of cases) t.equal(ratio(n, d, scale), expected, `${n}/${d} @${scale}`)
})

t.test('compareRatio is exact at the threshold', async (t) => {
  const cases: Array<[bigint, bigint, string, -1 | 0 | 1]> = [
    [3n, 100n, '0.03', 0], [299n, 10000n, '0.03', -1], [301n, 10000n, '0.03', 1],
    // 3% R&D of 150,000,000.00 yuan, in fen
    [450000000n, 15000000000n, '0.03', 0], [449999999n, 15000000000n, '0.03', -1],
    [1n, 3n, '0.3333', 1], [1n, 2n, '0.5', 0], [2n, 1n, '1', 1], [0n, 1n, '0', 0]
  ]
  for (const [n, d, threshold, expected] of cases) t.equal(compareRatio(n, d, threshold), expected, `${n}/${d} vs ${threshold}`)
  t.throws(() => compareRatio(1n, 0n, '0.03'), RangeError)
  t.throws(() => compareRatio(1n, 2n, '-0.5'), RangeError)
  t.throws(() => compareRatio(1n, 2n, '3%'), RangeError)
})

t.test('property: compareRatio agrees with cross-multiplication', async (t) => {
  fc.assert(fc.property(
    fc.bigInt({ min: 0n, max: 10n ** 15n }), fc.bigInt({ min: 1n, max: 10n ** 15n }), fc.integer({ min: 0, max: 100000 }),
    (n, d, basisPoints) => {
      const threshold = (basisPoints / 10000).toFixed(4)
      const expected = n * 10000n < BigInt(basisPoints) * d ? -1 : n * 10000n > BigInt(basisPoints) * d ? 1 : 0
      return compareRatio(n, d, threshold) === expected
    }), { numRuns: 2000 })
  t.pass('exact')
})
