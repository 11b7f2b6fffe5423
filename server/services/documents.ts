import { createHash } from 'node:crypto'
import { and, asc, eq, notInArray, sql } from 'drizzle-orm'
import { type Db, inTransaction } from '../../db/client.ts'
import { applications, calls, declarations, documents } from '../../db/schema/index.ts'
import { isEditable, type ApplicationState } from '../domain/application-state.ts'
import {
  cleanDocumentName, detectDocumentType, MAX_DOCUMENTS_PER_OWNER, MAX_DOCUMENT_BYTES, type DocumentType
} from '../domain/documents.ts'
import { errors } from '../domain/errors.ts'
import { recordAudit, type AuditContext } from '../lib/audit.ts'
import { documentVisibility, isOwner, type Principal } from '../domain/access.ts'
import { findVisibleApplication } from './application-reads.ts'
import { assertEnterpriseVisible } from './enterprises.ts'

const META = {
  id: documents.id,
  name: documents.name,
  type: documents.mediaType,
  size: documents.size,
  sha256: documents.sha256,
  createdAt: documents.createdAt,
  enterpriseId: documents.enterpriseId,
  applicationId: documents.applicationId,
  declarationId: documents.declarationId,
  kind: documents.kind
}
interface DocumentMeta {
  id: string, name: string, type: string, size: number, sha256: string, createdAt: Date
  enterpriseId: string, applicationId: string | null, declarationId: string | null, kind: string | null
}

export function documentView (d: Pick<DocumentMeta, 'id' | 'name' | 'type' | 'size' | 'sha256' | 'createdAt'> & { kind?: string | null }) {
  return {
    id: d.id, name: cleanDocumentName(d.name, d.type as DocumentType), type: d.type as DocumentType, size: d.size, sha256: d.sha256,
    kind: d.kind ?? null, createdAt: d.createdAt.toISOString()
  }
}

/** An uploaded file as the route read it. */
export interface UploadedFile { filename: string | undefined, content: Buffer, kind?: string }

/** Checks the content (type from magic bytes, size) and names it. */
function inspect (file: UploadedFile) {
  if (file.content.length > MAX_DOCUMENT_BYTES) throw errors.documentTooLarge(MAX_DOCUMENT_BYTES / 1024 / 1024)
  const type = detectDocumentType(file.content)
  if (type == null) throw errors.unsupportedDocumentType()
  return { type, name: cleanDocumentName(file.filename, type), sha256: createHash('sha256').update(file.content).digest('hex') }
}

/**
 * Stores a checked file for an application or a declaration, at most
 * MAX_DOCUMENTS_PER_OWNER each (the caller holds the owner's row lock, which
 * serialises the count), and audits the upload.
 */
async function storeDocument (
  tx: Db,
  owner: { enterpriseId: string, applicationId?: string, declarationId?: string },
  file: UploadedFile,
  checked: ReturnType<typeof inspect>,
  user: Principal,
  actor: AuditContext,
  auditExtra: Record<string, unknown>
) {
  const ownerColumn = owner.applicationId != null ? eq(documents.applicationId, owner.applicationId) : eq(documents.declarationId, owner.declarationId!)
  const [{ n }] = await tx.select({ n: sql<number>`count(*)::int` }).from(documents).where(ownerColumn)
  if (n >= MAX_DOCUMENTS_PER_OWNER) throw errors.documentLimit(MAX_DOCUMENTS_PER_OWNER)
  const [row] = await tx.insert(documents).values({
    ...owner,
    name: checked.name,
    mediaType: checked.type,
    size: file.content.length,
    sha256: checked.sha256,
    content: file.content,
    kind: file.kind ?? null,
    uploadedBy: user.id
  }).returning(META)
  const view = documentView(row)
  await recordAudit(tx, actor, { action: 'document.upload', objectType: 'document', objectId: row.id, after: { ...view, ...auditExtra } })
  return view
}

// ---------------------------------------------------------------------------
// Application documents: the owner adds and removes them while the
// application is editable; they freeze with it at submit.

/** The owner's editable application, locked; 404 for anyone else, 409 once frozen. */
async function editableApplication (tx: Db, user: Principal, applicationId: string, lock: boolean) {
  const { application } = await findVisibleApplication(tx, user, applicationId, { lock })
  if (!isOwner(user, application.enterpriseId)) throw errors.notFound()
  const state = application.state as ApplicationState
  if (!isEditable(state)) throw errors.invalidState(state, 'documents are frozen with the application once it is submitted')
  return application
}

/** Cheap check before the upload body is read: a stranger's 10 MiB never reaches memory for nothing. */
export async function assertCanUploadToApplication (db: Db, user: Principal, applicationId: string): Promise<void> {
  await editableApplication(db, user, applicationId, false)
}

export async function addApplicationDocument (db: Db, user: Principal, applicationId: string, file: UploadedFile, actor: AuditContext) {
  const checked = inspect(file)
  return await inTransaction(db, async (tx) => {
    const application = await editableApplication(tx, user, applicationId, true) // the row lock serialises the count below
    if (file.kind != null) {
      const [call] = await tx.select({ required: calls.requiredDocuments }).from(calls).where(eq(calls.id, application.callId))
      if (!call.required.some(d => d.key === file.kind)) {
        throw errors.validation([{ field: 'kind', message: `${file.kind} is not a required document of the call (${call.required.map(d => d.key).join(', ') || 'none'})` }])
      }
    }
    return await storeDocument(tx, { enterpriseId: application.enterpriseId, applicationId }, file, checked, user, actor, { applicationId })
  })
}

export async function listApplicationDocuments (db: Db, user: Principal, applicationId: string) {
  await findVisibleApplication(db, user, applicationId)
  const rows = await db.select(META).from(documents).where(eq(documents.applicationId, applicationId))
    .orderBy(asc(documents.createdAt), asc(documents.id))
  return rows.map(documentView)
}

// ---------------------------------------------------------------------------
// Declaration documents: the owner attaches evidence for a year's figures.

async function ownDeclaration (tx: Db, user: Principal, enterpriseId: string, year: number, lock: boolean) {
  if (!isOwner(user, enterpriseId)) throw errors.notFound()
  const query = tx.select({ id: declarations.id }).from(declarations)
    .where(and(eq(declarations.enterpriseId, enterpriseId), eq(declarations.year, year)))
  const [d] = lock ? await query.for('update') : await query
  if (d == null) throw errors.notFound()
  return d
}

export async function assertCanUploadToDeclaration (db: Db, user: Principal, enterpriseId: string, year: number): Promise<void> {
  await ownDeclaration(db, user, enterpriseId, year, false)
}

export async function addDeclarationDocument (db: Db, user: Principal, enterpriseId: string, year: number, file: UploadedFile, actor: AuditContext) {
  const checked = inspect(file)
  return await inTransaction(db, async (tx) => {
    const declaration = await ownDeclaration(tx, user, enterpriseId, year, true)
    // A declaration's documents belong to no call: a kind means nothing here.
    return await storeDocument(tx, { enterpriseId, declarationId: declaration.id }, { ...file, kind: undefined }, checked, user, actor, {
      enterpriseId,
      declarationYear: year
    })
  })
}

export async function listDeclarationDocuments (db: Db, user: Principal, enterpriseId: string, year: number) {
  await assertEnterpriseVisible(db, user, enterpriseId)
  const [d] = await db.select({ id: declarations.id }).from(declarations)
    .where(and(eq(declarations.enterpriseId, enterpriseId), eq(declarations.year, year)))
  if (d == null) throw errors.notFound()
  const rows = await db.select(META).from(documents).where(eq(documents.declarationId, d.id))
    .orderBy(asc(documents.createdAt), asc(documents.id))
  return rows.map(documentView)
}

// ---------------------------------------------------------------------------
// One document: download and delete.

/** The document's metadata if `user` may see it (documentVisibility), else 404. */
async function findVisibleDocument (db: Db, user: Principal, id: string): Promise<DocumentMeta> {
  const [doc] = await db.select(META).from(documents).where(and(eq(documents.id, id), documentVisibility(user)))
  if (doc == null) throw errors.notFound()
  return doc
}

export async function downloadDocument (db: Db, user: Principal, id: string) {
  const meta = await findVisibleDocument(db, user, id)
  const [row] = await db.select({ content: documents.content }).from(documents).where(eq(documents.id, id))
  return { ...documentView(meta), content: row.content }
}

/**
 * The owner removes a document while it can still change: an application's
 * while the application is editable; a declaration's unless an application
 * already submitted was graded on that declaration (its evidence stays).
 */
export async function deleteDocument (db: Db, user: Principal, id: string, actor: AuditContext): Promise<void> {
  await inTransaction(db, async (tx) => {
    const doc = await findVisibleDocument(tx, user, id)
    if (!isOwner(user, doc.enterpriseId)) throw errors.notFound()
    if (doc.applicationId != null) {
      await editableApplication(tx, user, doc.applicationId, true)
    } else if (doc.declarationId != null) {
      const [d] = await tx.select({ year: declarations.year }).from(declarations).where(eq(declarations.id, doc.declarationId)).for('update')
      const [used] = await tx.select({ id: applications.id }).from(applications).where(and(
        eq(applications.enterpriseId, doc.enterpriseId),
        eq(applications.declarationYear, d.year),
        notInArray(applications.state, ['draft', 'returned', 'withdrawn'])
      )).limit(1)
      if (used != null) throw errors.documentFrozen()
    }
    await tx.delete(documents).where(eq(documents.id, id))
    await recordAudit(tx, actor, { action: 'document.delete', objectType: 'document', objectId: id, before: { ...documentView(doc), applicationId: doc.applicationId, declarationId: doc.declarationId } })
  })
}
