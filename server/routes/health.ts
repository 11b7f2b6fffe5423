import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'

const health: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/health', {
    schema: { tags: ['service'], summary: 'Liveness: the process is up', response: { 200: Type.Object({ status: Type.Literal('ok') }) } }
  }, async () => ({ status: 'ok' as const }))

  app.get('/ready', {
    schema: {
      tags: ['service'],
      summary: 'Readiness: 200 only when the database answers',
      response: {
        200: Type.Object({ status: Type.Literal('ready'), database: Type.String() }),
        503: Type.Object({ status: Type.Literal('unavailable'), database: Type.String() })
      }
    }
  }, async (_request, reply) => {
    try {
      await Promise.race([
        app.database.ping(),
        new Promise((_resolve, reject) => setTimeout(() => reject(new Error('database ping timed out')), 1000).unref())
      ])
      return { status: 'ready' as const, database: app.database.kind }
    } catch {
      return reply.code(503).header('retry-after', '1').send({ status: 'unavailable' as const, database: app.database.kind })
    }
  })
}
export default health
