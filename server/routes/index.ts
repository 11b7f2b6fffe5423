import type { FastifyPluginAsync } from 'fastify'
import type { AppConfig } from '../config.ts'
import health from './health.ts'
import auth from './auth.ts'
import users from './users.ts'
import reference from './reference.ts'
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
import notices from './notices.ts'
import publicPages from './public-pages.ts'
import policy from './policy.ts'
import gradingJobs from '../plugins/grading-jobs.ts'
import auditSequencer from '../plugins/audit-sequencer.ts'
import enterprises from './enterprises.ts'
import tierRules from './tier-rules.ts'
import analytics from './analytics.ts'
import targets from './targets.ts'
import people from './people.ts'
import simulations from './simulations.ts'
import web from '../plugins/web.ts'

/**
 * Every route module, one per resource. Each module adds its own
 * authentication and role hooks; a new module is registered here.
 */
const routes: FastifyPluginAsync<{ config: AppConfig }> = async (app, { config }) => {
  await app.register(health)
  await app.register(auth, { config })
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
  await app.register(publicPages)
  await app.register(policy)
  await app.register(gradingJobs, { env: config.env, mail: { from: config.mailFrom, appUrl: config.appUrl } })
  await app.register(auditSequencer, { env: config.env, boundMs: config.auditSequenceBoundMs })
  await app.register(enterprises)
  await app.register(tierRules)
  await app.register(analytics)
  await app.register(targets)
  await app.register(people, { config })
  await app.register(simulations)
  await app.register(web)
}
export default routes
