import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { bearer, errorResponses } from '../../schemas/common.ts'
import { DistributionQuerySchema, DistributionSchema, TargetsQuerySchema, TargetsReportSchema, TrendQuerySchema, TrendSchema } from '../../schemas/analytics.ts'
import { errors } from '../domain/errors.ts'
import { column, exportFormat, labelOf, sendExport, type ExportColumn } from '../lib/export.ts'
import { distribution, parseBy, parseFilters, trend, type Cell, type Dimension, type Figures } from '../services/analytics.ts'
import { targetsReport } from '../services/targets.ts'

/** One exported row: a year, a cell (or the totals, marked `total`) and its figures. */
interface FigureRow { year: number, cell: Partial<Record<Dimension, string | null>>, total: boolean, figures: Figures }

/** Officers and administrators may read single firms anyway: they get exact figures; everyone else the protected table. */
const readsExact = (role: string) => role === 'officer' || role === 'admin'

const DIMENSION_HEADER: Record<Dimension, readonly [string, string]> = {
  tier: ['规模等级', 'Tier'], program: ['培育计划', 'Program'], domain: ['重点领域', 'Domain'], district: ['所在区县', 'District']
}

/** Year, then for each dimension its label (合计 on the totals row, 未分类 for none) and code, then the figures. */
function figureColumns (by: Dimension[]): Array<ExportColumn<FigureRow>> {
  const cols: Array<ExportColumn<FigureRow>> = [column(['年度', 'Year'], r => r.year, 'number', 8)]
  for (const d of by) {
    cols.push({
      header: DIMENSION_HEADER[d],
      value: (r, ctx) => r.total ? labelOf(ctx.labels, 'aggregate', 'total', ctx.lang) : r.cell[d] == null ? labelOf(ctx.labels, 'aggregate', 'none', ctx.lang) : labelOf(ctx.labels, d, r.cell[d], ctx.lang),
      width: 16
    })
    cols.push(column([`${DIMENSION_HEADER[d][0]}代码`, `${DIMENSION_HEADER[d][1]} code`], r => r.total ? 'total' : r.cell[d] ?? 'none', 'text', 14))
  }
  cols.push(
    column(['企业数', 'Firms'], r => r.figures.firms, 'number'),
    column(['营业收入(元)', 'Operating revenue (yuan)'], r => r.figures.operatingRevenue, 'money', 20),
    column(['软件业务收入(元)', 'Software revenue (yuan)'], r => r.figures.softwareRevenue, 'money', 20),
    column(['研发费用(元)', 'R&D expense (yuan)'], r => r.figures.rdExpense, 'money', 20),
    column(['出口收入(元)', 'Export revenue (yuan)'], r => r.figures.exportRevenue, 'money', 20),
    column(['从业人员', 'Employees'], r => r.figures.employees, 'number'),
    column(['已抑制', 'Suppressed'], r => r.figures.suppressed, 'boolean')
  )
  return cols
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
    const asFile = exportFormat(q.format, request.headers.accept)
    if (asFile != null) {
      const rows: FigureRow[] = result.cells.map((c: Cell) => ({ year: q.year, cell: c, total: false, figures: c }))
      rows.push({ year: q.year, cell: {}, total: true, figures: result.totals })
      return await sendExport(app.db, request, reply, { format: asFile, filename: `distribution-${q.year}`, columns: figureColumns(by), rows, sheet: ['分布', 'Distribution'] })
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
    const asFile = exportFormat(q.format, request.headers.accept)
    if (asFile != null) {
      const rows: FigureRow[] = []
      for (const y of result.years) {
        for (const c of y.cells) rows.push({ year: y.year, cell: c, total: false, figures: c })
        rows.push({ year: y.year, cell: {}, total: true, figures: y.totals })
      }
      return await sendExport(app.db, request, reply, { format: asFile, filename: `trend-${q.from}-${q.to}`, columns: figureColumns(by), rows, sheet: ['趋势', 'Trend'] })
    }
    return result
  })

  app.get('/v1/analytics/targets', {
    config: { roles: ['analyst', 'officer', 'admin'] },
    schema: {
      tags: ['analytics'], summary: 'Progress toward each plan target in a year: value, goal, met, gap',
      description: 'City targets: city-wide aggregates over every declaring firm, so not suppressed. `district=` gives that district\'s own targets ' +
        'against its own figures, `by=district` every district\'s side by side; district figures are the protected table\'s for analysts (a value ' +
        'needing a withheld figure is null, suppressed: true). Targets that declarations cannot measure (value added / GDP) are listed with measurable: false.',
      security: bearer, querystring: TargetsQuerySchema,
      response: { 200: TargetsReportSchema, ...errorResponses(400, 401, 403) }
    }
  }, async (request) => {
    const q = request.query
    if (q.district != null && q.by != null) throw errors.validation([{ field: 'query.by', message: 'use either district or by=district' }])
    return await targetsReport(app.db, { year: q.year, district: q.district, byDistrict: q.by === 'district', exact: readsExact(request.user.role) })
  })
}
export default analytics
