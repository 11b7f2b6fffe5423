import { and, asc, eq, gt, type SQL } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import { reviewerConflicts, users } from '../../db/schema/index.ts'
import { errors } from '../domain/errors.ts'
import { checkUscc } from '../domain/uscc.ts'
import { recordAudit, type AuditContext } from '../lib/audit.ts'
import { decodeCursor, page } from '../lib/pagination.ts'

/**
 * Conflicts of interest (issue 4): a reviewer may never see, list or grade
 * an application of a firm whose credit code they declared, recused from, or
 * that employs them (users.employer_uscc).
 */

/** Every credit code the reviewer may not grade: declared, recused and their employer. */
export async function conflictUsccs (db: Db, reviewerId: string): Promise<string[]> {
  const rows = await db.select({ uscc: reviewerConflicts.uscc }).from(reviewerConflicts).where(eq(reviewerConflicts.reviewerId, reviewerId))
  const [u] = await db.select({ employer: users.employerUscc }).from(users).where(eq(users.id, reviewerId))
  const out = rows.map(r => r.uscc)
  if (u?.employer != null) out.push(u.employer)
  return [...new Set(out)].sort()
}

export async function isConflicted (db: Db, reviewerId: string, uscc: string): Promise<boolean> {
  return (await conflictUsccs(db, reviewerId)).includes(uscc)
}

type ConflictRow = typeof reviewerConflicts.$inferSelect
const conflictView = (c: ConflictRow) => ({ id: c.id, uscc: c.uscc, reason: c.reason, source: c.source as 'declared' | 'recusal', createdAt: c.createdAt.toISOString() })

/** The reviewer's conflicts, the employer first (a synthetic row with the reviewer's id), then by credit code. */
export async function listConflicts (db: Db, reviewerId: string, q: { limit: number, cursor?: string }) {
  const after = decodeCursor<{ u: string }>(q.cursor, ['u'])
  const where: SQL[] = [eq(reviewerConflicts.reviewerId, reviewerId)]
  if (after != null) where.push(gt(reviewerConflicts.uscc, after.u))
  const rows = await db.select().from(reviewerConflicts).where(and(...where)).orderBy(asc(reviewerConflicts.uscc)).limit(q.limit + 1)
  const p = page(rows, q.limit, r => ({ u: r.uscc }))
  const items: Array<ReturnType<typeof conflictView> | { id: string, uscc: string, reason: string, source: 'employer', createdAt: null }> = p.items.map(conflictView)
  if (after == null) {
    const [u] = await db.select({ employer: users.employerUscc }).from(users).where(eq(users.id, reviewerId))
    if (u?.employer != null) items.unshift({ id: reviewerId, uscc: u.employer, reason: 'own employer', source: 'employer', createdAt: null })
  }
  return { items, nextCursor: p.nextCursor }
}

/**
 * Records a conflict inside `tx` (a declaration or a recusal). Declaring one
 * that exists already is a 409 for a declaration and a no-op for a recusal.
 */
export async function declareConflict (tx: Db, reviewerId: string, input: { uscc: string, reason: string, source: 'declared' | 'recusal' }, actor: AuditContext) {
  const check = checkUscc(input.uscc)
  if (!check.ok) throw errors.invalidUscc(check.reason)
  const [row] = await tx.insert(reviewerConflicts)
    .values({ reviewerId, uscc: check.code, reason: input.reason, source: input.source })
    .onConflictDoNothing().returning()
  if (row == null) {
    if (input.source === 'declared') throw errors.conflict('you already declared a conflict with this credit code')
    return null
  }
  await recordAudit(tx, actor, { action: `conflict.${input.source === 'declared' ? 'declare' : 'recuse'}`, objectType: 'reviewer_conflict', objectId: row.id, after: conflictView(row) })
  return conflictView(row)
}
