import { and, asc, desc, eq, lte, sql } from 'drizzle-orm'
import { type Db, inTransaction } from '../../db/client.ts'
import {
  applications, calls, declarations, documents, enterpriseDomains, enterprises, rubrics
} from '../../db/schema/index.ts'
import { transition, isEditable, type ApplicationState } from '../domain/application-state.ts'
import { AppError, errors } from '../domain/errors.ts'
import { freezeSubmission, gradedDeclaration, missingDocuments, submissionRefusal } from '../domain/submission.ts'
import { recordAudit, type AuditContext } from '../lib/audit.ts'
import { checkVersion } from '../lib/versioning.ts'
import { isOwner, type Principal } from '../domain/access.ts'
import { applicationDetail, findVisibleApplication, iso, type ApplicationRow } from './application-reads.ts'
import { callStatus } from './calls.ts'
import { assertNotBarred } from './pool.ts'
import { loadEligibilityGates } from './policy.ts'
import { rubricOf } from './rubrics.ts'

/** The gates live with the other policy data (services/policy.ts); re-exported for the seed scripts. */
export { loadEligibilityGates } from './policy.ts'

/**
 * The changes of an application (create, edit, self-check, submit,
 * withdraw). The reads and views are in application-reads.ts, re-exported
 * here so a caller finds every application function in this module.
 */
export {
  applicationDetail, applicationView, applicationViewKind, findVisibleApplication, getApplication, getStampedApplication, listApplications,
  readerApplicationStamp, readerStampedApplication, visibleApplicationStamp,
  type ApplicationDetail, type ApplicationQuery, type ApplicationReader, type ApplicationRow
} from './application-reads.ts'

/** The owner's application, for a change: visible, and the caller's own firm's. */
async function findOwnApplication (tx: Db, user: Principal, id: string, lock = true): Promise<{ application: ApplicationRow, program: string }> {
  const found = await findVisibleApplication(tx, user, id, { lock })
  // Officers see every application but change none through the applicant's routes.
  if (!isOwner(user, found.application.enterpriseId)) throw errors.notFound()
  return found
}

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
