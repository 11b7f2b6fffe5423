import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { bearer, errorResponses, IdempotencyHeadersSchema, IdParamsSchema, PageSchema } from '../../schemas/common.ts'
import {
  AwardBodySchema, AwardListQuerySchema, AwardSchema, CancelAwardBodySchema, CreateFundBodySchema, FundAnalyticsQuerySchema, FundAnalyticsSchema,
  FundListQuerySchema, FundSchema, PaymentBodySchema
} from '../../schemas/funds.ts'
import { seesEverything } from '../domain/access.ts'
import { codeColumns, column, exportFormat, sendExport, type ExportColumn, type ExportFormat } from '../lib/export.ts'
import { runIdempotent } from '../lib/idempotency.ts'
import { moneyAsStrings } from '../lib/money-input.ts'
import {
  awardSupport, cancelAward, createFund, getAward, getFund, listEnterpriseAwards, listFundAwards, listFunds, recordPayment, type AwardView
} from '../services/funds.ts'
import { fundPerformance } from '../services/fund-analytics.ts'

const AWARD_COLUMNS: Array<ExportColumn<AwardView>> = [
  column(['专项资金', 'Fund'], a => a.fundName, 'general', 30),
  column(['年度', 'Year'], a => a.year, 'number', 8),
  ...codeColumns<AwardView>(['培育计划', 'Program'], 'program', a => a.program),
  column(['统一社会信用代码', 'Credit code'], a => a.uscc, 'text', 22),
  column(['企业名称', 'Firm'], a => a.firmName, 'general', 30),
  column(['扶持金额(元)', 'Amount (CNY)'], a => a.amount, 'money', 16),
  column(['已拨付(元)', 'Paid (CNY)'], a => a.paid, 'money', 16),
  column(['未拨付(元)', 'Unpaid (CNY)'], a => a.unpaid, 'money', 16),
  ...codeColumns<AwardView>(['状态', 'State'], 'awardState', a => a.state),
  column(['扶持用途', 'Purpose'], a => a.purpose, 'general', 30),
  column(['取消原因', 'Cancel reason'], a => a.cancelReason, 'general', 20),
  column(['立项时间', 'Awarded at'], a => a.createdAt, 'general', 22),
  column(['拨付记录', 'Payments'], a => a.payments.map(p => `${p.paidOn} ${p.amount}`).join('; '), 'general', 40),
  column(['企业编号', 'Firm id'], a => a.enterpriseId, 'text', 38),
  column(['扶持编号', 'Award id'], a => a.id, 'text', 38)
]

async function sendAwards (request: FastifyRequest, reply: FastifyReply, db: Parameters<typeof sendExport>[0], format: ExportFormat, filename: string,
  rows: AwardView[]) {
  return await sendExport(db, request, reply, { format, filename, columns: AWARD_COLUMNS, rows, sheet: ['扶持项目', 'Awards'] })
}

/**
 * Support funds (专项资金): officers and admins create funds, award support to
 * active pool members within the budget, record payments and cancel unpaid
 * awards. A firm sees its own awards (GET /v1/enterprises/:id/awards, GET /v1/awards/:id).
 */
const fundsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post('/v1/funds', {
    preValidation: moneyAsStrings(['budget']),
    config: { roles: ['officer', 'admin'] },
    schema: {
      tags: ['funds'], summary: 'Create a support fund of a program and year with its budget',
      description: 'budget: a decimal string above 0. 409 CONFLICT when the program already has a fund of that name for the year. Honours Idempotency-Key.',
      security: bearer, headers: IdempotencyHeadersSchema, body: CreateFundBodySchema,
      response: { 201: FundSchema, ...errorResponses(400, 401, 403, 409, 422) }
    }
  }, async (request, reply) => {
    const result = await runIdempotent(app.db, { userId: request.user.id, key: request.headers['idempotency-key'], route: 'POST /v1/funds', body: request.body },
      async (tx) => ({ statusCode: 201, body: await createFund(tx, request.body, request.auditContext()) }))
    if (result.replayed) reply.header('idempotent-replayed', 'true')
    return reply.code(201).send(result.body)
  })

  app.get('/v1/funds', {
    config: { roles: ['officer', 'admin'] },
    schema: {
      tags: ['funds'], summary: 'Funds with their awarded, paid and available sums, newest year first', security: bearer,
      querystring: FundListQuerySchema,
      response: { 200: PageSchema(FundSchema), ...errorResponses(400, 401, 403) }
    }
  }, async (request) => await listFunds(app.db, request.query))

  app.get('/v1/funds/:id', {
    config: { roles: ['officer', 'admin'] },
    schema: {
      tags: ['funds'], summary: 'One fund with its awarded, paid and available sums', security: bearer,
      params: IdParamsSchema,
      response: { 200: FundSchema, ...errorResponses(400, 401, 403, 404) }
    }
  }, async (request) => await getFund(app.db, request.params.id))

  app.get('/v1/funds/:id/awards', {
    config: { roles: ['officer', 'admin'] },
    schema: {
      tags: ['funds'], summary: 'The fund\'s awards with their payments, newest first (csv, xlsx)', security: bearer,
      params: IdParamsSchema, querystring: AwardListQuerySchema,
      response: { 200: PageSchema(AwardSchema), ...errorResponses(400, 401, 403, 404) }
    }
  }, async (request, reply) => {
    const q = request.query
    const asFile = exportFormat(q.format, request.headers.accept)
    if (asFile != null) {
      const { items } = await listFundAwards(app.db, request.params.id, null)
      return await sendAwards(request, reply, app.db, asFile, `fund-${request.params.id}-awards`, items)
    }
    return await listFundAwards(app.db, request.params.id, q.limit, q.cursor)
  })

  app.post('/v1/funds/:id/awards', {
    preValidation: moneyAsStrings(['amount']),
    config: { roles: ['officer', 'admin'] },
    schema: {
      tags: ['funds'], summary: 'Award support from the fund to an active pool member of its program',
      description: '409 NOT_A_MEMBER unless the firm has an active (or warned) membership of the fund\'s program; 409 BUDGET_EXCEEDED when the awards ' +
        'not cancelled would exceed the budget (summed under the fund\'s row lock in the writing transaction, so exact under concurrent awards). ' +
        'Honours Idempotency-Key: a retried award is made once.',
      security: bearer, headers: IdempotencyHeadersSchema, params: IdParamsSchema, body: AwardBodySchema,
      response: { 201: AwardSchema, ...errorResponses(400, 401, 403, 404, 409, 422) }
    }
  }, async (request, reply) => {
    const route = `POST /v1/funds/${request.params.id}/awards`
    const result = await runIdempotent(app.db, { userId: request.user.id, key: request.headers['idempotency-key'], route, body: request.body },
      async (tx) => ({ statusCode: 201, body: await awardSupport(tx, request.params.id, request.body, request.auditContext()) }))
    if (result.replayed) reply.header('idempotent-replayed', 'true')
    return reply.code(201).send(result.body)
  })

  app.get('/v1/awards/:id', {
    config: { roles: ['officer', 'admin', 'enterprise'] },
    schema: {
      tags: ['funds'], summary: 'One award with its payments (a firm sees its own)', security: bearer,
      params: IdParamsSchema,
      response: { 200: AwardSchema, ...errorResponses(400, 401, 403, 404) }
    }
  }, async (request) => await getAward(app.db, request.params.id, request.user))

  app.post('/v1/awards/:id/payments', {
    preValidation: moneyAsStrings(['amount']),
    config: { roles: ['officer', 'admin'] },
    schema: {
      tags: ['funds'], summary: 'Record a payment (disbursement) of the award; never more than is unpaid',
      description: 'paidOn: not in the future (China time) and not before the award. 409 PAYMENT_EXCEEDS_AWARD above the unpaid rest; ' +
        '409 INVALID_STATE for a cancelled or fully paid award. Checked under the award\'s row lock.',
      security: bearer, params: IdParamsSchema, body: PaymentBodySchema,
      response: { 201: AwardSchema, ...errorResponses(400, 401, 403, 404, 409) }
    }
  }, async (request, reply) => reply.code(201).send(await recordPayment(app.db, request.params.id, request.body, request.auditContext())))

  app.post('/v1/awards/:id/cancel', {
    config: { roles: ['officer', 'admin'] },
    schema: {
      tags: ['funds'], summary: 'Cancel an award before any payment, with a reason; its amount returns to the fund',
      description: '409 INVALID_STATE once a payment was recorded.',
      security: bearer, params: IdParamsSchema, body: CancelAwardBodySchema,
      response: { 200: AwardSchema, ...errorResponses(400, 401, 403, 404, 409) }
    }
  }, async (request) => await cancelAward(app.db, request.params.id, request.body.reason, request.auditContext()))

  app.get('/v1/enterprises/:id/awards', {
    config: { roles: ['enterprise', 'officer', 'admin'] },
    schema: {
      tags: ['funds'], summary: 'The firm\'s awards and payments, newest first (csv, xlsx); a firm sees its own only', security: bearer,
      params: IdParamsSchema, querystring: AwardListQuerySchema,
      response: { 200: PageSchema(AwardSchema), ...errorResponses(400, 401, 403, 404) }
    }
  }, async (request, reply) => {
    const q = request.query
    const asFile = exportFormat(q.format, request.headers.accept)
    if (asFile != null) {
      const { items } = await listEnterpriseAwards(app.db, request.user, request.params.id, null)
      return await sendAwards(request, reply, app.db, asFile, `enterprise-${request.params.id}-awards`, items)
    }
    return await listEnterpriseAwards(app.db, request.user, request.params.id, q.limit, q.cursor)
  })

  app.get('/v1/analytics/funds', {
    config: { roles: ['analyst', 'officer', 'admin'] },
    schema: {
      tags: ['analytics'], summary: 'Performance evaluation of the support funds: budget, awarded, paid, firms; outcomes of supported vs unsupported members',
      description: 'For the funds of `year`, by program, tier or district: budget, awarded (not cancelled), paid, firms supported and awards. Outcomes: ' +
        'the firms supported in the year and the pool members of the year that were not, with declarations for the year and the next: sums of operating ' +
        'revenue, R&D expense and employees in both years, the growth of the sums and the median of the firms\' growth rates. Officers and ' +
        'administrators get exact figures. Analysts get the awarded and paid sums of a protected table (null with suppressed: true where a cell ' +
        'has fewer than policy suppression_min_firms firms or is dominated), firm counts, budgets and the median growth of groups of at least ' +
        'suppression_min_firms firms, but no outcome totals: a cohort cuts across the cells of the year\'s protected table.',
      security: bearer, querystring: FundAnalyticsQuerySchema,
      response: { 200: FundAnalyticsSchema, ...errorResponses(400, 401, 403) }
    }
  }, async (request) => await fundPerformance(app.db, request.query.year, request.query.by ?? 'program', seesEverything(request.user)))
}
export default fundsRoutes
