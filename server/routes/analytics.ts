import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply } from 'fastify'
import { bearer, errorResponses } from '../../schemas/common.ts'
import { DistributionQuerySchema, DistributionSchema, TargetsQuerySchema, TargetsReportSchema, TrendQuerySchema, TrendSchema } from '../../schemas/analytics.ts'
import { errors } from '../domain/errors.ts'
import { CSV_CONTENT_TYPE, toCsv, wantsCsv } from '../lib/csv.ts'
import { distribution, parseBy, parseFilters, targetsReport, trend, type Cell, type Dimension, type Figures } from '../services/analytics.ts'

const FIGURE_COLUMNS = ['firms', 'operatingRevenue', 'softwareRevenue', 'rdExpense', 'exportRevenue', 'employees', 'suppressed'] as const

/** Officers and administrators may read single firms anyway: they get exact figures; everyone else the protected table. */
const readsExact = (role: string) => role === 'officer' || role === 'admin'
const figureRow = (f: Figures) => FIGURE_COLUMNS.map(c => f[c])

function sendCsv (reply: FastifyReply, filename: string, header: string[], rows: unknown[][]) {
  return reply.type(CSV_CONTENT_TYPE).header('content-disposition', `attachment; filename="${filename}"`).send(toCsv(header, rows))
}

/** Aggregates for analysts (and officers, admins): never one firm's figures. */
const analytics: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/v1/analytics/distribution', {
    config: { roles: ['analyst', 'officer', 'admin'] },
    schema: {
      tags: ['analytics'], summary: 'Firms and sums of revenue, export revenue, R&D and employees by tier, program, domain and district (csv)',
      description: 'Analysts get figures of the year\'s protected table only: a figure that would need a withheld cell is null with suppressed: true ' +
        '(fewer than policy suppression_min_firms firms, or dominated under the p% rule, policy disclosure_dominance_percent). The year\'s totals are exact. ' +
        'Officers and administrators get exact figures (exact: true). A firm with several domains counts once per domain in a domain breakdown and once in the totals.',
      security: bearer, querystring: DistributionQuerySchema,
      response: { 200: DistributionSchema, ...errorResponses(400, 401, 403) }
    }
  }, async (request, reply) => {
    const q = request.query
    const by = parseBy(q.by, ['tier', 'program', 'domain', 'district'])
    const filters = { ...await parseFilters(app.db, q), pool: q.pool ?? 'any' }
    const result = await distribution(app.db, q.year, by, filters, readsExact(request.user.role))
    if (wantsCsv(q.format, request.headers.accept)) {
      const rows = result.cells.map((c: Cell) => [q.year, ...by.map(d => c[d] ?? 'none'), ...figureRow(c)])
      rows.push([q.year, ...by.map(() => 'total'), ...figureRow(result.totals)])
      return sendCsv(reply, `distribution-${q.year}.csv`, ['year', ...by, ...FIGURE_COLUMNS], rows)
    }
    return result
  })

  app.get('/v1/analytics/trend', {
    config: { roles: ['analyst', 'officer', 'admin'] },
    schema: {
      tags: ['analytics'], summary: 'The same measures year by year, optionally by tier or program (csv)',
      security: bearer, querystring: TrendQuerySchema,
      response: { 200: TrendSchema, ...errorResponses(400, 401, 403) }
    }
  }, async (request, reply) => {
    const q = request.query
    if (q.to < q.from) throw errors.validation([{ field: 'query.to', message: 'must not be before from' }])
    if (q.to - q.from > 49) throw errors.validation([{ field: 'query.to', message: 'at most 50 years at once' }])
    const by: Dimension[] = q.by == null ? [] : [q.by]
    const filters = { ...await parseFilters(app.db, q), pool: q.pool ?? 'any' }
    const result = await trend(app.db, q.from, q.to, by, filters, readsExact(request.user.role))
    if (wantsCsv(q.format, request.headers.accept)) {
      const rows: unknown[][] = []
      for (const y of result.years) {
        for (const c of y.cells) rows.push([y.year, ...by.map(d => c[d] ?? 'none'), ...figureRow(c)])
        rows.push([y.year, ...by.map(() => 'total'), ...figureRow(y.totals)])
      }
      return sendCsv(reply, `trend-${q.from}-${q.to}.csv`, ['year', ...by, ...FIGURE_COLUMNS], rows)
    }
    return result
  })

  app.get('/v1/analytics/targets', {
    config: { roles: ['analyst', 'officer', 'admin'] },
    schema: {
      tags: ['analytics'], summary: 'Progress toward each plan target in a year: value, goal, met, gap',
      description: 'City-wide aggregates over every declaring firm, so not suppressed. Targets that declarations cannot measure (value added / GDP) are listed with measurable: false.',
      security: bearer, querystring: TargetsQuerySchema,
      response: { 200: TargetsReportSchema, ...errorResponses(400, 401, 403) }
    }
  }, async (request) => await targetsReport(app.db, request.query.year))
}
export default analytics
