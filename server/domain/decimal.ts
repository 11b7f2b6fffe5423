/**
 * Exact decimals: the one place a decimal string ("0.03", "-12.5", "1500.50")
 * is parsed, compared, or produced from a ratio. Values are bigint fractions
 * (`Rational`) or integers at a fixed scale (fen, hundredths of a point);
 * never a float. money.ts builds on it.
 */

/** An exact fraction num/den; den > 0. */
export interface Rational { num: bigint, den: bigint }

const DECIMAL_RE = /^(-)?(\d+)(?:\.(\d+))?$/

/** "12", "-0.5", "3.1415": digits, an optional sign and an optional fraction (no exponent, no spaces). */
export function isDecimal (s: string): boolean {
  return DECIMAL_RE.test(s)
}

/** A decimal string as an exact fraction; RangeError when it is not one. */
export function parseDecimal (s: string): Rational {
  const m = DECIMAL_RE.exec(s)
  if (m == null) throw new RangeError(`not a decimal: ${s}`)
  const frac = m[3] ?? ''
  const num = BigInt(m[2] + frac)
  return { num: m[1] != null ? -num : num, den: 10n ** BigInt(frac.length) }
}

/** parseDecimal for a value that may not be negative (a goal, a threshold); surrounding spaces are allowed. */
export function parseNonNegativeDecimal (s: string): Rational {
  const t = s.trim()
  if (t.startsWith('-') || !isDecimal(t)) throw new RangeError(`not a decimal: ${s}`)
  return parseDecimal(t)
}

/**
 * The decimal string as an integer count of 10^-scale units ("12.5", 2 → 1250n);
 * null when it is not a decimal or has more than `scale` decimals.
 */
export function toScaled (s: string, scale: number): bigint | null {
  const m = DECIMAL_RE.exec(s)
  if (m == null || (m[3] ?? '').length > scale) return null
  const n = BigInt(m[2]) * 10n ** BigInt(scale) + BigInt((m[3] ?? '').padEnd(scale, '0') || '0')
  return m[1] != null ? -n : n
}

/** An integer count of 10^-scale units as a decimal string (1250n, 2 → "12.50"). */
export function fromScaled (n: bigint, scale: number): string {
  // The digits once, then the point put in: no bigint division (a seed formats a hundred million amounts).
  const negative = n < 0n
  const digits = String(negative ? -n : n).padStart(scale + 1, '0')
  const cut = digits.length - scale
  return `${negative ? '-' : ''}${scale > 0 ? `${digits.slice(0, cut)}.${digits.slice(cut)}` : digits}`
}

export function compareRationals (a: Rational, b: Rational): -1 | 0 | 1 {
  const l = a.num * b.den
  const r = b.num * a.den
  return l < r ? -1 : l > r ? 1 : 0
}

/** Compares two decimal strings exactly: -1, 0 or 1. */
export function compareDecimals (a: string, b: string): -1 | 0 | 1 {
  return compareRationals(parseDecimal(a), parseDecimal(b))
}

/**
 * numerator / denominator as a decimal string with `scale` decimals, rounded
 * half up; null when the denominator is zero.
 */
export function ratio (numerator: bigint, denominator: bigint, scale = 4): string | null {
  if (denominator === 0n) return null
  const neg = (numerator < 0n) !== (denominator < 0n)
  const n = numerator < 0n ? -numerator : numerator
  const d = denominator < 0n ? -denominator : denominator
  const factor = 10n ** BigInt(scale)
  const scaled = (n * factor * 2n + d) / (2n * d)
  const int = scaled / factor
  const frac = String(scaled % factor).padStart(scale, '0')
  return `${neg && scaled !== 0n ? '-' : ''}${int}${scale > 0 ? '.' + frac : ''}`
}

/** n / d (n ≥ 0, d > 0) with `scale` decimals, rounded down. */
export function ratioRoundedDown (n: bigint, d: bigint, scale = 4): string {
  return fromScaled((n * 10n ** BigInt(scale)) / d, scale)
}

/** Compares a ratio numerator/denominator with a non-negative decimal threshold exactly: -1, 0 or 1. */
export function compareRatio (numerator: bigint, denominator: bigint, threshold: string): -1 | 0 | 1 {
  if (!/^\d+(?:\.\d+)?$/.test(threshold) || denominator <= 0n) throw new RangeError(`bad ratio comparison: ${threshold}`)
  return compareRationals({ num: numerator, den: denominator }, parseDecimal(threshold))
}

/** A ratio like "0.03" as a percentage for people: "3%" ("0.125" → "12.5%"). */
export function decimalAsPercent (decimal: string): string {
  const [int, frac = ''] = decimal.split('.')
  const whole = (int + frac.padEnd(2, '0').slice(0, 2)).replace(/^0+(?=\d)/, '')
  const rest = frac.slice(2).replace(/0+$/, '')
  return `${whole}${rest === '' ? '' : '.' + rest}%`
}
