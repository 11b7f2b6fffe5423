import { and, desc, eq, sql, type Placeholder, type SQL } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import { applications, calls } from '../../db/schema/index.ts'
import { applicationVisibility, applicationVisibilityFor, type Principal } from '../domain/access.ts'
import type { ApplicationState } from '../domain/application-state.ts'
import type { Eligibility } from '../domain/eligibility.ts'
import { errors } from '../domain/errors.ts'
import { decodeCursor, page } from '../lib/pagination.ts'
import { sessionRowQuery, type DeferredSession } from '../lib/session-cache.ts'
import { cursorInstant } from './calls.ts'

/**
 * Reading applications: one by id (GET /v1/applications/:id, the firms' hot
 * path, on prepared statements), its stamp, the lists, and the views a
 * viewer gets. Nothing here writes; the changes are in applications.ts,
 * which re-exports these for its callers.
 */

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
 * One application read by a token whose session is not checked yet (a
 * DeferredSession): the session row and the application, under the
 * visibility of the token's role with the firm the session row names, in one
 * statement — the read the firms' hot path makes when the session cache does
 * not know the token. `stamp` reads only the stamp. Nothing read is used
 * before `settle` has accepted the session row (it throws 401 otherwise).
 */
function sessionReadParts (db: Db, role: Principal['role']) {
  const s = sessionRowQuery(db).as('s')
  const session = { role: s.role, enterpriseId: s.enterpriseId, disabled: s.disabled, tokenVersion: s.tokenVersion, revoked: s.revoked }
  const visible = and(eq(applications.id, sql.placeholder('id')), applicationVisibilityFor(role, s.enterpriseId, sql.placeholder('userId')))
  return { s, session, visible }
}
function prepareSessionRead (db: Db, role: Principal['role']) {
  const { s, session, visible } = sessionReadParts(db, role)
  return db.select({ session, application: applications, program: calls.programCode, stamp: ROW_STAMP })
    .from(s).leftJoin(applications, visible).leftJoin(calls, eq(calls.id, applications.callId))
    .prepare(`application_read_session_${role}`)
}
function prepareSessionStamp (db: Db, role: Principal['role']) {
  const { s, session, visible } = sessionReadParts(db, role)
  return db.select({ session, stamp: ROW_STAMP })
    .from(s).leftJoin(applications, visible).leftJoin(calls, eq(calls.id, applications.callId))
    .prepare(`application_stamp_session_${role}`)
}

/** Who reads: a caller already checked, or a token whose session the read checks (see prepareSessionRead). */
export type ApplicationReader = { user: Principal } | { deferred: DeferredSession }

const sessionParams = (deferred: DeferredSession, id: string) => ({ id, userId: deferred.userId, jti: deferred.jti })

/** The application's stamp if the reader may see it, else null; and the reader, checked. */
export async function readerApplicationStamp (db: Db, reader: ApplicationReader, id: string): Promise<{ user: Principal, stamp: string | null }> {
  if ('user' in reader) return { user: reader.user, stamp: await visibleApplicationStamp(db, reader.user, id) }
  const { deferred } = reader
  const [row] = await preparedFor(db, `stamp-session:${deferred.role}`, () => prepareSessionStamp(db, deferred.role)).execute(sessionParams(deferred, id))
  const user = deferred.settle(row?.session)
  return { user, stamp: row?.stamp ?? null }
}

/** The application's view for the reader (checked first) and its stamp, else 404. */
export async function readerStampedApplication (db: Db, reader: ApplicationReader, id: string) {
  if ('user' in reader) return { user: reader.user, ...(await getStampedApplication(db, reader.user, id)) }
  const { deferred } = reader
  const [row] = await preparedFor(db, `read-session:${deferred.role}`, () => prepareSessionRead(db, deferred.role)).execute(sessionParams(deferred, id))
  const user = deferred.settle(row?.session)
  if (row?.application == null || row.program == null || row.stamp == null) throw errors.notFound()
  return { user, view: applicationDetail(row.application, row.program, user), stamp: row.stamp }
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

// ---------------------------------------------------------------------------
// Views.

export const iso = (d: Date | null): string | null => d?.toISOString() ?? null

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

export async function getApplication (db: Db, user: Principal, id: string) {
  return (await getStampedApplication(db, user, id)).view
}

/** The application's view for `user` and the stamp of the rows it was rendered from. */
export async function getStampedApplication (db: Db, user: Principal, id: string) {
  const { application, program, stamp } = await findVisibleApplication(db, user, id)
  return { view: applicationDetail(application, program, user), stamp }
}

/** Whose view of an application `user` gets: firms do not see a score before the decision (applicationView). */
export const applicationViewKind = (user: Pick<Principal, 'role'>): 'firm' | 'staff' => user.role === 'enterprise' ? 'firm' : 'staff'

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
