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

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
const ERROR_CONTENT = { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } }
const RETRY_AFTER = { 'Retry-After': { description: 'Seconds to wait before retrying', schema: { type: 'integer', minimum: 1 } } }

/**
 * Answers every API operation may give whatever its route declares: the global rate limit (429, every path
 * but the health probes) and load shedding or a database outage (503), both with Retry-After.
 */
export const COMMON_RESPONSES: Record<string, Json> = {
  429: { description: 'Too many requests from this client or account (`RATE_LIMITED`); retry after Retry-After seconds', headers: RETRY_AFTER, content: ERROR_CONTENT },
  503: { description: 'Overloaded or the database is unreachable (`SERVICE_UNAVAILABLE`); retry after Retry-After seconds', headers: RETRY_AFTER, content: ERROR_CONTENT }
}

/** Probes are not rate-limited (server/plugins/security.ts). */
const PROBES = new Set(['/health', '/ready'])

/**
 * What OpenAPI 3.0 validators expect of a document built from JSON Schema route schemas:
 * `exclusiveMinimum`/`exclusiveMaximum` as booleans beside `minimum`/`maximum`; a parameter with a
 * default is not required; an operation with `?format=csv` (or xlsx) also answers `text/csv` (or the
 * spreadsheet type); and the common 429 and 503 answers on every operation.
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
  for (const [path, item] of Object.entries((doc.paths ?? {}) as Record<string, Record<string, Json>>)) {
    for (const op of Object.values(item)) {
      const params = (op.parameters ?? []) as Json[]
      for (const p of params) if (p.in !== 'path' && (p.schema as Json | undefined)?.default !== undefined) p.required = false
      const format = JSON.stringify(params.find(p => p.name === 'format' && p.in === 'query')?.schema ?? {})
      const responses = (op.responses ?? {}) as Record<string, Json>
      const ok = responses['200']
      if (ok != null) {
        const content = { ...(ok.content as Json | undefined) }
        if (format.includes('"csv"')) content['text/csv'] ??= { schema: { type: 'string', description: 'CSV with a UTF-8 byte-order mark and a header row' } }
        if (format.includes('"xlsx"')) content[XLSX] ??= { schema: { type: 'string', format: 'binary', description: 'An Excel workbook' } }
        ok.content = content
      }
      for (const [status, answer] of Object.entries(COMMON_RESPONSES)) {
        if (status === '429' && PROBES.has(path)) continue
        responses[status] ??= answer
      }
      op.responses = responses
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
      // The deployment's own address (APP_URL), so "Try it out" and generated clients call this service.
      servers: [{ url: opts.config.appUrl, description: 'This deployment (APP_URL)' }],
      tags: [
        { name: 'service', description: 'Health and readiness probes' },
        { name: 'accounts', description: 'Registration, sign-in, passwords, invitations and staff accounts' },
        { name: 'enterprises', description: 'Firms: profiles, colleagues, the directory and its export' },
        { name: 'declarations', description: 'A firm\'s yearly figures (revenue, R&D, employees), from which its tier follows' },
        { name: 'documents', description: 'Evidence files (PDF, PNG, JPEG) attached to declarations and applications' },
        { name: 'calls', description: 'Calls for applications: programs, deadlines, required documents, quotas' },
        { name: 'applications', description: 'A firm\'s application to a call: draft, self-check, submission, revision' },
        { name: 'reviews', description: 'Commission reviews: assignment, recusal, grading against the rubric' },
        { name: 'decisions', description: 'Officers\' admission decisions on reviewed applications' },
        { name: 'notices', description: 'Public notice periods of decisions and objections' },
        { name: 'notifications', description: 'The signed-in user\'s inbox' },
        { name: 'districts', description: 'District officers\' pre-screen of their district\'s applications (calls with districtReview)' },
        { name: 'pool', description: 'The cultivation pool: members, their terms, warnings and exits' },
        { name: 'funds', description: 'Support funds (专项资金): budgets, awards to pool members, payments' },
        { name: 'analytics', description: 'Aggregates for analysts, protected against disclosure of single firms' },
        { name: 'rubrics', description: 'Scoring rubrics of the programs' },
        { name: 'reference', description: 'Tiers, programs, domains, districts (public, cacheable)' },
        { name: 'admin', description: 'Policy data: tier rules, eligibility gates, targets, simulations, districts; the mail outbox' },
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
