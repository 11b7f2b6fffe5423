import { and, asc, eq, sql, type SQL } from 'drizzle-orm'
import { type Db, inTransaction } from '../../db/client.ts'
import { calls, programs, rubrics } from '../../db/schema/index.ts'
import { errors } from '../domain/errors.ts'
import { rubricMaximum, validateRubric, type Rubric } from '../domain/rubrics.ts'
import { recordAudit, type AuditContext } from '../lib/audit.ts'
import { decodeCursor, page } from '../lib/pagination.ts'
import type { RubricBody, RubricView } from '../../schemas/rubrics.ts'

type RubricRow = typeof rubrics.$inferSelect

/** The rubric as the scoring rules read it. */
export function rubricOf (row: RubricRow): Rubric {
  return {
    indicators: row.indicators as Rubric['indicators'],
    groupMinimums: row.groupMinimums as Rubric['groupMinimums'],
    passMark: Number(row.passMark),
    gradeBands: row.gradeBands as Rubric['gradeBands']
  }
}

export function rubricView (row: RubricRow, inUse: boolean): RubricView {
  const r = rubricOf(row)
  return {
    id: row.id,
    program: row.programCode,
    version: row.version,
    title: row.title,
    ...r,
    maximum: rubricMaximum(r),
    inUse,
    createdAt: row.createdAt.toISOString()
  }
}

// Spelled out: drizzle leaves columns unqualified in a one-table selection,
// which inside this subquery would bind to calls.
const inUseSql = sql<boolean>`exists (select 1 from ${calls} c where c.rubric_id = "rubrics"."id")`

export async function loadRubric (db: Db, id: string): Promise<RubricRow> {
  const [row] = await db.select().from(rubrics).where(eq(rubrics.id, id))
  if (row == null) throw errors.notFound()
  return row
}

export async function getRubric (db: Db, id: string): Promise<RubricView> {
  const [row] = await db.select({ rubric: rubrics, inUse: inUseSql }).from(rubrics).where(eq(rubrics.id, id))
  if (row == null) throw errors.notFound()
  return rubricView(row.rubric, row.inUse)
}

export async function listRubrics (db: Db, q: { program?: string, limit: number, cursor?: string }) {
  const after = decodeCursor<{ p: string, v: number }>(q.cursor, ['p', 'v'])
  const where: SQL[] = []
  if (q.program != null) where.push(eq(rubrics.programCode, q.program))
  if (after != null) where.push(sql`(${rubrics.programCode}, ${rubrics.version}) > (${after.p}, ${Number(after.v)})`)
  const rows = await db.select({ rubric: rubrics, inUse: inUseSql }).from(rubrics).where(and(...where))
    .orderBy(asc(rubrics.programCode), asc(rubrics.version)).limit(q.limit + 1)
  const p = page(rows, q.limit, r => ({ p: r.rubric.programCode, v: r.rubric.version }))
  return { items: p.items.map(r => rubricView(r.rubric, r.inUse)), nextCursor: p.nextCursor }
}

/** The rubric a body describes, or 400 with every problem (validateRubric). */
export function checkRubric (body: Omit<RubricBody, 'program'>): Rubric {
  const rubric: Rubric = { indicators: body.indicators, groupMinimums: body.groupMinimums, passMark: body.passMark, gradeBands: body.gradeBands }
  const problems = validateRubric(rubric)
  if (problems.length > 0) throw errors.validation(problems)
  return rubric
}

/** Adds the next version of a program's rubric. Calls keep the version they were opened with. */
export async function createRubricVersion (tx: Db, body: RubricBody, actor: AuditContext): Promise<RubricView> {
  const rubric = checkRubric(body)
  const [program] = await tx.select().from(programs).where(eq(programs.code, body.program)).for('update')
  if (program == null) throw errors.unknownReference('program', body.program)
  // The program row lock above serialises version numbering per program.
  const [{ next }] = await tx.select({ next: sql<number>`coalesce(max(${rubrics.version}), 0)::int + 1` }).from(rubrics).where(eq(rubrics.programCode, body.program))
  const [row] = await tx.insert(rubrics).values({
    programCode: body.program,
    version: Number(next),
    title: body.title ?? '',
    indicators: rubric.indicators,
    groupMinimums: rubric.groupMinimums,
    passMark: String(rubric.passMark),
    gradeBands: rubric.gradeBands,
    createdBy: actor.actorId
  }).returning()
  const view = rubricView(row, false)
  await recordAudit(tx, actor, { action: 'rubric.create', objectType: 'rubric', objectId: row.id, after: view })
  return view
}

/**
 * Replaces a version in place, only while no call uses it: a call's grading
 * must never change under it (then create a new version instead: 409).
 */
export async function replaceRubric (db: Db, id: string, body: Omit<RubricBody, 'program'>, actor: AuditContext): Promise<RubricView> {
  const rubric = checkRubric(body)
  return await inTransaction(db, async (tx) => {
    const [before] = await tx.select().from(rubrics).where(eq(rubrics.id, id)).for('update')
    if (before == null) throw errors.notFound()
    // A call created concurrently takes a key-share lock on this row through its
    // foreign key, so it waits for us or we wait for it: the check below is sound.
    const [used] = await tx.select({ id: calls.id }).from(calls).where(eq(calls.rubricId, id)).limit(1)
    if (used != null) throw errors.conflict('a call grades with this rubric version; create a new version instead')
    const [row] = await tx.update(rubrics).set({
      title: body.title ?? before.title,
      indicators: rubric.indicators,
      groupMinimums: rubric.groupMinimums,
      passMark: String(rubric.passMark),
      gradeBands: rubric.gradeBands
    }).where(eq(rubrics.id, id)).returning()
    const view = rubricView(row, false)
    await recordAudit(tx, actor, { action: 'rubric.replace', objectType: 'rubric', objectId: id, before: rubricView(before, false), after: view })
    return view
  })
}
