import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { bearer, errorResponses } from '../../schemas/common.ts'
import { RecomputeBodySchema, RecomputeReportSchema, TierRuleSetBodySchema, TierRuleSetSchema, TierRulesPutHeadersSchema } from '../../schemas/tier-rules.ts'
import { moneyAsStrings } from '../lib/money-input.ts'
import { loadTierRules, recomputeTiers, replaceTierRules, tierRulesEtag } from '../services/tier-rules.ts'

/** Tier thresholds with validity periods: administrators read, replace and apply them. */
const tierRulesRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/v1/admin/tier-rules', {
    config: { roles: ['admin'] },
    schema: {
      tags: ['admin'], summary: 'The whole tier rule set; ETag identifies this version of it', security: bearer,
      response: { 200: TierRuleSetSchema, ...errorResponses(401, 403) }
    }
  }, async (request, reply) => {
    const rules = await loadTierRules(app.db)
    return reply.header('etag', tierRulesEtag(rules)).send({ rules })
  })

  app.put('/v1/admin/tier-rules', {
    config: { roles: ['admin'] },
    preValidation: moneyAsStrings(['rules.*.minRevenue']),
    schema: {
      tags: ['admin'],
      summary: 'Replace the whole tier rule set',
      description: 'Validated as a whole (known tiers and domains, fromYear ≤ toYear, no two rules for the same tier and domain in force in one year, higher tiers need more revenue). Stored declarations keep their tier: use POST /v1/admin/tier-rules/recompute to apply the new rules to a past year. `If-Match` with the ETag of GET is optional; a stale one is 412.',
      security: bearer,
      headers: TierRulesPutHeadersSchema,
      body: TierRuleSetBodySchema,
      response: { 200: TierRuleSetSchema, ...errorResponses(400, 401, 403, 412) }
    }
  }, async (request, reply) => {
    const rules = await replaceTierRules(app.db, request.auditContext(), request.body.rules.map(r => ({
      tierCode: r.tierCode, minRevenue: r.minRevenue, fromYear: r.fromYear, toYear: r.toYear ?? null, domainCode: r.domainCode ?? null, note: r.note ?? null
    })), request.headers['if-match'])
    return reply.header('etag', tierRulesEtag(rules)).send({ rules })
  })

  app.post('/v1/admin/tier-rules/recompute', {
    config: { roles: ['admin'] },
    schema: {
      tags: ['admin'],
      summary: "Reclassify a year's stored declarations with the rules in force now",
      description: 'Every declaration of `year` gets the tier the current rules and the firm\'s current domains give it; reports how many changed. Audited per declaration and for the run.',
      security: bearer,
      body: RecomputeBodySchema,
      response: { 200: RecomputeReportSchema, ...errorResponses(400, 401, 403) }
    }
  }, async (request) => await recomputeTiers(app.db, request.auditContext(), request.body.year))
}
export default tierRulesRoutes
