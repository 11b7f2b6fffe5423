import { createHash } from 'node:crypto'
import { and, eq, sql } from 'drizzle-orm'
import { type Db, type Tx, inTransaction } from '../../db/client.ts'
import { idempotencyKeys } from '../../db/schema/index.ts'
import { errors } from '../domain/errors.ts'
import { canonicalJson } from './audit.ts'

export interface IdempotentResult<T> { statusCode: number, body: T, replayed: boolean }

/**
 * Runs a creating request at most once per (caller, Idempotency-Key), after
 * Stripe's semantics: the same key and body replays the first response; the
 * same key with another body is 422. The key row is written in the same
 * transaction as the work, so a failed attempt leaves no key behind, and a
 * concurrent duplicate waits on the key's row lock and then replays.
 */
export async function runIdempotent<T> (
  db: Db,
  opts: { userId: string, key: string | undefined, route: string, body: unknown },
  work: (tx: Tx) => Promise<{ statusCode: number, body: T }>
): Promise<IdempotentResult<T>> {
  if (opts.key == null) {
    const out = await inTransaction(db, work)
    return { ...out, replayed: false }
  }
  const key = opts.key
  if (key.length === 0 || key.length > 255) throw errors.validation([{ field: 'Idempotency-Key', message: 'must be 1-255 characters' }])
  const requestHash = createHash('sha256').update(opts.route).update('\n').update(canonicalJson(opts.body ?? null)).digest('hex')
  return await inTransaction(db, async (tx) => {
    const inserted = await tx.insert(idempotencyKeys)
      .values({ userId: opts.userId, key, route: opts.route, requestHash })
      .onConflictDoNothing()
      .returning({ key: idempotencyKeys.key })
    if (inserted.length === 0) {
      const [prior] = await tx.select().from(idempotencyKeys)
        .where(and(eq(idempotencyKeys.userId, opts.userId), eq(idempotencyKeys.key, key)))
        .for('update')
      if (prior == null) throw errors.idempotencyInProgress()
      if (prior.requestHash !== requestHash) throw errors.idempotencyKeyReused()
      if (prior.statusCode == null) throw errors.idempotencyInProgress()
      return { statusCode: prior.statusCode, body: prior.response as T, replayed: true }
    }
    const out = await work(tx)
    await tx.update(idempotencyKeys)
      .set({ statusCode: out.statusCode, response: sql`${JSON.stringify(out.body)}::jsonb` })
      .where(and(eq(idempotencyKeys.userId, opts.userId), eq(idempotencyKeys.key, key)))
    return { ...out, replayed: false }
  })
}
