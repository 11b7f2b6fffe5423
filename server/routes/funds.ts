import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply } from 'fastify'
import { bearer, errorResponses, IdParamsSchema, PageSchema } from '../../schemas/common.ts'
import {
  AwardBodySchema, AwardListQuerySchema, AwardSchema, CancelAwardBodySchema, CreateFundBodySchema, FundListQuerySchema, FundSchema, PaymentBodySchema
} from '../../schemas/funds.ts'
import { errors } from '../domain/errors.ts'
import { CSV_CONTENT_TYPE, toCsv, wantsCsv } from '../lib/csv.ts'
import { toXlsx, XLSX_CONTENT_TYPE } from '../lib/xlsx.ts'
import {
  AWARD_COLUMNS, awardExportRows, awardSupport, cancelAward, createFund, getAward, getFund, listEnterpriseAwards, listFundAwards, listFunds, recordPayment,
  type AwardView
} from '../services/funds.ts'
import { canSeeEnterprise } from '../services/enterprises.ts'

async function sendAwards (reply: FastifyReply, format: string | undefined, filename: string, items: AwardView[]) {
  const rows = awardExportRows(items)
  if (format === 'xlsx') {
    return reply.type(XLSX_CONTENT_TYPE).header('content-disposition', `attachment; filename="${filename}.xlsx"`)
      .send(await toXlsx('awards', [...AWARD_COLUMNS], rows))
  }
  return reply.type(CSV_CONTENT_TYPE).header('content-disposition', `attachment; filename="${filename}.csv"`).send(toCsv([...AWARD_COLUMNS], rows))
}
const wantsExport = (format: string | undefined, accept: string | undefined) => format === 'xlsx' || wantsCsv(format, accept)

/**
 * Support funds: officers and admins create funds, award support to active
 * pool members within the budget, record payments and cancel unpaid awards.
 * A firm sees its own awards (GET /v1/enterprises/:id/awards, GET /v1/awards/:id).
 */
const fundsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.addHook('onRequest', app.authenticate)
  const staff = app.requireRole('officer', 'admin')

  app.post('/v1/funds', {
    preHandler: staff,
    schema: {
      tags: ['funds'], summary: 'Create a support fund of a program and year with its budget', security: bearer,
      body: CreateFundBodySchema,
      response: { 201: FundSchema, ...errorResponses(400, 401, 403, 409) }
    }
  }, async (request, reply) => reply.code(201).send(await createFund(app.db, request.body, request.auditContext())))

  app.get('/v1/funds', {
    preHandler: staff,
    schema: {
      tags: ['funds'], summary: 'Funds with their awarded, paid and available sums, newest year first', security: bearer,
      querystring: FundListQuerySchema,
      response: { 200: PageSchema(FundSchema), ...errorResponses(400, 401, 403) }
    }
  }, async (request) => await listFunds(app.db, request.query))

  app.get('/v1/funds/:id', {
    preHandler: staff,
    schema: {
      tags: ['funds'], summary: 'One fund with its sums', security: bearer,
      params: IdParamsSchema,
      response: { 200: FundSchema, ...errorResponses(400, 401, 403, 404) }
    }
  }, async (request) => await getFund(app.db, request.params.id))

  app.get('/v1/funds/:id/awards', {
    preHandler: staff,
    schema: {
      tags: ['funds'], summary: 'The fund\'s awards with their payments, newest first (csv, xlsx)', security: bearer,
      params: IdParamsSchema, querystring: AwardListQuerySchema,
      response: { 200: PageSchema(AwardSchema), ...errorResponses(400, 401, 403, 404) }
    }
  }, async (request, reply) => {
    const q = request.query
    if (wantsExport(q.format, request.headers.accept)) {
      const { items } = await listFundAwards(app.db, request.params.id, null)
      return await sendAwards(reply, q.format, `fund-${request.params.id}-awards`, items)
    }
    return await listFundAwards(app.db, request.params.id, q.limit, q.cursor)
  })

  app.post('/v1/funds/:id/awards', {
    preHandler: staff,
    schema: {
      tags: ['funds'], summary: 'Award support from the fund to an active pool member of its program',
      description: '409 NOT_A_MEMBER unless the firm has an active (or warned) membership of the fund\'s program; 409 BUDGET_EXCEEDED when the awards not cancelled would exceed the budget (checked under the fund\'s row lock, so exact under concurrent awards).',
      security: bearer, params: IdParamsSchema, body: AwardBodySchema,
      response: { 201: AwardSchema, ...errorResponses(400, 401, 403, 404, 409) }
    }
  }, async (request, reply) => reply.code(201).send(await awardSupport(app.db, request.params.id, request.body, request.auditContext())))

  app.get('/v1/awards/:id', {
    preHandler: app.requireRole('officer', 'admin', 'enterprise'),
    schema: {
      tags: ['funds'], summary: 'One award with its payments (the firm sees its own)', security: bearer,
      params: IdParamsSchema,
      response: { 200: AwardSchema, ...errorResponses(400, 401, 403, 404) }
    }
  }, async (request) => {
    const award = await getAward(app.db, request.params.id)
    if (!(await canSeeEnterprise(app.db, request.user, award.enterpriseId))) throw errors.notFound()
    return award
  })

  app.post('/v1/awards/:id/payments', {
    preHandler: staff,
    schema: {
      tags: ['funds'], summary: 'Record a payment of the award; never more than is unpaid',
      description: '409 PAYMENT_EXCEEDS_AWARD above the unpaid rest; 409 INVALID_STATE for a cancelled or fully paid award.',
      security: bearer, params: IdParamsSchema, body: PaymentBodySchema,
      response: { 201: AwardSchema, ...errorResponses(400, 401, 403, 404, 409) }
    }
  }, async (request, reply) => reply.code(201).send(await recordPayment(app.db, request.params.id, request.body, request.auditContext())))

  app.post('/v1/awards/:id/cancel', {
    preHandler: staff,
    schema: {
      tags: ['funds'], summary: 'Cancel an award before any payment; its amount returns to the fund', security: bearer,
      params: IdParamsSchema, body: CancelAwardBodySchema,
      response: { 200: AwardSchema, ...errorResponses(400, 401, 403, 404, 409) }
    }
  }, async (request) => await cancelAward(app.db, request.params.id, request.body.reason, request.auditContext()))

  app.get('/v1/enterprises/:id/awards', {
    preHandler: app.requireRole('enterprise', 'officer', 'admin'),
    schema: {
      tags: ['funds'], summary: 'The firm\'s awards and payments, newest first (csv, xlsx)', security: bearer,
      params: IdParamsSchema, querystring: AwardListQuerySchema,
      response: { 200: PageSchema(AwardSchema), ...errorResponses(400, 401, 403, 404) }
    }
  }, async (request, reply) => {
    if (!(await canSeeEnterprise(app.db, request.user, request.params.id))) throw errors.notFound()
    const q = request.query
    if (wantsExport(q.format, request.headers.accept)) {
      const { items } = await listEnterpriseAwards(app.db, request.params.id, null)
      return await sendAwards(reply, q.format, `enterprise-${request.params.id}-awards`, items)
    }
    return await listEnterpriseAwards(app.db, request.params.id, q.limit, q.cursor)
  })
}
export default fundsRoutes
