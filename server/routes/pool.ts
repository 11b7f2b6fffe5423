import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply } from 'fastify'
import { bearer, errorResponses } from '../../schemas/common.ts'
import { PoolListSchema, PoolQuerySchema, ReevaluateBodySchema, ReevaluationReportSchema } from '../../schemas/pool.ts'
import { CSV_CONTENT_TYPE, toCsv, wantsCsv } from '../lib/csv.ts'
import { listMembers, memberAggregates, reevaluatePool } from '../services/pool.ts'

const MEMBER_COLUMNS = ['id', 'enterpriseId', 'enterpriseName', 'uscc', 'program', 'tierAtAdmission', 'currentTier', 'status', 'statusReason', 'missingYears', 'admittedOn', 'lastEvaluatedYear'] as const

// The CSV body is text, outside the JSON response schema.
function sendCsv (reply: FastifyReply, filename: string, header: string[], rows: unknown[][]) {
  return reply.type(CSV_CONTENT_TYPE).header('content-disposition', `attachment; filename="${filename}"`).send(toCsv(header, rows))
}

/** The cultivation pool: officers and admins see members; analysts see counts only. */
const pool: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/v1/pool', {
    config: { roles: ['officer', 'admin', 'analyst'] },
    schema: {
      tags: ['pool'], summary: 'Pool members (officer, admin) or counts by program, tier and status (analysts: always) (csv)',
      security: bearer, querystring: PoolQuerySchema,
      response: { 200: PoolListSchema, ...errorResponses(400, 401, 403) }
    }
  }, async (request, reply) => {
    const q = request.query
    const filters = { program: q.program, tier: q.tier, status: q.status }
    const csv = wantsCsv(q.format, request.headers.accept)
    // Analysts see aggregates, never firm rows.
    if (request.user.role === 'analyst' || q.view === 'aggregates') {
      const result = await memberAggregates(app.db, filters)
      if (!csv) return result
      return sendCsv(reply, 'pool-aggregates.csv', ['program', 'tier', 'status', 'members'], result.aggregates.map(a => [a.program, a.tier, a.status, a.members]))
    }
    if (csv) {
      const { items } = await listMembers(app.db, filters, null)
      return sendCsv(reply, 'pool.csv', [...MEMBER_COLUMNS], items.map(m => MEMBER_COLUMNS.map(c => m[c])))
    }
    return await listMembers(app.db, filters, q.limit, q.cursor)
  })

  app.post('/v1/pool/reevaluate', {
    config: { roles: ['officer'] },
    schema: {
      tags: ['pool'], summary: 'Re-evaluate the pool with a year\'s declarations: promotions, demotions, warnings, exits',
      description: 'A member without a declaration for the year is warned; after policy pool_exit_missing_years consecutive missing years, or failing its program\'s eligibility gates (policy eligibility_gates), it exits. Running the same year again changes nothing. Members under public notice are not re-evaluated.',
      security: bearer, body: ReevaluateBodySchema,
      response: { 200: ReevaluationReportSchema, ...errorResponses(400, 401, 403, 409) }
    }
  }, async (request) => await reevaluatePool(app.db, request.body.year, request.auditContext()))
}
export default pool
