import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply } from 'fastify'
import { bearer, errorResponses, IdempotencyHeadersSchema, IdParamsSchema } from '../../schemas/common.ts'
import {
  DirectAdmissionBodySchema, DirectAdmissionReplySchema, PoolListSchema, PoolMemberSchema, PoolQuerySchema, ReevaluateBodySchema,
  ReevaluationQuerySchema, ReevaluationSchema, RevokeBodySchema
} from '../../schemas/pool.ts'
import { CHANGE_KINDS } from '../domain/reevaluation.ts'
import { errors } from '../domain/errors.ts'
import { CSV_CONTENT_TYPE, toCsv, wantsCsv } from '../lib/csv.ts'
import { codeColumns, column, exportFormat, sendExport, type ExportColumn } from '../lib/export.ts'
import { runIdempotent } from '../lib/idempotency.ts'
import {
  admitDirectly, applyReevaluation, getReevaluation, listMembers, memberAggregates, previewReevaluation, reevaluatePool, revokeMembership,
  type PoolMember
} from '../services/pool.ts'

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
  column(['有效期起', 'Valid from'], m => m.validFrom, 'date', 12),
  column(['有效期至', 'Valid until'], m => m.validUntil, 'date', 12),
  column(['直通入库', 'Direct admission'], m => m.direct ? '是' : '否', 'general', 8),
  column(['直通依据', 'Direct basis'], m => m.admissionBasis, 'general', 16),
  column(['禁止申报至', 'Barred until'], m => m.barredUntil, 'date', 12),
  column(['最近评估年度', 'Last evaluated year'], m => m.lastEvaluatedYear, 'number'),
  column(['企业编号', 'Firm id'], m => m.enterpriseId, 'text', 38),
  column(['入库记录编号', 'Membership id'], m => m.id, 'text', 38)
]
const CHANGE_COLUMNS = ['kind', 'membershipId', 'enterpriseId', 'enterpriseName', 'program', 'from', 'to', 'validUntil', 'reason', 'reasonZh'] as const

function sendCsv (reply: FastifyReply, filename: string, header: string[], rows: unknown[][]) {
  return reply.type(CSV_CONTENT_TYPE).header('content-disposition', `attachment; filename="${filename}"`).send(toCsv(header, rows))
}

interface PoolAggregate { program: string, tier: string, status: string, direct: boolean, members: number }
const AGGREGATE_COLUMNS: Array<ExportColumn<PoolAggregate>> = [
  ...codeColumns<PoolAggregate>(['培育计划', 'Program'], 'program', a => a.program),
  ...codeColumns<PoolAggregate>(['当前等级', 'Current tier'], 'tier', a => a.tier),
  ...codeColumns<PoolAggregate>(['状态', 'Status'], 'membershipStatus', a => a.status),
  column(['直通入库', 'Direct admission'], a => a.direct ? '是' : '否', 'general', 8),
  column(['企业数', 'Members'], a => a.members, 'number')
]

function kindFilter (raw: string | undefined): Set<string> | null {
  if (raw == null || raw === '') return null
  const kinds = new Set(raw.split(','))
  const bad = [...kinds].find(k => !(CHANGE_KINDS as readonly string[]).includes(k))
  if (bad != null) throw errors.validation([{ field: 'query.kind', message: `unknown kind ${bad} (one of ${CHANGE_KINDS.join(', ')})` }])
  return kinds
}

const REEVALUATION_DOC = 'For each active or warned member: a term that ended expires; the tier follows the year\'s declaration (promoted, demoted); ' +
  'a year without a declaration or failing the program\'s gates is a failed re-review — one warns, policy pool_exit_failed_reviews in a row exit, ' +
  'unless the member meets a later program\'s gates on its path (policy graduation_paths) and graduates; a member that passes is renewed ' +
  '(back from a warning, and for a new term of policy membership_term_years from the 1st of January after the year when its term would end before the next re-evaluation).'

/** The cultivation pool: officers and admins see members; analysts see counts only. */
const pool: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/v1/pool', {
    config: { roles: ['officer', 'admin', 'analyst'] },
    schema: {
      tags: ['pool'], summary: 'Pool members (officer, admin) or counts by program, tier, status and route (analysts: always) (csv)',
      security: bearer, querystring: PoolQuerySchema,
      response: { 200: PoolListSchema, ...errorResponses(400, 401, 403) }
    }
  }, async (request, reply) => {
    const q = request.query
    const filters = { program: q.program, tier: q.tier, status: q.status, direct: q.direct }
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

  app.post('/v1/pool/reevaluations', {
    config: { roles: ['officer'] },
    schema: {
      tags: ['pool'], summary: 'Preview the re-evaluation of the pool for a year: every change with its reason, changing nothing',
      description: REEVALUATION_DOC + ' The report is stored (state previewed) for POST /v1/pool/reevaluations/:id/apply. A year may be previewed any number of times; ' +
        'a year earlier than the last applied one is 409 INVALID_STATE.',
      security: bearer, body: ReevaluateBodySchema,
      response: { 201: ReevaluationSchema, ...errorResponses(400, 401, 403, 409) }
    }
  }, async (request, reply) => reply.code(201).send(await previewReevaluation(app.db, request.body.year, request.auditContext())))

  app.get('/v1/pool/reevaluations/:id', {
    config: { roles: ['officer'] },
    schema: {
      tags: ['pool'], summary: 'A stored re-evaluation report, previewed or applied (csv)',
      description: '?kind=warned,exited lists only those changes (counts stay whole); ?format=csv or Accept: text/csv gives the changes as CSV.',
      security: bearer, params: IdParamsSchema, querystring: ReevaluationQuerySchema,
      response: { 200: ReevaluationSchema, ...errorResponses(400, 401, 403, 404) }
    }
  }, async (request, reply) => {
    const kinds = kindFilter(request.query.kind)
    const report = await getReevaluation(app.db, request.params.id)
    const changes = kinds == null ? report.changes : report.changes.filter(c => kinds.has(c.kind))
    if (wantsCsv(request.query.format, request.headers.accept)) {
      return sendCsv(reply, `reevaluation-${report.year}-${report.id}.csv`, [...CHANGE_COLUMNS], changes.map(c => CHANGE_COLUMNS.map(k => c[k] ?? null)))
    }
    return { ...report, changes }
  })

  app.post('/v1/pool/reevaluations/:id/apply', {
    config: { roles: ['officer'] },
    schema: {
      tags: ['pool'], summary: 'Apply exactly a previewed re-evaluation, once',
      description: 'Makes every change the report lists and nothing else, audited, and tells each firm why. 409 STALE_PREVIEW when a member, ' +
        'a declaration it read or the policy changed since the preview (preview again). Applying an applied report returns it and changes nothing.',
      security: bearer, params: IdParamsSchema,
      response: { 200: ReevaluationSchema, ...errorResponses(400, 401, 403, 404, 409) }
    }
  }, async (request) => await applyReevaluation(app.db, request.params.id, request.auditContext()))

  app.post('/v1/pool/reevaluate', {
    config: { roles: ['officer'] },
    schema: {
      tags: ['pool'], summary: 'Preview and apply a re-evaluation in one step (kept for older clients)',
      description: REEVALUATION_DOC + ' The same as POST /v1/pool/reevaluations followed at once by its apply; both are recorded. ' +
        'Running the same year again changes nothing. Members under public notice are not re-evaluated.',
      security: bearer, body: ReevaluateBodySchema,
      response: { 200: ReevaluationSchema, ...errorResponses(400, 401, 403, 409) }
    }
  }, async (request) => await reevaluatePool(app.db, request.body.year, request.auditContext()))

  app.post('/v1/pool/admissions', {
    config: { roles: ['officer'] },
    schema: {
      tags: ['pool'], summary: 'Admit a firm directly (直通), without a call, when a direct route holds',
      description: 'The program\'s direct routes are policy direct_routes (default: the ten-billion tier for leading_platform), checked on the firm\'s ' +
        'latest declaration; otherwise 409 NOT_ELIGIBLE_FOR_DIRECT_ROUTE with details.failedConditions. The membership starts under public notice ' +
        'like any admission and is flagged direct. 409 ALREADY_IN_POOL, 409 APPLICANT_BARRED. Honours Idempotency-Key.',
      security: bearer, headers: IdempotencyHeadersSchema, body: DirectAdmissionBodySchema,
      response: { 201: DirectAdmissionReplySchema, ...errorResponses(400, 401, 403, 409, 422) }
    }
  }, async (request, reply) => {
    const result = await runIdempotent(app.db, {
      userId: request.user.id, key: request.headers['idempotency-key'], route: 'POST /v1/pool/admissions', body: request.body
    }, async (tx) => ({ statusCode: 201, body: await admitDirectly(tx, request.body, request.auditContext()) }))
    if (result.replayed) reply.header('idempotent-replayed', 'true')
    return reply.code(201).send(result.body)
  })

  app.post('/v1/pool/memberships/:id/revoke', {
    config: { roles: ['officer'] },
    schema: {
      tags: ['pool'], summary: 'Revoke a membership (falsified data, serious incidents); the firm is barred from applying',
      description: 'notice, active or warned → revoked (else 409 INVALID_STATE); a running public notice is revoked too. The firm may not apply to ' +
        'any call for barYears (default policy revocation_bar_years, 3): 409 APPLICANT_BARRED at POST /v1/applications. The firm is told why and ' +
        'until when it may appeal (policy appeal_window_days).',
      security: bearer, params: IdParamsSchema, body: RevokeBodySchema,
      response: { 200: PoolMemberSchema, ...errorResponses(400, 401, 403, 404, 409) }
    }
  }, async (request) => await revokeMembership(app.db, request.params.id, request.body, request.auditContext()))
}
export default pool
