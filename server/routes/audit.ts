import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { and, desc, eq, lt, type SQL } from 'drizzle-orm'
import { auditLog } from '../../db/schema/index.ts'
import { bearer, errorResponses, PageSchema } from '../../schemas/common.ts'
import { AuditEntrySchema, AuditQuerySchema, AuditVerifySchema } from '../../schemas/audit.ts'
import { verifyAuditChain } from '../lib/audit.ts'
import { decodeCursor, page } from '../lib/pagination.ts'
import type { AppConfig } from '../config.ts'

/** The audit trail, newest first, and its verification. Administrators only. */
const audit: FastifyPluginAsyncTypebox<{ config: AppConfig }> = async (app, { config }) => {
  app.addHook('onRequest', app.authenticate)
  app.addHook('preHandler', app.requireRole('admin'))

  app.get('/v1/audit', {
    schema: {
      tags: ['audit'], summary: 'The audit trail, newest first, filterable by object and actor', security: bearer,
      querystring: AuditQuerySchema,
      response: { 200: PageSchema(AuditEntrySchema), ...errorResponses(400, 401, 403) }
    }
  }, async (request) => {
    const q = request.query
    const after = decodeCursor<{ id: number }>(q.cursor, ['id'])
    const where: SQL[] = []
    if (q.objectType != null) where.push(eq(auditLog.objectType, q.objectType))
    if (q.objectId != null) where.push(eq(auditLog.objectId, q.objectId))
    if (q.actorId != null) where.push(eq(auditLog.actorId, q.actorId))
    if (q.action != null) where.push(eq(auditLog.action, q.action))
    if (after != null) where.push(lt(auditLog.id, Number(after.id)))
    const rows = await app.db.select().from(auditLog).where(and(...where)).orderBy(desc(auditLog.id)).limit(q.limit + 1)
    const p = page(rows, q.limit, r => ({ id: r.id }))
    return { items: p.items.map(({ sequencedAt: _s, ...r }) => ({ ...r, at: r.at.toISOString() })), nextCursor: p.nextCursor }
  })

  app.get('/v1/audit/verify', {
    schema: {
      tags: ['audit'], summary: 'Walk the hash chain; report the first broken entry and entries left unsequenced past the bound', security: bearer,
      response: { 200: AuditVerifySchema, ...errorResponses(401, 403) }
    }
  }, async () => await verifyAuditChain(app.db, { boundMs: config.auditSequenceBoundMs }))
}
export default audit
