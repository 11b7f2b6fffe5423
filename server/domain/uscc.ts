/**
 * Unified social credit code (统一社会信用代码), GB 32100-2015: 18 characters
 * from 0-9A-HJ-NPQRTUWXY (no I, O, S, V, Z). Characters 3-8 are the
 * administrative division code; the 18th is a check character over the
 * first 17 (weights 3^(i-1) mod 31, check = 31 - sum mod 31).
 */
export const USCC_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY'
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]

export type UsccCheck =
  | { ok: true, code: string, divisionCode: string }
  | { ok: false, rule: 'length' | 'charset' | 'division_code' | 'check_character', reason: string }

/** The check character for the first 17 characters of a code. */
export function usccCheckCharacter (first17: string): string {
  let sum = 0
  for (let i = 0; i < 17; i++) sum += USCC_ALPHABET.indexOf(first17[i]) * WEIGHTS[i]
  const c = 31 - (sum % 31)
  return USCC_ALPHABET[c === 31 ? 0 : c]
}

export function checkUscc (input: string): UsccCheck {
  const code = input.trim().toUpperCase()
  if (code.length !== 18) {
    return { ok: false, rule: 'length', reason: `must be 18 characters, got ${code.length}` }
  }
  for (let i = 0; i < 18; i++) {
    if (!USCC_ALPHABET.includes(code[i])) {
      return { ok: false, rule: 'charset', reason: `character ${i + 1} ("${code[i]}") is not one of 0-9A-HJ-NPQRTUWXY` }
    }
  }
  if (!/^\d{6}$/.test(code.slice(2, 8))) {
    return { ok: false, rule: 'division_code', reason: 'characters 3-8 must be a 6-digit administrative division code' }
  }
  const expected = usccCheckCharacter(code.slice(0, 17))
  if (code[17] !== expected) {
    return { ok: false, rule: 'check_character', reason: `check character (18th) should be ${expected}, got ${code[17]}` }
  }
  return { ok: true, code, divisionCode: code.slice(2, 8) }
}

/** Builds a valid code from 17 characters (tests, seeds). */
export function completeUscc (first17: string): string {
  return first17 + usccCheckCharacter(first17)
}

/** How registration treats a credit code whose division is not the chosen district (policy uscc_division_check). */
export interface DivisionPolicy { mode: 'off' | 'warn' | 'refuse', accept: Record<string, string[]> }
export const DEFAULT_DIVISION_POLICY: DivisionPolicy = { mode: 'warn', accept: {} }

/**
 * Whether a code's division (characters 3-8) fits a district: the district's
 * own code, or a prefix the policy lists for it (pilot zones register firms
 * under the divisions they span).
 */
export function divisionFitsDistrict (divisionCode: string, districtCode: string, policy: DivisionPolicy): boolean {
  if (divisionCode === districtCode) return true
  return (policy.accept[districtCode] ?? []).some(prefix => divisionCode.startsWith(prefix))
}

/** Reads the policy value, falling back to the default on anything malformed. */
export function parseDivisionPolicy (value: unknown): DivisionPolicy {
  const v = value as { mode?: unknown, accept?: unknown } | null
  const mode = v?.mode === 'off' || v?.mode === 'warn' || v?.mode === 'refuse' ? v.mode : DEFAULT_DIVISION_POLICY.mode
  const accept: Record<string, string[]> = {}
  if (v?.accept != null && typeof v.accept === 'object') {
    for (const [k, list] of Object.entries(v.accept as Record<string, unknown>)) {
      if (Array.isArray(list)) accept[k] = list.filter((x): x is string => typeof x === 'string' && /^\d{1,6}$/.test(x))
    }
  }
  return { mode, accept }
}
