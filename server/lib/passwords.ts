import argon2 from 'argon2'

/**
 * argon2id with explicit parameters (OWASP's minimum: m=19 MiB, t=2, p=1).
 * Changing them only affects new hashes; argon2.verify reads them from the hash.
 */
export const ARGON2_OPTIONS = { type: argon2.argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const

export async function hashPassword (password: string): Promise<string> {
  return await argon2.hash(password, ARGON2_OPTIONS)
}

export async function verifyPassword (hash: string, password: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, password)
  } catch {
    return false
  }
}

let dummyHash: Promise<string> | undefined
/** A hash to verify against when the account does not exist, so both paths take as long. */
export async function verifyAgainstDummy (password: string): Promise<false> {
  dummyHash ??= hashPassword('peiyu-dummy-password-for-timing')
  await verifyPassword(await dummyHash, password)
  return false
}
