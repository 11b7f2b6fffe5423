import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { eq } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import { policySettings, programs } from '../../db/schema/index.ts'
import { bearer, errorResponses } from '../../schemas/common.ts'
import { EligibilityGatesSchema } from '../../schemas/applications.ts'
import { gateConfigProblems, type EligibilityGates } from '../domain/eligibility.ts'
import { errors } from '../domain/errors.ts'
import { recordAudit } from '../lib/audit.ts'
import { loadEligibilityGates } from '../services/applications.ts'

/** The eligibility gates per program (policy data): administrators read and replace them. */
const eligibilityGatesRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.addHook('onRequest', app.authenticate)
  app.addHook('preHandler', app.requireRole('admin'))

  app.get('/v1/admin/eligibility-gates', {
    schema: {
      tags: ['admin'], summary: 'Eligibility gates per program', security: bearer,
      response: { 200: EligibilityGatesSchema, ...errorResponses(401, 403) }
    }
  }, async () => await loadEligibilityGates(app.db))

  app.put('/v1/admin/eligibility-gates', {
    schema: {
      tags: ['admin'], summary: 'Replace the eligibility gates of every program', security: bearer,
      description: 'Applies to submissions from now on; applications already submitted keep the result they got.',
      body: EligibilityGatesSchema,
      response: { 200: EligibilityGatesSchema, ...errorResponses(400, 401, 403) }
    }
  }, async (request) => {
    const config = request.body as EligibilityGates
    return await app.db.transaction(async (t) => {
      const tx = t as unknown as Db
      const known = (await tx.select({ code: programs.code }).from(programs)).map(p => p.code)
      const problems = gateConfigProblems(config, known)
      if (problems.length > 0) throw errors.validation(problems.map(p => ({ field: `body.${p.field}`, message: p.message })))
      const [before] = await tx.select({ value: policySettings.value }).from(policySettings)
        .where(eq(policySettings.key, 'eligibility_gates')).for('update')
      await tx.insert(policySettings).values({ key: 'eligibility_gates', value: config, description: 'Eligibility gates checked at submit, per program' })
        .onConflictDoUpdate({ target: policySettings.key, set: { value: config } })
      await recordAudit(tx, request.auditContext(), {
        action: 'eligibility_gates.update', objectType: 'policy_setting', objectId: 'eligibility_gates', before: before?.value ?? null, after: config
      })
      return config
    })
  })
}
export default eligibilityGatesRoutes
