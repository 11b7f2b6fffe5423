import { createHash, randomBytes } from 'node:crypto'
import { eq } from 'drizzle-orm'
import { createVerifier, type VerifierOptions } from 'fast-jwt'
import type { Db } from '../../db/client.ts'
import { serviceSecrets } from '../../db/schema/index.ts'

/**
 * Signing keys for the access tokens, by key id (`kid` in the token's header).
 *
 * The id is derived from the secret itself (a truncated SHA-256), so every
 * instance configured with the same secret names it the same way without any
 * further setting. Tokens are signed with the current secret (JWT_SECRET);
 * tokens signed with an earlier one (JWT_PREVIOUS_SECRETS) stay valid until
 * they expire, so a secret is rotated without signing anyone out: deploy
 * with the new secret first and the old one as previous, and drop the old
 * one after one token lifetime.
 */
export function keyId (secret: string): string {
  return createHash('sha256').update('peiyu-jwt-kid\n').update(secret).digest('base64url').slice(0, 16)
}

type VerifySync = (token: string) => Record<string, unknown>

export class KeyRing {
  readonly currentKid: string
  readonly #verifiers = new Map<string, VerifySync>()
  readonly #current: VerifySync

  constructor (current: string, previous: string[], options: Partial<VerifierOptions>) {
    this.currentKid = keyId(current)
    for (const secret of [current, ...previous]) {
      const kid = keyId(secret)
      if (!this.#verifiers.has(kid)) this.#verifiers.set(kid, createVerifier({ ...options, key: secret }) as VerifySync)
    }
    this.#current = this.#verifiers.get(this.currentKid)!
  }

  /**
   * The verified payload, or throws. The header's `kid` picks the secret; a
   * token without one (issued before key ids) is checked against the current
   * secret; an unknown `kid` is refused.
   */
  verify<T> (token: string): T {
    const dot = token.indexOf('.')
    if (dot <= 0) throw new Error('malformed token')
    let kid: unknown
    try {
      kid = (JSON.parse(Buffer.from(token.slice(0, dot), 'base64url').toString('utf8')) as { kid?: unknown }).kid
    } catch {
      throw new Error('malformed token header')
    }
    if (kid === undefined) return this.#current(token) as T
    const verifier = typeof kid === 'string' ? this.#verifiers.get(kid) : undefined
    if (verifier == null) throw new Error('unknown key id')
    return verifier(token) as T
  }
}

const SHARED_SECRET = 'jwt_secret'

/**
 * The signing secret the instances on one database share when JWT_SECRET is
 * not set (outside production only): the first instance to start generates
 * it, the insert that loses the race keeps the winner's, and every instance
 * reads the same row.
 */
export async function sharedJwtSecret (db: Db): Promise<string> {
  await db.insert(serviceSecrets).values({ name: SHARED_SECRET, value: randomBytes(48).toString('base64url') }).onConflictDoNothing()
  const [row] = await db.select({ value: serviceSecrets.value }).from(serviceSecrets).where(eq(serviceSecrets.name, SHARED_SECRET))
  return row.value
}
