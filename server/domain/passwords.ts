import { createRequire } from 'node:module'

// Mozilla's list of the 50,000 most common passwords (fxa-common-password-list).
const commonList = createRequire(import.meta.url)('fxa-common-password-list') as { test: (pw: string) => boolean }

export const PASSWORD_MIN = 10
export const PASSWORD_MAX = 256

/** Returns why a password is refused, or null when it is acceptable. */
export function passwordProblem (password: string, context: string[] = []): string | null {
  const length = [...password].length
  if (length < PASSWORD_MIN) return `must be at least ${PASSWORD_MIN} characters`
  if (length > PASSWORD_MAX) return `must be at most ${PASSWORD_MAX} characters`
  if (commonList.test(password) || commonList.test(password.toLowerCase())) return 'is one of the most common passwords'
  if (new Set(password).size < 4) return 'uses too few different characters'
  const lower = password.toLowerCase()
  for (const c of context) {
    if (c.length >= 4 && lower.includes(c.toLowerCase())) return 'must not contain your email, name or credit code'
  }
  return null
}
