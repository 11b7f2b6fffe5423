import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyRequest } from 'fastify'
import multipart from '@fastify/multipart'
import { Type } from '@sinclair/typebox'
import { bearer, errorResponses, IdParamsSchema } from '../../schemas/common.ts'
import { DeclarationParamsSchema, DocumentContentSchema, DocumentSchema, UploadDescription } from '../../schemas/documents.ts'
import { cleanDocumentName, contentDisposition, MAX_DOCUMENT_BYTES } from '../domain/documents.ts'
import { AppError, errors } from '../domain/errors.ts'
import {
  addApplicationDocument, addDeclarationDocument, assertCanUploadToApplication, assertCanUploadToDeclaration,
  deleteDocument, downloadDocument, listApplicationDocuments, listDeclarationDocuments, type UploadedFile
} from '../services/documents.ts'

/** The multipart library's own errors that are the client's (limits, wrong content type): answered by the error handler. */
const CLIENT_MULTIPART_CODES = new Set(['FST_INVALID_MULTIPART_CONTENT_TYPE', 'FST_FILES_LIMIT', 'FST_PARTS_LIMIT', 'FST_FIELDS_LIMIT', 'FST_PROTO_VIOLATION'])

/**
 * Reads the one file of a multipart upload; the size limit stops reading at 10 MiB + 1 byte. A body the
 * multipart parser cannot read (no or an empty boundary, a truncated body, bad part headers) is the
 * client's fault: 400 MALFORMED_MULTIPART, never a 500.
 */
async function readUpload (request: FastifyRequest): Promise<UploadedFile> {
  const malformed = (err: unknown): never => {
    const code = (err as { code?: string }).code
    if (code === 'FST_REQ_FILE_TOO_LARGE') throw errors.documentTooLarge(MAX_DOCUMENT_BYTES / 1024 / 1024)
    if (err instanceof Error && (err instanceof AppError || (code != null && CLIENT_MULTIPART_CODES.has(code)))) throw err
    throw errors.malformedMultipart()
  }
  const part = await request.file().catch(malformed)
  if (part == null) throw errors.validation([{ field: 'file', message: 'send one file as multipart/form-data' }])
  try {
    const field = part.fields.kind as { type?: string, value?: unknown } | undefined
    const kind = field?.type === 'field' && typeof field.value === 'string' && field.value !== '' ? field.value : undefined
    return { filename: part.filename, content: await part.toBuffer(), kind }
  } catch (err) {
    return malformed(err)
  }
}

/**
 * Supporting documents of applications and declarations. Visibility follows
 * the application's (documentVisibility in server/domain/access.ts), so
 * reviewers will see exactly the documents of the applications they see.
 */
const documentsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // Registered here, not globally: only these routes accept multipart bodies.
  await app.register(multipart, {
    limits: { fileSize: MAX_DOCUMENT_BYTES, files: 1, fields: 10, parts: 11, fieldSize: 1024, headerPairs: 50 },
    throwFileSizeLimit: true
  })
  const readers = { roles: ['enterprise', 'reviewer', 'officer', 'admin', 'district_officer'] } as const
  const owner = { roles: ['enterprise'] } as const

  app.post('/v1/applications/:id/documents', {
    config: owner,
    schema: {
      tags: ['documents'], summary: 'Attach a document to a draft or returned application', security: bearer,
      description: `${UploadDescription}. A \`kind\` field (sent before the file) names the call's required document it is (400 when the call requires no such key). At most 20 per application (409 DOCUMENT_LIMIT). Another type: 415 UNSUPPORTED_DOCUMENT_TYPE; too large: 413 DOCUMENT_TOO_LARGE.`,
      consumes: ['multipart/form-data'],
      params: IdParamsSchema,
      response: { 201: DocumentSchema, ...errorResponses(400, 401, 403, 404, 409, 413, 415) }
    }
  }, async (request, reply) => {
    await assertCanUploadToApplication(app.db, request.user, request.params.id)
    const file = await readUpload(request)
    const doc = await addApplicationDocument(app.db, request.user, request.params.id, file, request.auditContext())
    return reply.code(201).send(doc)
  })

  app.get('/v1/applications/:id/documents', {
    config: readers,
    schema: {
      tags: ['documents'], summary: 'The application\'s documents', security: bearer,
      params: IdParamsSchema,
      response: { 200: Type.Array(DocumentSchema), ...errorResponses(400, 401, 403, 404) }
    }
  }, async (request) => await listApplicationDocuments(app.db, request.user, request.params.id))

  app.post('/v1/enterprises/:id/declarations/:year/documents', {
    config: owner,
    schema: {
      tags: ['documents'], summary: 'Attach a document to a year\'s declaration', security: bearer,
      description: `${UploadDescription}. At most 20 per declaration.`,
      consumes: ['multipart/form-data'],
      params: DeclarationParamsSchema,
      response: { 201: DocumentSchema, ...errorResponses(400, 401, 403, 404, 409, 413, 415) }
    }
  }, async (request, reply) => {
    const { id, year } = request.params
    await assertCanUploadToDeclaration(app.db, request.user, id, year)
    const file = await readUpload(request)
    const doc = await addDeclarationDocument(app.db, request.user, id, year, file, request.auditContext())
    return reply.code(201).send(doc)
  })

  app.get('/v1/enterprises/:id/declarations/:year/documents', {
    config: readers,
    schema: {
      tags: ['documents'], summary: 'A declaration\'s documents', security: bearer,
      params: DeclarationParamsSchema,
      response: { 200: Type.Array(DocumentSchema), ...errorResponses(400, 401, 403, 404) }
    }
  }, async (request) => await listDeclarationDocuments(app.db, request.user, request.params.id, request.params.year))

  app.get('/v1/documents/:id', {
    config: readers,
    schema: {
      tags: ['documents'], summary: 'Download a document', security: bearer,
      description: 'The owner, officers, admins and the application\'s reviewers (not conflicted); a declaration\'s: reviewers of one of the firm\'s applications.',
      params: IdParamsSchema,
      response: { 200: DocumentContentSchema, ...errorResponses(400, 401, 403, 404) }
    }
  }, async (request, reply) => {
    const doc = await downloadDocument(app.db, request.user, request.params.id)
    return reply
      .type(doc.type)
      .header('content-disposition', contentDisposition(cleanDocumentName(doc.name, doc.type)))
      .header('x-content-type-options', 'nosniff')
      .header('etag', `"${doc.sha256}"`)
      .header('cache-control', 'private, no-store')
      .send(doc.content)
  })

  app.delete('/v1/documents/:id', {
    config: owner,
    schema: {
      tags: ['documents'], summary: 'Remove a document while it can change', security: bearer,
      description: 'An application\'s while the application is draft or returned; a declaration\'s unless a submitted application was graded on it (409 DOCUMENT_FROZEN).',
      params: IdParamsSchema,
      response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404, 409) }
    }
  }, async (request, reply) => {
    await deleteDocument(app.db, request.user, request.params.id, request.auditContext())
    return reply.code(204).send(null)
  })
}
export default documentsRoutes
