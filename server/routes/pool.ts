import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { bearer, errorResponses } from '../../schemas/common.ts'
import { PoolListSchema, PoolQuerySchema, ReevaluateBodySchema, ReevaluationReportSchema } from '../../schemas/pool.ts'
import { codeColumns, column, exportFormat, sendExport, type ExportColumn } from '../lib/export.ts'
import { listMembers, memberAggregates, reevaluatePool, type PoolMember } from '../services/pool.ts'

const MEMBER_COLUMNS: Array<ExportColumn<PoolMember>> = [
  column(['统一社会信用代码', 'Credit code'], m => m.uscc, 'text', 22),
  column(['企业名称', 'Firm'], m => m.enterpriseName, 'general', 30),
  ...codeColumns<PoolMember>(['培育计划', 'Program'], 'program', m => m.program),
  ...codeColumns<PoolMember>(['入库时等级', 'Tier at admission'], 'tier', m => m.tierAtAdmission),
  ...codeColumns<PoolMember>(['当前等级', 'Current tier'], 'tier', m => m.currentTier),
  ...codeColumns<PoolMember>(['状态', 'Status'], 'membershipStatus', m => m.status),
  column(['状态说明', 'Status reason'], m => m.statusReason, 'general', 30),
  column(['缺报年数', 'Missing years'], m => m.missingYears, 'number'),
  column(['入库日期', 'Admitted on'], m => m.admittedOn, 'date', 12),
  column(['最近评估年度', 'Last evaluated year'], m => m.lastEvaluatedYear, 'number'),
  column(['企业编号', 'Firm id'], m => m.enterpriseId, 'text', 38),
  column(['入库记录编号', 'Membership id'], m => m.id, 'text', 38)
]

interface PoolAggregate { program: string, tier: string, status: string, members: number }
const AGGREGATE_COLUMNS: Array<ExportColumn<PoolAggregate>> = [
  ...codeColumns<PoolAggregate>(['培育计划', 'Program'], 'program', a => a.program),
  ...codeColumns<PoolAggregate>(['当前等级', 'Current tier'], 'tier', a => a.tier),
  ...codeColumns<PoolAggregate>(['状态', 'Status'], 'membershipStatus', a => a.status),
  column(['企业数', 'Members'], a => a.members, 'number')
]

/** The cultivation pool: officers and admins see members; analysts see counts only. */
const pool: FastifyPluginAsyncTypebox = async (app) => {
  app.addHook('onRequest', app.authenticate)

  app.get('/v1/pool', {
    preHandler: app.requireRole('officer', 'admin', 'analyst'),
    schema: {
      tags: ['pool'], summary: 'Pool members (officer, admin) or counts by program, tier and status (analysts: always) (csv)',
      security: bearer, querystring: PoolQuerySchema,
      response: { 200: PoolListSchema, ...errorResponses(400, 401, 403) }
    }
  }, async (request, reply) => {
    const q = request.query
    const filters = { program: q.program, tier: q.tier, status: q.status }
    const asFile = exportFormat(q.format, request.headers.accept)
    // Analysts see aggregates, never firm rows.
    if (request.user.role === 'analyst' || q.view === 'aggregates') {
      const result = await memberAggregates(app.db, filters)
      if (asFile == null) return result
      return await sendExport(app.db, request, reply, { format: asFile, filename: 'pool-aggregates', columns: AGGREGATE_COLUMNS, rows: result.aggregates, sheet: ['培育库统计', 'Pool counts'] })
    }
    if (asFile != null) {
      const { items } = await listMembers(app.db, filters, null)
      return await sendExport(app.db, request, reply, { format: asFile, filename: 'pool', columns: MEMBER_COLUMNS, rows: items, sheet: ['培育库', 'Pool'] })
    }
    return await listMembers(app.db, filters, q.limit, q.cursor)
  })

  app.post('/v1/pool/reevaluate', {
    preHandler: app.requireRole('officer'),
    schema: {
      tags: ['pool'], summary: 'Re-evaluate the pool with a year\'s declarations: promotions, demotions, warnings, exits',
      description: 'A member without a declaration for the year is warned; after policy pool_exit_missing_years consecutive missing years, or failing its program\'s eligibility gates (policy eligibility_gates), it exits. Running the same year again changes nothing. Members under public notice are not re-evaluated.',
      security: bearer, body: ReevaluateBodySchema,
      response: { 200: ReevaluationReportSchema, ...errorResponses(400, 401, 403, 409) }
    }
  }, async (request) => await reevaluatePool(app.db, request.body.year, request.auditContext()))
}
export default pool
