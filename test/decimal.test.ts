import t from 'tap'
import fc from 'fast-check'
import {
  compareDecimals, compareRatio, decimalAsPercent, fromScaled, isDecimal, parseDecimal, parseNonNegativeDecimal, ratio, ratioRoundedDown, toScaled
} from '../server/domain/decimal.ts'

t.test('parseDecimal reads a decimal string as an exact fraction', async (t) => {
  t.same(parseDecimal('0.03'), { num: 3n, den: 100n })
  t.same(parseDecimal('-12.5'), { num: -125n, den: 10n })
  t.same(parseDecimal('7'), { num: 7n, den: 1n })
  t.same(parseDecimal('123456789012345678901.0001'), { num: 1234567890123456789010001n, den: 10000n }, 'beyond a float')
  for (const bad of ['', '.5', '1.', '1e6', '+1', '--1', ' 1', '1,0', 'NaN', '0x10']) t.throws(() => parseDecimal(bad), RangeError, JSON.stringify(bad))
  for (const bad of ['.5', '1.', '1e6', '+1', '-1', '-0.5', 'abc']) t.throws(() => parseNonNegativeDecimal(bad), RangeError, JSON.stringify(bad))
  t.same(parseNonNegativeDecimal(' 0.08 '), { num: 8n, den: 100n }, 'a goal may carry spaces')
  t.ok(isDecimal('-0.5') && isDecimal('12') && !isDecimal('1.') && !isDecimal('=1+2') && !isDecimal('-'))
})

t.test('compareDecimals orders decimal strings exactly, whatever their number of decimals', async (t) => {
  const cases: Array<[string, string, -1 | 0 | 1]> = [
    ['1', '1.0000', 0], ['0.08', '1', -1], ['1.0001', '1', 1], ['-0.5', '0', -1], ['-0.5', '-0.49', -1],
    ['12345678901234567890.1', '12345678901234567890.09', 1]
  ]
  for (const [a, b, expected] of cases) t.equal(compareDecimals(a, b), expected, `${a} vs ${b}`)
})

t.test('toScaled and fromScaled: a decimal string as an integer count of 10^-scale', async (t) => {
  t.equal(toScaled('12.5', 2), 1250n)
  t.equal(toScaled('-0.01', 2), -1n)
  t.equal(toScaled('3', 0), 3n)
  t.equal(toScaled('1.234', 2), null, 'more decimals than the scale')
  t.equal(toScaled('abc', 2), null)
  t.equal(fromScaled(1250n, 2), '12.50')
  t.equal(fromScaled(-1n, 4), '-0.0001')
  t.equal(fromScaled(42n, 0), '42')
  fc.assert(fc.property(fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }), fc.nat(6), (n, scale) => toScaled(fromScaled(n, scale), scale) === n),
    { numRuns: 1000 })
  t.pass('round trip')
})

t.test('ratioRoundedDown never rounds up to the threshold; decimalAsPercent', async (t) => {
  t.equal(ratioRoundedDown(29994n, 10_000_000n), '0.0029')
  t.equal(ratioRoundedDown(2n, 3n, 4), '0.6666')
  t.equal(ratioRoundedDown(3n, 1n, 2), '3.00')
  t.equal(decimalAsPercent('0.03'), '3%')
  t.equal(decimalAsPercent('0.125'), '12.5%')
  t.equal(decimalAsPercent('0.0100'), '1%')
  t.equal(decimalAsPercent('1'), '100%')
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
