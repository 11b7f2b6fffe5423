import type { FastifyPluginAsync } from 'fastify'
import type { AppConfig } from '../config.ts'
import health from './health.ts'
import auth, { publicAuth } from './auth.ts'
import users from './users.ts'
import reference, { publicReference } from './reference.ts'
import audit from './audit.ts'
import calls from './calls.ts'
import applications from './applications.ts'
import documents from './documents.ts'
import eligibilityGates from './eligibility-gates.ts'
import pool from './pool.ts'
import rubrics from './rubrics.ts'
import conflicts from './conflicts.ts'
import notifications from './notifications.ts'
import reviews from './reviews.ts'
import decisions from './decisions.ts'
import commission from './commission.ts'
import notices, { publicNotices } from './notices.ts'
import publicPages from './public-pages.ts'
import policy from './policy.ts'
import gradingJobs from '../plugins/grading-jobs.ts'
import auditSequencer from '../plugins/audit-sequencer.ts'
import enterprises from './enterprises.ts'
import tierRules from './tier-rules.ts'
import analytics from './analytics.ts'
import targets from './targets.ts'
import people, { publicPeople } from './people.ts'
import simulations from './simulations.ts'
import funds from './funds.ts'
import districts from './districts.ts'
import web from '../plugins/web.ts'

/**
 * Every route module, one per resource. Public routes (no sign-in) are
 * registered first; everything else lives in the authenticated scope, where
 * one onRequest hook authenticates the caller and checks the roles the route
 * declares (`config: { roles: [...] }`), before the body is parsed or
 * validated. A route there without a role declaration stops the service at
 * start-up. A new module is registered here, in one scope or the other
 * (README: "How to add an endpoint").
 */
const routes: FastifyPluginAsync<{ config: AppConfig }> = async (app, { config }) => {
  await app.register(health)
  await app.register(publicAuth, { config })
  await app.register(publicPeople, { config })
  await app.register(publicReference)
  await app.register(publicNotices)
  await app.register(publicPages)

  await app.register(async function authenticated (app) {
    app.addHook('onRoute', (route) => {
      if (route.config?.roles == null || route.config.roles.length === 0) {
        throw new Error(`${String(route.method)} ${route.url}: a route of the authenticated scope declares its roles (config: { roles: [...] })`)
      }
    })
    app.addHook('onRequest', app.authorize)
    await app.register(auth)
    await app.register(users)
    await app.register(reference)
    await app.register(audit, { config })
    await app.register(calls)
    await app.register(applications)
    await app.register(documents)
    await app.register(eligibilityGates)
    await app.register(pool)
    await app.register(rubrics)
    await app.register(conflicts)
    await app.register(notifications)
    await app.register(reviews)
    await app.register(decisions)
    await app.register(commission)
    await app.register(notices)
    await app.register(enterprises)
    await app.register(tierRules)
    await app.register(analytics)
    await app.register(targets)
    await app.register(people, { config })
    await app.register(simulations)
    await app.register(funds)
    await app.register(districts)
    await app.register(policy)
  })

  await app.register(gradingJobs, { env: config.env, mail: { from: config.mailFrom, appUrl: config.appUrl } })
  await app.register(auditSequencer, { env: config.env, boundMs: config.auditSequenceBoundMs })
  await app.register(web)
}
export default routes
