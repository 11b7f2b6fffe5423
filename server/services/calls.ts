import { and, desc, eq, gt, lte, sql, type SQL } from 'drizzle-orm'
import { type Db, inTransaction } from '../../db/client.ts'
import { calls, programs, rubrics } from '../../db/schema/index.ts'
import { errors } from '../domain/errors.ts'
import { recordAudit, type AuditContext } from '../lib/audit.ts'
import { decodeCursor, page } from '../lib/pagination.ts'
import { callVisibility, openCallSql, type Principal } from '../domain/access.ts'
import { policyNumber } from './policy.ts'

export type CallRow = typeof calls.$inferSelect
export type CallStatus = 'upcoming' | 'open' | 'closed'

/** Where a call's window stands at `now`: submissions are accepted in [opensAt, closesAt). */
export function callStatus (call: Pick<CallRow, 'opensAt' | 'closesAt'>, now: Date): CallStatus {
  if (now < call.opensAt) return 'upcoming'
  if (now < call.closesAt) return 'open'
  return 'closed'
}

export function callView (c: CallRow, now = new Date()) {
  return {
    id: c.id,
    program: c.programCode,
    year: c.year,
    title: c.title,
    opensAt: c.opensAt.toISOString(),
    closesAt: c.closesAt.toISOString(),
    reviewersPerApplication: c.reviewersPerApplication,
    districtReview: c.districtReview,
    rubricId: c.rubricId,
    guidelines: c.guidelines,
    requiredDocuments: c.requiredDocuments,
    quota: c.quota ?? null,
    reviewDueAt: c.reviewDueAt?.toISOString() ?? null,
    revisionDays: c.revisionDays,
    status: callStatus(c, now),
    createdAt: c.createdAt.toISOString(),
    updatedAt: c.updatedAt.toISOString()
  }
}

const statusCondition = (status: CallStatus, now: Date): SQL => {
  switch (status) {
    case 'upcoming': return gt(calls.opensAt, now)
    case 'open': return openCallSql(now)
    case 'closed': return lte(calls.closesAt, now)
  }
}

export interface CallInput {
  program: string
  year: number
  title: string
  opensAt: string
  closesAt: string
  reviewersPerApplication: number
  districtReview?: boolean
  rubricId?: string
  guidelines?: string
  requiredDocuments?: RequiredDocument[]
  quota?: number | null
  reviewDueAt?: string | null
  revisionDays?: number
}

export interface RequiredDocument { key: string, nameZh: string, nameEn: string }

/** Keys of a call's required documents are unique: an upload names one by its key. */
function checkRequiredDocuments (docs: RequiredDocument[] | undefined): RequiredDocument[] | undefined {
  if (docs == null) return undefined
  const seen = new Set<string>()
  docs.forEach((d, i) => {
    if (seen.has(d.key)) throw errors.validation([{ field: `body.requiredDocuments/${i}/key`, message: `${d.key} is listed twice` }])
    seen.add(d.key)
  })
  return docs.map(d => ({ key: d.key, nameZh: d.nameZh.trim(), nameEn: d.nameEn.trim() }))
}

const dueAt = (value: string | null | undefined): Date | null | undefined => value === undefined ? undefined : value === null ? null : new Date(value)

/**
 * The rubric a new call grades with: the one named (it must belong to the
 * call's program), else the program's latest version. A call keeps this id
 * for its whole life, so later rubric versions never change its grading.
 */
async function rubricForCall (tx: Db, program: string, rubricId: string | undefined): Promise<string> {
  if (rubricId != null) {
    const [r] = await tx.select({ id: rubrics.id, programCode: rubrics.programCode }).from(rubrics).where(eq(rubrics.id, rubricId))
    if (r == null) throw errors.unknownReference('rubricId', rubricId)
    if (r.programCode !== program) {
      throw errors.rubricProgramMismatch(r.programCode, program)
    }
    return r.id
  }
  const [latest] = await tx.select({ id: rubrics.id }).from(rubrics)
    .where(eq(rubrics.programCode, program)).orderBy(desc(rubrics.version)).limit(1)
  if (latest == null) throw errors.rubricRequired(program)
  return latest.id
}

function checkWindow (opensAt: Date, closesAt: Date): void {
  if (!(opensAt < closesAt)) throw errors.validation([{ field: 'body.closesAt', message: 'must be later than opensAt' }])
}

export async function createCall (db: Db, input: CallInput, actor: AuditContext, now = new Date()) {
  const opensAt = new Date(input.opensAt)
  const closesAt = new Date(input.closesAt)
  checkWindow(opensAt, closesAt)
  if (closesAt <= now) throw errors.validation([{ field: 'body.closesAt', message: 'is in the past: the call would never be open' }])
  return await inTransaction(db, async (tx) => {
    const [program] = await tx.select({ code: programs.code }).from(programs).where(eq(programs.code, input.program))
    if (program == null) throw errors.unknownReference('program', input.program)
    const rubricId = await rubricForCall(tx, input.program, input.rubricId)
    const revisionDays = input.revisionDays ?? await policyNumber(tx, 'revision_days', 10)
    const [row] = await tx.insert(calls).values({
      programCode: input.program,
      year: input.year,
      title: input.title.trim(),
      opensAt,
      closesAt,
      reviewersPerApplication: input.reviewersPerApplication,
      districtReview: input.districtReview ?? false,
      rubricId,
      guidelines: input.guidelines ?? '',
      requiredDocuments: checkRequiredDocuments(input.requiredDocuments) ?? [],
      quota: input.quota ?? null,
      reviewDueAt: dueAt(input.reviewDueAt) ?? null,
      revisionDays,
      createdBy: actor.actorId
    }).returning()
    const view = callView(row, now)
    await recordAudit(tx, actor, { action: 'call.create', objectType: 'call', objectId: row.id, after: view })
    return view
  })
}

export interface CallPatch {
  title?: string
  opensAt?: string
  closesAt?: string
  reviewersPerApplication?: number
  districtReview?: boolean
  guidelines?: string
  requiredDocuments?: RequiredDocument[]
  quota?: number | null
  reviewDueAt?: string | null
  revisionDays?: number
}

/** What the commission may still change after the call closed: its own side of the year. */
const AFTER_CLOSE: ReadonlyArray<keyof CallPatch> = ['quota', 'reviewDueAt', 'revisionDays']

/**
 * Officers may change a call's title, window, reviewer count, guidelines and
 * required documents until it closes (closing early is setting closesAt to
 * now); the quota, the review due date and the revision days also after.
 * Once the call is open its opening time stays: firms may already have applied.
 */
export async function updateCall (db: Db, id: string, patch: CallPatch, actor: AuditContext, now = new Date()) {
  return await inTransaction(db, async (tx) => {
    const [before] = await tx.select().from(calls).where(eq(calls.id, id)).for('update')
    if (before == null) throw errors.notFound()
    const status = callStatus(before, now)
    if (status === 'closed' && (Object.keys(patch) as Array<keyof CallPatch>).some(k => patch[k] !== undefined && !AFTER_CLOSE.includes(k))) throw errors.callClosed()
    const opensAt = patch.opensAt != null ? new Date(patch.opensAt) : before.opensAt
    const closesAt = patch.closesAt != null ? new Date(patch.closesAt) : before.closesAt
    if (status === 'open' && opensAt.getTime() !== before.opensAt.getTime()) {
      throw errors.invalidState('open', 'the opening time of an open call cannot change')
    }
    checkWindow(opensAt, closesAt)
    // Whether districts pre-screen is settled before firms can submit.
    if (patch.districtReview != null && patch.districtReview !== before.districtReview && status !== 'upcoming') {
      throw errors.invalidState(status, 'the district pre-screen can be switched only before the call opens')
    }
    const [after] = await tx.update(calls).set({
      ...(patch.districtReview != null ? { districtReview: patch.districtReview } : {}),
      ...(patch.title != null ? { title: patch.title.trim() } : {}),
      ...(patch.reviewersPerApplication != null ? { reviewersPerApplication: patch.reviewersPerApplication } : {}),
      ...(patch.guidelines != null ? { guidelines: patch.guidelines } : {}),
      ...(patch.requiredDocuments != null ? { requiredDocuments: checkRequiredDocuments(patch.requiredDocuments) } : {}),
      ...(patch.quota !== undefined ? { quota: patch.quota } : {}),
      ...(patch.reviewDueAt !== undefined ? { reviewDueAt: dueAt(patch.reviewDueAt) } : {}),
      ...(patch.revisionDays != null ? { revisionDays: patch.revisionDays } : {}),
      opensAt,
      closesAt,
      updatedAt: now
    }).where(eq(calls.id, id)).returning()
    const view = callView(after, now)
    await recordAudit(tx, actor, { action: 'call.update', objectType: 'call', objectId: id, before: callView(before, now), after: view })
    return view
  })
}

export async function getCall (db: Db, user: Principal, id: string, now = new Date()) {
  const [row] = await db.select().from(calls).where(and(eq(calls.id, id), callVisibility(user, now)))
  if (row == null) throw errors.notFound()
  return callView(row, now)
}

/** A cursor's timestamp, checked: a forged cursor is the caller's mistake, not a 500. */
export function cursorInstant (value: string): string {
  const d = new Date(value)
  if (Number.isNaN(d.getTime())) throw errors.validation([{ field: 'cursor', message: 'is not a cursor this endpoint returned' }])
  return d.toISOString()
}

export interface CallQuery { limit: number, cursor?: string, status?: CallStatus, program?: string, year?: number }

/**
 * Newest window first. Enterprises list only the calls open now (the ones
 * they can apply to); staff filter with ?status=.
 */
export async function listCalls (db: Db, user: Principal, q: CallQuery, now = new Date()) {
  const after = decodeCursor<{ o: string, id: string }>(q.cursor, ['o', 'id'])
  const where: Array<SQL | undefined> = []
  if (user.role === 'enterprise') where.push(statusCondition('open', now))
  if (q.status != null) where.push(statusCondition(q.status, now))
  if (q.program != null) where.push(eq(calls.programCode, q.program))
  if (q.year != null) where.push(eq(calls.year, q.year))
  if (after != null) where.push(sql`(${calls.opensAt}, ${calls.id}) < (${cursorInstant(after.o)}::timestamptz, ${after.id}::uuid)`)
  const rows = await db.select().from(calls).where(and(...where))
    .orderBy(desc(calls.opensAt), desc(calls.id)).limit(q.limit + 1)
  const p = page(rows, q.limit, r => ({ o: r.opensAt.toISOString(), id: r.id }))
  return { items: p.items.map(r => callView(r, now)), nextCursor: p.nextCursor }
}
