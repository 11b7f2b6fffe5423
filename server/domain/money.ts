/**
 * Exact money: amounts travel as decimal strings of yuan ("123456789.50") and
 * are computed as bigint fen (1 yuan = 100 fen). Never a float.
 */
const MONEY_RE = /^(-)?(\d+)(?:\.(\d{1,2}))?$/

export function toFen (amount: string): bigint {
  const m = MONEY_RE.exec(amount.trim())
  if (m == null) throw new RangeError(`not a money amount: ${amount}`)
  const fen = BigInt(m[2]) * 100n + BigInt((m[3] ?? '').padEnd(2, '0'))
  return m[1] != null ? -fen : fen
}

export function fromFen (fen: bigint): string {
  const neg = fen < 0n
  const abs = neg ? -fen : fen
  return `${neg ? '-' : ''}${abs / 100n}.${String(abs % 100n).padStart(2, '0')}`
}

/** Normalises a numeric value read from the database ("1500.5", "1500.50") to two decimals. */
export function normalizeMoney (amount: string): string {
  // numeric(…, 2) columns and their sums already read back this way.
  if (CANONICAL_MONEY_RE.test(amount)) return amount
  return fromFen(toFen(amount))
}
/** normalizeMoney for an optional figure: null stays null. */
export function normalizeOptionalMoney (amount: string | null | undefined): string | null {
  return amount == null ? null : normalizeMoney(amount)
}
const CANONICAL_MONEY_RE = /^(?:-(?!0\.00$))?(?:0|[1-9]\d*)\.\d{2}$/

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

/** Compares a ratio numerator/denominator with a decimal threshold exactly: -1, 0 or 1. */
export function compareRatio (numerator: bigint, denominator: bigint, threshold: string): -1 | 0 | 1 {
  const m = /^(\d+)(?:\.(\d+))?$/.exec(threshold)
  if (m == null || denominator <= 0n) throw new RangeError(`bad ratio comparison: ${threshold}`)
  const frac = m[2] ?? ''
  const scale = 10n ** BigInt(frac.length)
  const t = BigInt(m[1]) * scale + BigInt(frac === '' ? '0' : frac)
  const left = numerator * scale
  const right = t * denominator
  return left < right ? -1 : left > right ? 1 : 0
}
