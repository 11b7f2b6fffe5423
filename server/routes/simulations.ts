import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { bearer, errorResponses, IdParamsSchema, PageSchema } from '../../schemas/common.ts'
import { SimulationBodySchema, SimulationListQuerySchema, SimulationSchema, SimulationSummarySchema } from '../../schemas/simulations.ts'
import { moneyAsStrings } from '../lib/money-input.ts'
import { adoptSimulation, getSimulation, listSimulations, runSimulation } from '../services/simulations.ts'

/**
 * Policy what-if: try a proposed tier rule set, eligibility gates, rubric or
 * plan targets on a year's real population before adopting it
 * (docs/simulations.md). Administrators and officers see lists of firms;
 * analysts propose tier rules and targets only and get aggregates.
 */
const simulationRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const staff = { roles: ['admin', 'officer', 'analyst'] } as const

  app.post('/v1/admin/simulations', {
    config: staff,
    preValidation: moneyAsStrings(['tierRules.*.minRevenue']),
    schema: {
      tags: ['admin'],
      summary: 'Simulate a proposed policy on a year\'s stored declarations, pool and applications',
      description: 'Evaluates the proposal in memory next to the policy in force and stores the result; changes no policy, declaration, ' +
        'pool membership, figure or audit entry. Each part is validated as its admin endpoint validates it. Analysts may propose ' +
        '`tierRules` (thresholds 1, 1.5, 2, 3, 5 or 7 × a power of ten yuan) and `targets` only (422 SIMULATION_PART_FORBIDDEN) ' +
        'and get the aggregate view: no lists of firms, small tier moves suppressed, revenue shares under proposed thresholds withheld.',
      security: bearer,
      body: SimulationBodySchema,
      response: { 201: SimulationSchema, ...errorResponses(400, 401, 403, 422) }
    }
  }, async (request, reply) => reply.code(201).send(await runSimulation(app.db, request.user, request.body)))

  app.get('/v1/admin/simulations', {
    config: staff,
    schema: {
      tags: ['admin'], summary: 'Stored simulations, newest first', security: bearer,
      querystring: SimulationListQuerySchema,
      response: { 200: PageSchema(SimulationSummarySchema), ...errorResponses(400, 401, 403) }
    }
  }, async (request) => await listSimulations(app.db, request.user, request.query))

  app.get('/v1/admin/simulations/:id', {
    config: staff,
    schema: {
      tags: ['admin'], summary: 'A stored simulation; `stale` says whether the policy has changed since', security: bearer,
      params: IdParamsSchema,
      response: { 200: SimulationSchema, ...errorResponses(400, 401, 403, 404) }
    }
  }, async (request) => await getSimulation(app.db, request.user, request.params.id))

  app.post('/v1/admin/simulations/:id/adopt', {
    config: { roles: ['admin'] },
    schema: {
      tags: ['admin'],
      summary: 'Adopt exactly the simulated policy (administrators)',
      description: 'Replaces each proposed part through the admin endpoints\' services (validated, audited) and, when the tier rules change, ' +
        'reclassifies the simulated year (POST /v1/admin/tier-rules/recompute), all in one transaction. 409 STALE_SIMULATION when the policy ' +
        'in force changed since the simulation; 409 INVALID_STATE when it was adopted already.',
      security: bearer,
      params: IdParamsSchema,
      response: { 200: SimulationSchema, ...errorResponses(400, 401, 403, 404, 409) }
    }
  }, async (request) => await adoptSimulation(app.db, request.user, request.params.id, request.auditContext()))
}
export default simulationRoutes
