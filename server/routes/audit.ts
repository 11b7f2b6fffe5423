import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { bearer, errorResponses, PageSchema } from '../../schemas/common.ts'
import { AuditEntrySchema, AuditQuerySchema, AuditVerifySchema } from '../../schemas/audit.ts'
import { listAuditEntries, verifyAuditChain } from '../services/audit.ts'
import type { AppConfig } from '../config.ts'

const admin = { roles: ['admin'] } as const

/** The audit trail, newest first, and its verification. Administrators only. */
const audit: FastifyPluginAsyncTypebox<{ config: AppConfig }> = async (app, { config }) => {
  app.get('/v1/audit', {
    config: admin,
    schema: {
      tags: ['audit'], summary: 'The audit trail, newest first, filterable by object and actor', security: bearer,
      querystring: AuditQuerySchema,
      response: { 200: PageSchema(AuditEntrySchema), ...errorResponses(400, 401, 403) }
    }
  }, async (request) => await listAuditEntries(app.db, request.query))

  app.get('/v1/audit/verify', {
    config: admin,
    schema: {
      tags: ['audit'], summary: 'Walk the hash chain; report the first broken entry and entries left unsequenced past the bound', security: bearer,
      response: { 200: AuditVerifySchema, ...errorResponses(401, 403) }
    }
  }, async () => await verifyAuditChain(app.db, { boundMs: config.auditSequenceBoundMs }))
}
export default audit
