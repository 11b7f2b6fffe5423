import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { bearer, errorResponses, IdParamsSchema, IfMatchHeadersSchema, PageSchema } from '../../schemas/common.ts'
import { DeclarationBodySchema, DeclarationListQuerySchema, DeclarationParamsSchema, DeclarationSchema } from '../../schemas/declarations.ts'
import { EnterpriseDetailSchema, EnterpriseListItemSchema, EnterpriseListQuerySchema, EnterprisePatchBodySchema } from '../../schemas/enterprises.ts'
import { errors } from '../domain/errors.ts'
import { exportFormat, sendExport, XLSX_CONTENT_TYPE } from '../lib/export.ts'
import { moneyAsStrings } from '../lib/money-input.ts'
import { expectedVersion, versionEtag } from '../lib/versioning.ts'
import { MONEY_FIELDS } from '../domain/declarations.ts'
import { getDeclaration, listDeclarations, putDeclaration } from '../services/declarations.ts'
import {
  assertEnterpriseVisible, assertOwner, ENTERPRISE_EXPORT_COLUMNS, enterpriseExportRows, getEnterpriseDetail, listEnterprises, updateEnterprise
} from '../services/enterprises.ts'

/** Enterprises (profiles, the officers' register) and their annual declarations. */
const enterprisesRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/v1/enterprises', {
    config: { roles: ['officer', 'admin', 'district_officer'] },
    schema: {
      tags: ['enterprises'],
      summary: 'The register of firms, filterable by current tier, pool program and status, domain and district (csv, xlsx)',
      description: 'The current tier is the tier of the latest declaration. `?format=csv|xlsx` (or Accept: text/csv) returns every matching firm ' +
        'for Excel: Chinese headers (English with Accept-Language: en), labels beside codes, credit codes as text; paging applies to JSON only. ' +
        'A district officer gets its own district\'s firms only, whatever district it asks for.',
      security: bearer,
      querystring: EnterpriseListQuerySchema,
      response: {
        200: {
          description: 'A page of firms (JSON) or every matching firm (CSV)',
          content: {
            'application/json': { schema: PageSchema(EnterpriseListItemSchema) },
            'text/csv': { schema: Type.String({ description: 'UTF-8 with BOM; columns ' + ENTERPRISE_EXPORT_COLUMNS.map(c => c.header[1]).join(', ') }) },
            [XLSX_CONTENT_TYPE]: { schema: Type.String({ description: 'One sheet, the same columns' }) }
          }
        },
        ...errorResponses(400, 401, 403)
      }
    }
  }, async (request, reply) => {
    const { limit, cursor, format, ...filters } = request.query
    const asFile = exportFormat(format, request.headers.accept)
    if (asFile != null) {
      const rows = await enterpriseExportRows(app.db, filters, request.user)
      return await sendExport(app.db, request, reply, { format: asFile, filename: 'enterprises', columns: ENTERPRISE_EXPORT_COLUMNS, rows, sheet: ['企业名录', 'Firms'] })
    }
    return await listEnterprises(app.db, filters, { limit, cursor }, request.user)
  })

  app.get('/v1/enterprises/:id', {
    // Reviewers use it for the firms they are assigned to (enterpriseVisibility); analysts never see one firm.
    config: { roles: ['enterprise', 'officer', 'admin', 'reviewer', 'district_officer'] },
    schema: {
      tags: ['enterprises'], summary: 'A firm: profile, current tier, latest declaration year, pool memberships', security: bearer,
      params: IdParamsSchema,
      response: { 200: EnterpriseDetailSchema, ...errorResponses(400, 401, 403, 404) }
    }
  }, async (request) => {
    await assertEnterpriseVisible(app.db, request.user, request.params.id)
    const detail = await getEnterpriseDetail(app.db, request.params.id)
    if (detail == null) throw errors.notFound()
    return detail
  })

  app.patch('/v1/enterprises/:id', {
    config: { roles: ['enterprise'] },
    schema: {
      tags: ['enterprises'],
      summary: "Change the firm's contact and profile fields (owner)",
      description: 'name, contactName, contactPhone, address, website, districtCode, domains. The credit code and founding date cannot change; any other field is 400. A domain change applies to declarations written afterwards.',
      security: bearer,
      params: IdParamsSchema,
      body: EnterprisePatchBodySchema,
      response: { 200: EnterpriseDetailSchema, ...errorResponses(400, 401, 403, 404) }
    }
  }, async (request) => {
    assertOwner(request.user, request.params.id)
    return await updateEnterprise(app.db, request.auditContext(), request.params.id, request.body)
  })

  app.put('/v1/enterprises/:id/declarations/:year', {
    preValidation: moneyAsStrings(MONEY_FIELDS),
    config: { roles: ['enterprise'] },
    schema: {
      tags: ['declarations'],
      summary: "Store the firm's figures for a year (owner); returns the tier they put it in",
      description: 'Creates (201) or replaces (200) the declaration. The tier is computed with the tier rules in force for that year and the firm\'s domains. `If-Match: <version>` is optional; a stale one is 412 VERSION_MISMATCH. Consistency errors are 400 VALIDATION_FAILED naming each field.',
      security: bearer,
      params: DeclarationParamsSchema,
      headers: IfMatchHeadersSchema,
      body: DeclarationBodySchema,
      response: { 200: DeclarationSchema, 201: DeclarationSchema, ...errorResponses(400, 401, 403, 404, 412) }
    }
  }, async (request, reply) => {
    const { id, year } = request.params
    assertOwner(request.user, id)
    const ifMatch = expectedVersion(request.headers['if-match'])
    const { created, declaration } = await putDeclaration(app.db, request.auditContext(), { enterpriseId: id, year, figures: request.body, ifMatch })
    return reply.code(created ? 201 : 200).header('etag', versionEtag(declaration.version)).send(declaration)
  })

  app.get('/v1/enterprises/:id/declarations', {
    config: { roles: ['enterprise', 'officer', 'admin', 'district_officer'] },
    schema: {
      tags: ['declarations'], summary: "The firm's declarations by year, newest first", security: bearer,
      params: IdParamsSchema,
      querystring: DeclarationListQuerySchema,
      response: { 200: PageSchema(DeclarationSchema), ...errorResponses(400, 401, 403, 404) }
    }
  }, async (request) => {
    await assertEnterpriseVisible(app.db, request.user, request.params.id)
    return await listDeclarations(app.db, request.params.id, request.query)
  })

  app.get('/v1/enterprises/:id/declarations/:year', {
    config: { roles: ['enterprise', 'officer', 'admin', 'district_officer'] },
    schema: {
      tags: ['declarations'], summary: "The firm's declaration for one year", security: bearer,
      params: DeclarationParamsSchema,
      response: { 200: DeclarationSchema, ...errorResponses(400, 401, 403, 404) }
    }
  }, async (request, reply) => {
    await assertEnterpriseVisible(app.db, request.user, request.params.id)
    const declaration = await getDeclaration(app.db, request.params.id, request.params.year)
    if (declaration == null) throw errors.notFound()
    return reply.header('etag', versionEtag(declaration.version)).send(declaration)
  })
}
export default enterprisesRoutes
