import fp from 'fastify-plugin'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import type { FastifyInstance } from 'fastify'
import type { AppConfig } from '../config.ts'

/** The multipart body of the upload routes, for the document only. */
const UPLOAD_BODY = {
  type: 'object',
  required: ['file'],
  properties: {
    file: { type: 'string', format: 'binary', description: 'The document: PDF, PNG or JPEG (by content), at most 10 MiB' },
    kind: { type: 'string', description: 'Optional: the key of the call\'s required document this file is' }
  }
}

type Json = Record<string, unknown>

/**
 * What OpenAPI 3.0 validators expect of a document built from JSON Schema route schemas:
 * `exclusiveMinimum`/`exclusiveMaximum` as booleans beside `minimum`/`maximum`; a parameter with a
 * default is not required; an operation with `?format=csv` also answers `text/csv`.
 */
export function openApi30 (doc: Json): Json {
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) { node.forEach(walk); return }
    if (node == null || typeof node !== 'object') return
    const o = node as Json
    for (const [exclusive, bound] of [['exclusiveMinimum', 'minimum'], ['exclusiveMaximum', 'maximum']] as const) {
      if (typeof o[exclusive] === 'number') {
        o[bound] = o[exclusive]
        o[exclusive] = true
      }
    }
    Object.values(o).forEach(walk)
  }
  walk(doc)
  for (const item of Object.values((doc.paths ?? {}) as Record<string, Record<string, Json>>)) {
    for (const op of Object.values(item)) {
      const params = (op.parameters ?? []) as Json[]
      for (const p of params) if (p.in !== 'path' && (p.schema as Json | undefined)?.default !== undefined) p.required = false
      const csv = params.some(p => p.name === 'format' && JSON.stringify(p.schema ?? {}).includes('"csv"'))
      const ok = (op.responses as Record<string, Json> | undefined)?.['200']
      if (csv && ok != null) {
        ok.content = { ...(ok.content as Json | undefined), 'text/csv': { schema: { type: 'string', description: 'CSV with a UTF-8 byte-order mark and a header row' } } }
      }
    }
  }
  return doc
}

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
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (json.$id as string | undefined) ?? `def-${i}` },
    // Upload routes read their multipart body themselves (no body schema to validate): declare it for the document.
    transform: ({ schema, url }) => {
      const s = schema as unknown as Record<string, unknown> | undefined
      const multipart = Array.isArray(s?.consumes) && (s.consumes as string[]).includes('multipart/form-data') && s?.body == null
      return { schema: (multipart ? { ...s, body: UPLOAD_BODY } : s) as never, url }
    },
    transformObject: (doc) => openApi30((doc as { openapiObject: Record<string, unknown> }).openapiObject) as never
  })
  if (opts.config.docsUi) {
    await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { docExpansion: 'list', deepLinking: true } })
  } else {
    app.get('/docs/json', { schema: { hide: true } }, async () => app.swagger())
  }
}, { name: 'docs' })
