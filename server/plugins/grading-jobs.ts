import type { FastifyInstance } from 'fastify'
import { hostname } from 'node:os'
import { claimChoreTick } from '../lib/chores.ts'
import { notifyClosingCalls } from '../services/notifications.ts'
import { activateExpiredNotices } from '../services/notices.ts'
import { sendDueMail } from '../services/outbox.ts'
import { expireMemberships } from '../services/pool.ts'
import { remindReviewers } from '../services/reminders.ts'

/**
 * Time-driven grading chores, every `intervalMs` (a minute by default):
 * remind firms with drafts in calls closing within 3 days, and make pool
 * memberships active when their public notice ends without an upheld
 * objection, expire memberships whose term ended without a passed
 * re-review (the firm is told once), remind reviewers of reviews due soon
 * or overdue (server/services/reminders.ts), and send the email outbox (each message
 * claimed by one sender with FOR UPDATE SKIP LOCKED). Each tick runs on one instance only: the instance that claims
 * it in `chore_runs` (server/lib/chores.ts); the others skip it. Both chores
 * are idempotent as well. Not started in tests (NODE_ENV=test), which call
 * the functions with their own clock.
 */
export default async function gradingJobs (app: FastifyInstance, opts: {
  env: string, intervalMs?: number, mail: {
    from: string,
    appUrl: string
  }
}): Promise<void> {
  if (opts.env === 'test') return
  let running = false
  const intervalMs = opts.intervalMs ?? 60_000
  const instance = `${hostname()}:${process.pid}`
  const tick = async () => {
    if (running) return
    running = true
    try {
      if (!await claimChoreTick(app.db, 'grading', intervalMs, instance)) return
      const now = new Date()
      const reminded = await notifyClosingCalls(app.db, now)
      const activated = await activateExpiredNotices(app.db, now)
      const expired = await expireMemberships(app.db, now)
      const reviews = await remindReviewers(app.db, now)
      const mail = await sendDueMail(app.db, app.mailer, { ...opts.mail, now })
      if (reminded + activated.length + expired.length + reviews.dueSoon + reviews.overdue > 0) {
        app.log.info({ reminded, activated: activated.length, expired: expired.length, reviewsDueSoon: reviews.dueSoon, reviewsOverdue: reviews.overdue }, 'grading chores')
      }
      if (mail.sent + mail.retried + mail.failed > 0) app.log.info({ mail }, 'email outbox')
    } catch (err) {
      app.log.warn({ err }, 'grading chores failed; retrying on the next tick')
    } finally {
      running = false
    }
  }
  let timer: NodeJS.Timeout | undefined
  app.addHook('onReady', async () => {
    timer = setInterval(() => { tick().catch(() => {}) }, intervalMs)
    timer.unref()
  })
  app.addHook('onClose', async () => { if (timer != null) clearInterval(timer) })
}
