// The GB 32100-2015 check of a unified social credit code, ported from
// server/domain/uscc.ts so the registration form can answer while typing.
// The server checks again; this is only instant feedback.
export const USCC_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY'
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]

export function usccCheckCharacter (first17) {
  let sum = 0
  for (let i = 0; i < 17; i++) sum += USCC_ALPHABET.indexOf(first17[i]) * WEIGHTS[i]
  const c = 31 - (sum % 31)
  return USCC_ALPHABET[c === 31 ? 0 : c]
}

/**
 * { ok: true, code, divisionCode } or { ok: false, rule, position?, expected? }
 * with rule one of length, charset, division_code, check_character.
 */
export function checkUscc (input) {
  const code = String(input).trim().toUpperCase()
  if (code.length !== 18) return { ok: false, rule: 'length', length: code.length }
  for (let i = 0; i < 18; i++) {
    if (!USCC_ALPHABET.includes(code[i])) return { ok: false, rule: 'charset', position: i + 1, char: code[i] }
  }
  if (!/^\d{6}$/.test(code.slice(2, 8))) return { ok: false, rule: 'division_code' }
  const expected = usccCheckCharacter(code.slice(0, 17))
  if (code[17] !== expected) return { ok: false, rule: 'check_character', expected, got: code[17] }
  return { ok: true, code, divisionCode: code.slice(2, 8) }
}
