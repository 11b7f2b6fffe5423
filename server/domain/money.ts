import { fromScaled, toScaled } from './decimal.ts'

/**
 * Exact money: amounts travel as decimal strings of yuan ("123456789.50") and
 * are computed as bigint fen (1 yuan = 100 fen). Never a float. Decimal
 * parsing, comparison and ratios in general: decimal.ts.
 */

/** "1500.5" → 150050n; RangeError on anything but a decimal with at most two decimals. */
export function toFen (amount: string): bigint {
  const fen = toScaled(amount.trim(), 2)
  if (fen == null) throw new RangeError(`not a money amount: ${amount}`)
  return fen
}

/** 150050n → "1500.50". */
export function fromFen (fen: bigint): string {
  return fromScaled(fen, 2)
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
