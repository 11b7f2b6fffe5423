import { and, asc, desc, eq, lte, sql, type Placeholder, type SQL } from 'drizzle-orm'
import { type Db, inTransaction } from '../../db/client.ts'
import {
  applications, calls, declarations, documents, enterpriseDomains, enterprises, rubrics
} from '../../db/schema/index.ts'
import { transition, isEditable, type ApplicationState } from '../domain/application-state.ts'
import type { Eligibility } from '../domain/eligibility.ts'
import { AppError, errors } from '../domain/errors.ts'
import { freezeSubmission, gradedDeclaration, missingDocuments, submissionRefusal } from '../domain/submission.ts'
import { recordAudit, type AuditContext } from '../lib/audit.ts'
import { decodeCursor, page } from '../lib/pagination.ts'
import { checkVersion } from '../lib/versioning.ts'
import { applicationVisibility, applicationVisibilityFor, isOwner, type Principal } from '../domain/access.ts'
import { callStatus, cursorInstant } from './calls.ts'
import { assertNotBarred } from './pool.ts'
import { loadEligibilityGates } from './policy.ts'
import { rubricOf } from './rubrics.ts'

/** The gates live with the other policy data (services/policy.ts); re-exported for the seed scripts. */
export { loadEligibilityGates } from './policy.ts'

export type ApplicationRow = typeof applications.$inferSelect

// ---------------------------------------------------------------------------
// Reads under the viewer's visibility (server/domain/access.ts decides it):
// lists, single reads, edits and documents all apply applicationVisibility.

function visibleApplicationQuery (db: Db, visible: SQL | undefined, id: string | Placeholder) {
  return db.select({ application: applications, program: calls.programCode, stamp: ROW_STAMP })
    .from(applications).innerJoin(calls, eq(calls.id, applications.callId))
    .where(and(eq(applications.id, id), visible))
}

/** visibleApplicationQuery's join and condition, for a prepared statement: the viewer's ids are placeholders. */
function preparedVisibility (role: Principal['role']): SQL | undefined {
  return and(eq(applications.id, sql.placeholder('id')), applicationVisibilityFor(role, sql.placeholder('enterpriseId'), sql.placeholder('userId')))
}

/**
 * Changes whenever the application's row or its call's row is written:
 * PostgreSQL's xmin is the transaction that wrote the row version, so no two
 * committed versions share it. Readers keep a rendered view until it changes.
 */
const ROW_STAMP = sql<string>`${applications}.xmin::text || '/' || ${calls}.xmin::text`

/**
 * The reads of one application by id, prepared once per database handle and
 * role: GET /v1/applications/:id is the firms' hot path, and a query built
 * per request costs several times a prepared one. `stamp` reads only the
 * stamp (and the visibility): enough to know a rendered view is still right.
 */
const preparedReads = new WeakMap<Db, Map<string, ReturnType<typeof prepareRead> | ReturnType<typeof prepareStamp>>>()
function prepareRead (db: Db, role: Principal['role']) {
  return db.select({ application: applications, program: calls.programCode, stamp: ROW_STAMP })
    .from(applications).innerJoin(calls, eq(calls.id, applications.callId))
    .where(preparedVisibility(role)).prepare(`application_read_${role}`)
}
function prepareStamp (db: Db, role: Principal['role']) {
  return db.select({ stamp: ROW_STAMP })
    .from(applications).innerJoin(calls, eq(calls.id, applications.callId))
    .where(preparedVisibility(role)).prepare(`application_stamp_${role}`)
}
function preparedFor<T> (db: Db, key: string, prepare: () => T): T {
  let statements = preparedReads.get(db)
  if (statements == null) preparedReads.set(db, statements = new Map())
  let statement = statements.get(key)
  if (statement == null) statements.set(key, statement = prepare() as never)
  return statement as T
}
const viewerParams = (user: Principal, id: string) => ({ id, enterpriseId: user.enterpriseId, userId: user.id })
const seesNothing = (user: Principal) => user.role === 'enterprise' && user.enterpriseId == null

async function readVisibleApplication (db: Db, user: Principal, id: string) {
  if (seesNothing(user)) return []
  return await preparedFor(db, `read:${user.role}`, () => prepareRead(db, user.role)).execute(viewerParams(user, id))
}

/** The application's stamp (ROW_STAMP) if `user` may see it, else null. */
export async function visibleApplicationStamp (db: Db, user: Principal, id: string): Promise<string | null> {
  if (seesNothing(user)) return null
  const [row] = await preparedFor(db, `stamp:${user.role}`, () => prepareStamp(db, user.role)).execute(viewerParams(user, id))
  return row?.stamp ?? null
}

/**
 * The application if `user` may see it, else 404 (the same body as a missing
 * id). `lock` takes the row lock for a change in the same transaction.
 */
export async function findVisibleApplication (db: Db, user: Principal, id: string, opts: { lock?: boolean } = {}): Promise<{
  application: ApplicationRow,
  program: string, stamp: string
}> {
  const [row] = opts.lock === true
    ? await visibleApplicationQuery(db, applicationVisibility(user), id).for('update', { of: applications })
    : await readVisibleApplication(db, user, id)
  if (row == null) throw errors.notFound()
  return row
}

/** The owner's application, for a change: visible, and the caller's own firm's. */
async function findOwnApplication (tx: Db, user: Principal, id: string, lock = true): Promise<{ application: ApplicationRow, program: string }> {
  const found = await findVisibleApplication(tx, user, id, { lock })
  // Officers see every application but change none through the applicant's routes.
  if (!isOwner(user, found.application.enterpriseId)) throw errors.notFound()
  return found
}

// ---------------------------------------------------------------------------
// Views.

const iso = (d: Date | null): string | null => d?.toISOString() ?? null

/**
 * The reply for `viewer`. A firm sees its own score and auto-scores only
 * once the application is decided: before that, a score could steer how it
 * responds to a return for revision.
 */
export function applicationView (a: ApplicationRow, program: string, viewer: Principal) {
  const hideScore = applicationViewKind(viewer) === 'firm' && a.decidedAt == null
  return {
    id: a.id,
    callId: a.callId,
    program,
    enterpriseId: a.enterpriseId,
    state: a.state as ApplicationState,
    version: a.version,
    statement: a.statement,
    returnReason: a.returnReason ?? null,
    returnedAt: iso(a.returnedAt),
    revisionDueAt: iso(a.revisionDueAt),
    declarationYear: a.declarationYear ?? null,
    eligibility: (a.eligibility as Eligibility | null) ?? null,
    autoScores: hideScore ? null : (a.autoScores ?? null),
    score: hideScore ? null : ((a.score as Record<string, unknown> | null) ?? null),
    decision: a.decision ?? null,
    decisionReason: a.decisionReason ?? null,
    decidedAt: iso(a.decidedAt),
    appealGrounds: a.appealGrounds ?? null,
    appealedAt: iso(a.appealedAt),
    appealCount: a.appealCount,
    submittedAt: iso(a.submittedAt),
    districtRecommend: a.districtRecommend ?? null,
    districtOpinion: a.districtOpinion ?? null,
    districtReviewedAt: iso(a.districtReviewedAt),
    createdAt: a.createdAt.toISOString(),
    updatedAt: a.updatedAt.toISOString()
  }
}

/** The single-object reply: the summary plus the frozen snapshot. */
export function applicationDetail (a: ApplicationRow, program: string, viewer: Principal) {
  return { ...applicationView(a, program, viewer), snapshot: a.snapshot ?? null }
}
export type ApplicationDetail = ReturnType<typeof applicationDetail>

/** What the audit trail keeps of an application: its state, not the frozen snapshot again. */
function auditImage (a: ApplicationRow) {
  return {
    state: a.state, version: a.version, statement: a.statement, returnReason: a.returnReason,
    declarationYear: a.declarationYear, eligibility: a.eligibility, submittedAt: iso(a.submittedAt)
  }
}

// ---------------------------------------------------------------------------
// Use cases.

export async function createApplication (tx: Db, user: Principal, input: { callId: string, statement?: string }, actor: AuditContext, now = new Date()) {
  if (user.enterpriseId == null) throw errors.forbidden()
  const [call] = await tx.select().from(calls).where(eq(calls.id, input.callId))
  if (call == null) throw errors.unknownReference('callId', input.callId)
  if (callStatus(call, now) !== 'open') throw errors.callClosed()
  // Serialise the firm's own creations so the check below and the insert agree;
  // the partial unique index is the last line of defence.
  await tx.select({ id: enterprises.id }).from(enterprises).where(eq(enterprises.id, user.enterpriseId)).for('update')
  // A firm whose membership was revoked may not apply to any call until its bar ends.
  await assertNotBarred(tx, user.enterpriseId, now)
  const [live] = await tx.select({ id: applications.id }).from(applications)
    .where(and(eq(applications.enterpriseId, user.enterpriseId), eq(applications.callId, call.id), sql`${applications.state} <> 'withdrawn'`))
  if (live != null) throw errors.applicationExists()
  const [row] = await tx.insert(applications).values({
    callId: call.id,
    enterpriseId: user.enterpriseId,
    statement: input.statement ?? ''
  }).returning()
  await recordAudit(tx, actor, { action: 'application.create', objectType: 'application', objectId: row.id, after: auditImage(row) })
  return applicationDetail(row, call.programCode, user)
}

export async function updateApplication (db: Db, user: Principal, id: string, patch: { statement?: string }, expectedVersion: number | undefined,
  actor: AuditContext) {
  return await inTransaction(db, async (tx) => {
    const { application: before, program } = await findOwnApplication(tx, user, id)
    checkVersion(before.version, expectedVersion)
    const state = before.state as ApplicationState
    if (!isEditable(state)) throw errors.invalidState(state, 'only a draft or returned application can be edited')
    const [after] = await tx.update(applications).set({
      ...(patch.statement != null ? { statement: patch.statement } : {}),
      version: before.version + 1,
      updatedAt: new Date()
    }).where(eq(applications.id, id)).returning()
    await recordAudit(tx, actor, { action: 'application.update', objectType: 'application', objectId: id, before: auditImage(before), after: auditImage(after) })
    return applicationDetail(after, program, user)
  })
}

/**
 * Submits inside the call's window (or a returned application within its
 * revision days): freezes the snapshot the application is graded on
 * (prepareSubmission), refuses while a required document is missing (409
 * MISSING_DOCUMENTS), runs the program's eligibility gates and moves to
 * `submitted` or `ineligible` with every failed gate listed.
 */
export async function submitApplication (db: Db, user: Principal, id: string, expectedVersion: number | undefined, actor: AuditContext, now = new Date()) {
  return await inTransaction(db, async (tx) => {
    const { application: before, program } = await findOwnApplication(tx, user, id)
    checkVersion(before.version, expectedVersion)
    const state = before.state as ApplicationState
    transition(state, 'submit') // refuses any state that cannot submit, before looking further
    const [call] = await tx.select().from(calls).where(eq(calls.id, before.callId))
    const refusal = windowRefusal(before, call, now)
    if (refusal != null) throw refusal
    const { frozen, missing } = await prepareSubmission(tx, before, program, call, now)
    if (missing.length > 0) throw errors.missingDocuments(missing)
    const next = transition(state, frozen.event)
    const { snapshot, eligibility, autoScores } = frozen
    const [after] = await tx.update(applications).set({
      state: next,
      version: before.version + 1,
      declarationYear: frozen.declarationYear,
      snapshot,
      eligibility,
      autoScores,
      submittedAt: now,
      updatedAt: now
    }).where(eq(applications.id, id)).returning()
    await recordAudit(tx, actor, { action: 'application.submit', objectType: 'application', objectId: id, before: auditImage(before), after: auditImage(after) })
    return applicationDetail(after, program, user)
  })
}

type CallRow = typeof calls.$inferSelect

/** 409 CALL_CLOSED or REVISION_CLOSED when a submit is not accepted now (server/domain/submission.ts). */
function windowRefusal (a: ApplicationRow, call: CallRow, now: Date): AppError | null {
  const code = submissionRefusal({ callOpen: callStatus(call, now) === 'open', returned: a.state === 'returned', revisionDueAt: a.revisionDueAt, now })
  if (code === 'CALL_CLOSED') return errors.callClosed()
  if (code === 'REVISION_CLOSED') return errors.revisionClosed(call.revisionDays, a.revisionDueAt)
  return null
}

/**
 * What submitting would freeze and decide, computed and written nowhere:
 * the snapshot (the firm's profile, its most recent declaration of a year up
 * to the call year, the year before that one for growth, the documents), the
 * program's eligibility gates and auto scores, and the required documents
 * still missing. 409 DECLARATION_REQUIRED without a declaration.
 */
async function prepareSubmission (tx: Db, a: ApplicationRow, program: string, call: CallRow, now: Date) {
  const [firm] = await tx.select().from(enterprises).where(eq(enterprises.id, a.enterpriseId))
  const domainRows = await tx.select({ code: enterpriseDomains.domainCode }).from(enterpriseDomains)
    .where(eq(enterpriseDomains.enterpriseId, firm.id)).orderBy(asc(enterpriseDomains.domainCode))
  // The most recent declaration of a year up to the call year, and the one of the year before it.
  const recent = await tx.select().from(declarations)
    .where(and(eq(declarations.enterpriseId, firm.id), lte(declarations.year, call.year)))
    .orderBy(desc(declarations.year)).limit(2)
  const chosen = gradedDeclaration(recent, call.year)
  if (chosen == null) throw errors.declarationRequired(call.year)
  const docs = await tx.select({
    id: documents.id, name: documents.name, type: documents.mediaType, size: documents.size, sha256: documents.sha256,
    kind: documents.kind
  })
    .from(documents).where(eq(documents.applicationId, a.id)).orderBy(asc(documents.createdAt), asc(documents.id))
  const [rubric] = await tx.select().from(rubrics).where(eq(rubrics.id, call.rubricId))
  // Snapshot, gates and auto scores: the pure rule of server/domain/submission.ts.
  const frozen = freezeSubmission({
    now,
    call: { id: call.id, program, year: call.year, rubricId: call.rubricId },
    enterprise: {
      id: firm.id, uscc: firm.uscc, name: firm.name, districtCode: firm.districtCode,
      foundedOn: firm.foundedOn, domains: domainRows.map(d => d.code)
    },
    declaration: chosen.graded,
    previousDeclaration: chosen.previous,
    documents: docs.map(d => d.kind == null ? { id: d.id, name: d.name, type: d.type, size: d.size, sha256: d.sha256 } : d),
    gates: (await loadEligibilityGates(tx))[program] ?? [],
    rubric: rubricOf(rubric)
  })
  return { frozen, missing: missingDocuments(call.requiredDocuments, docs) }
}

/**
 * The self-check (POST /v1/applications/:id/check): what submit would say
 * now — the gates that would fail, the required documents still missing, the
 * automatic scores, and whether the window accepts a submit — changing
 * nothing. Only the owner, only while the application can be submitted.
 */
export async function checkApplication (db: Db, user: Principal, id: string, now = new Date()) {
  return await inTransaction(db, async (tx) => {
    const { application: a, program } = await findOwnApplication(tx, user, id, false)
    transition(a.state as ApplicationState, 'submit')
    const [call] = await tx.select().from(calls).where(eq(calls.id, a.callId))
    const refusal = windowRefusal(a, call, now)
    const base = { windowOpen: refusal == null, refusal: refusal?.code ?? null, revisionDueAt: iso(a.revisionDueAt) }
    try {
      const { frozen, missing } = await prepareSubmission(tx, a, program, call, now)
      return {
        ...base,
        eligible: frozen.eligibility.passed,
        failedGates: frozen.eligibility.failedGates,
        missingDocuments: missing,
        autoScores: frozen.autoScores,
        declarationYear: frozen.declarationYear
      }
    } catch (err) {
      if (!(err instanceof AppError) || err.code !== 'DECLARATION_REQUIRED') throw err
      return {
        ...base,
        refusal: base.refusal ?? err.code,
        eligible: false,
        failedGates: [],
        missingDocuments: missingDocuments(call.requiredDocuments, await tx.select({ kind: documents.kind }).from(documents)
          .where(eq(documents.applicationId, a.id))),
        autoScores: null,
        declarationYear: null
      }
    }
  })
}

/** The applicant withdraws before a decision; the firm may then apply to the call again. */
export async function withdrawApplication (db: Db, user: Principal, id: string, expectedVersion: number | undefined, actor: AuditContext) {
  return await inTransaction(db, async (tx) => {
    const { application: before, program } = await findOwnApplication(tx, user, id)
    checkVersion(before.version, expectedVersion)
    const next = transition(before.state as ApplicationState, 'withdraw')
    const [after] = await tx.update(applications).set({ state: next, version: before.version + 1, updatedAt: new Date() })
      .where(eq(applications.id, id)).returning()
    await recordAudit(tx, actor, { action: 'application.withdraw', objectType: 'application', objectId: id, before: auditImage(before), after: auditImage(after) })
    return applicationDetail(after, program, user)
  })
}

export async function getApplication (db: Db, user: Principal, id: string) {
  return (await getStampedApplication(db, user, id)).view
}

/** The application's view for `user` and the stamp of the rows it was rendered from. */
export async function getStampedApplication (db: Db, user: Principal, id: string) {
  const { application, program, stamp } = await findVisibleApplication(db, user, id)
  return { view: applicationDetail(application, program, user), stamp }
}

/** Whose view of an application `user` gets: firms do not see a score before the decision (applicationView). */
export const applicationViewKind = (user: Principal): 'firm' | 'staff' => user.role === 'enterprise' ? 'firm' : 'staff'

export interface ApplicationQuery {
  limit: number
  cursor?: string
  callId?: string
  state?: ApplicationState
  program?: string
  enterpriseId?: string
}

/** Newest first; only what the caller may see (applicationVisibility). */
export async function listApplications (db: Db, user: Principal, q: ApplicationQuery) {
  const after = decodeCursor<{ c: string, id: string }>(q.cursor, ['c', 'id'])
  const where: Array<SQL | undefined> = [applicationVisibility(user)]
  if (q.callId != null) where.push(eq(applications.callId, q.callId))
  if (q.state != null) where.push(eq(applications.state, q.state))
  if (q.program != null) where.push(eq(calls.programCode, q.program))
  if (q.enterpriseId != null) where.push(eq(applications.enterpriseId, q.enterpriseId))
  if (after != null) where.push(sql`(${applications.createdAt}, ${applications.id}) < (${cursorInstant(after.c)}::timestamptz, ${after.id}::uuid)`)
  const rows = await db.select({ application: applications, program: calls.programCode })
    .from(applications).innerJoin(calls, eq(calls.id, applications.callId))
    .where(and(...where))
    .orderBy(desc(applications.createdAt), desc(applications.id)).limit(q.limit + 1)
  const p = page(rows, q.limit, r => ({ c: r.application.createdAt.toISOString(), id: r.application.id }))
  return { items: p.items.map(r => applicationView(r.application, r.program, user)), nextCursor: p.nextCursor }
}
