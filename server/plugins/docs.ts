import fp from 'fastify-plugin'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import type { FastifyInstance } from 'fastify'
import type { AppConfig } from '../config.ts'

/** OpenAPI 3 from the route schemas at /docs/json; Swagger UI at /docs (DOCS_UI=false turns it off). */
export default fp(async function docsPlugin (app: FastifyInstance, opts: { config: AppConfig }) {
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'peiyu — Dalian key-enterprise cultivation pool (重点企业培育库)',
        description: 'Registry and grading service: enterprises declare and apply, commission reviewers grade, officers admit, analysts measure. Errors share one shape with a stable `code`; send `Accept-Language: zh-CN` for Chinese messages.',
        version: '1.0.0'
      },
      components: {
        securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } }
      },
      tags: [
        { name: 'service', description: 'Health and readiness' },
        { name: 'accounts', description: 'Registration, sign-in and staff accounts' },
        { name: 'reference', description: 'Tiers, programs, domains, districts' },
        { name: 'admin', description: 'Policy data: tier rules, targets, rubrics' },
        { name: 'audit', description: 'The tamper-evident audit trail' }
      ]
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (json.$id as string | undefined) ?? `def-${i}` }
  })
  if (opts.config.docsUi) {
    await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { docExpansion: 'list', deepLinking: true } })
  } else {
    app.get('/docs/json', { schema: { hide: true } }, async () => app.swagger())
  }
}, { name: 'docs' })
