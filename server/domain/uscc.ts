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
