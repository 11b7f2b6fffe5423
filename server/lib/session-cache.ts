import { eq, sql } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import { revokedTokens, users } from '../../db/schema/index.ts'
import type { Principal } from '../domain/access.ts'
/**
 * The session check of every authenticated request (is the user still
 * enabled, with the same role and token version, and was this token revoked?)
 * answered from memory for a short while instead of a database round trip.
 *
 * Correctness does not rest on the time-to-live alone:
 * - this process forgets a token or a user as soon as it revokes or changes
 *   one (logout, disable, role change), after the change commits;
 * - every process LISTENs on {@link SESSION_CHANNEL}: triggers on `users` and
 *   `revoked_tokens` (db/migrations/0010) NOTIFY on commit, so other instances
 *   and changes made outside the service are seen within milliseconds;
 * - a lookup that was in flight while anything was forgotten is used for its
 *   own request but not kept (the epoch check), so a stale answer cannot be
 *   cached after the change that made it stale;
 * - the time-to-live (SESSION_CACHE_TTL_MS, 2 s by default; 0 turns the cache
 *   off) bounds how long a missed notification could matter.
 */

/** What the session check needs of a token's user. */
export interface SessionState {
  userId: string
  role: string
  enterpriseId: string | null
  disabled: boolean
  tokenVersion: number
  revoked: boolean
}

/** The NOTIFY channel of db/migrations/0010_session_notify.sql. */
export const SESSION_CHANNEL = 'peiyu_sessions'

export class SessionCache {
  readonly #entries = new Map<string, { state: SessionState, expiresAt: number }>()
  #epoch = 0

  constructor (readonly ttlMs: number, readonly maxEntries = 50_000) {}

  get enabled (): boolean { return this.ttlMs > 0 }

  /** The cached state of the token `jti`, if fresh. */
  get (jti: string, now = Date.now()): SessionState | undefined {
    const entry = this.#entries.get(jti)
    if (entry == null) return undefined
    if (entry.expiresAt <= now) {
      this.#entries.delete(jti)
      return undefined
    }
    return entry.state
  }

  /** Take before a lookup; pass to {@link put} with its answer. */
  epoch (): number { return this.#epoch }

  /** Keeps a lookup's answer unless something was forgotten since the lookup started. */
  put (jti: string, state: SessionState, epochAtLookup: number, now = Date.now()): void {
    if (!this.enabled || epochAtLookup !== this.#epoch) return
    if (this.#entries.size >= this.maxEntries) {
      // Oldest first (a Map iterates in insertion order).
      const oldest = this.#entries.keys().next().value
      if (oldest != null) this.#entries.delete(oldest)
    }
    this.#entries.set(jti, { state, expiresAt: now + this.ttlMs })
  }

  forgetToken (jti: string): void {
    this.#epoch++
    this.#entries.delete(jti)
  }

  forgetUser (userId: string): void {
    this.#epoch++
    for (const [jti, entry] of this.#entries) if (entry.state.userId === userId) this.#entries.delete(jti)
  }

  clear (): void {
    this.#epoch++
    this.#entries.clear()
  }

  get size (): number { return this.#entries.size }

  /** Applies one notification: `u:<user id>`, `t:<jti>`, or anything else (`*`) forgets everything. */
  applyNotification (payload: string): void {
    if (payload.startsWith('u:')) this.forgetUser(payload.slice(2))
    else if (payload.startsWith('t:')) this.forgetToken(payload.slice(2))
    else this.clear()
  }
}

/** A session lookup's row: the user's state and whether the token was revoked (no row: the user is gone). */
export type SessionRow = Omit<SessionState, 'userId'>

/**
 * A token whose signature and claims are verified but whose session is not
 * checked yet: the session cache did not know it, and the route (declaring
 * `config.sessionInRead`) reads the session row in its own statement, beside
 * what it reads anyway — one round trip instead of two. The route must pass
 * that row to `settle` before it uses anything it read: `settle` applies the
 * same checks as the separate lookup (401 unless the user exists, is enabled,
 * has the token's role and token version, and the token is not revoked),
 * keeps the row in the session cache like a lookup, and returns the caller.
 */
export interface DeferredSession {
  userId: string
  jti: string
  /** The role the token was issued for; the read's visibility is built for it, and `settle` refuses the token unless the user still has it. */
  role: Principal['role']
  settle: (row: SessionRow | undefined) => Principal
}

/**
 * The session lookup: the user's current state and whether this token was
 * revoked, in one statement, on the placeholders `userId` and `jti`. The
 * authentication hook prepares it alone; a `sessionInRead` route joins it
 * (as a subquery) to its own read.
 */
export function sessionRowQuery (db: Db) {
  return db.select({
    role: users.role,
    enterpriseId: users.enterpriseId,
    disabled: users.disabled,
    tokenVersion: users.tokenVersion,
    revoked: sql<boolean>`exists (select 1 from ${revokedTokens} where ${revokedTokens.jti} = ${sql.placeholder('jti')})`.as('revoked')
  }).from(users).where(eq(users.id, sql.placeholder('userId')))
}
