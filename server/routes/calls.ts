import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { SIGNED_IN } from '../domain/access.ts'
import { bearer, errorResponses, IdParamsSchema, PageSchema } from '../../schemas/common.ts'
import { CallSchema, CreateCallBodySchema, ListCallsQuerySchema, UpdateCallBodySchema } from '../../schemas/calls.ts'
import { createCall, getCall, listCalls, updateCall } from '../services/calls.ts'

/** Calls for applications: officers open and adjust them; everyone signed in reads. */
const callsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post('/v1/calls', {
    config: { roles: ['officer'] },
    schema: {
      tags: ['calls'], summary: 'Open a call for one program and year', security: bearer,
      description: 'Without rubricId the program\'s latest rubric version is used (409 RUBRIC_REQUIRED when the program has none). The call keeps that rubric.',
      body: CreateCallBodySchema,
      response: { 201: CallSchema, ...errorResponses(400, 401, 403, 409) }
    }
  }, async (request, reply) => {
    const call = await createCall(app.db, request.body, request.auditContext())
    return reply.code(201).send(call)
  })

  app.get('/v1/calls', {
    config: { roles: SIGNED_IN },
    schema: {
      tags: ['calls'], summary: 'Calls, newest window first', security: bearer,
      description: 'Enterprises see the calls open now; staff filter with ?status=open|upcoming|closed.',
      querystring: ListCallsQuerySchema,
      response: { 200: PageSchema(CallSchema), ...errorResponses(400, 401) }
    }
  }, async (request) => await listCalls(app.db, request.user, request.query))

  app.get('/v1/calls/:id', {
    config: { roles: SIGNED_IN },
    schema: {
      tags: ['calls'], summary: 'One call', security: bearer,
      description: 'Enterprises see open calls and the calls they applied to; 404 otherwise.',
      params: IdParamsSchema,
      response: { 200: CallSchema, ...errorResponses(400, 401, 404) }
    }
  }, async (request) => await getCall(app.db, request.user, request.params.id))

  app.patch('/v1/calls/:id', {
    config: { roles: ['officer'] },
    schema: {
      tags: ['calls'], summary: 'Change a call\'s title, window or reviewer count before it closes', security: bearer,
      description: 'A closed call is 409 CALL_CLOSED; an open call keeps its opening time. Setting closesAt to now closes it early.',
      params: IdParamsSchema, body: UpdateCallBodySchema,
      response: { 200: CallSchema, ...errorResponses(400, 401, 403, 404, 409) }
    }
  }, async (request) => await updateCall(app.db, request.params.id, request.body, request.auditContext()))
}
export default callsRoutes
