import type { FastifyInstance } from 'fastify'
import { sequenceAllAudit } from '../lib/audit.ts'

/**
 * Chains committed audit entries (server/lib/audit.ts, sequenceAudit) a few
 * times within the sequencing bound: every instance tries, the one that gets
 * the sequencer's lock does it, the others find it taken and wait for the
 * next pass. Not started in tests (NODE_ENV=test), which sequence explicitly.
 */
export default async function auditSequencer (app: FastifyInstance, opts: { env: string, boundMs: number }): Promise<void> {
  if (opts.env === 'test') return
  const intervalMs = Math.max(200, Math.min(1000, Math.floor(opts.boundMs / 5)))
  let running = false
  let failing = false
  const pass = async (): Promise<void> => {
    if (running) return
    running = true
    try {
      await sequenceAllAudit(app.db)
      if (failing) app.log.info('audit sequencer running again')
      failing = false
    } catch (err) {
      // The database is away: entries wait, and /v1/audit/verify reports them once past the bound.
      if (!failing) app.log.warn({ err }, 'audit sequencer failed; retrying')
      failing = true
    } finally {
      running = false
    }
  }
  let timer: NodeJS.Timeout | undefined
  app.addHook('onReady', async () => {
    timer = setInterval(() => { pass().catch(() => {}) }, intervalMs)
    timer.unref()
  })
  app.addHook('preClose', async () => { if (timer != null) clearInterval(timer) })
}
