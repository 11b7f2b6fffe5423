import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { bearer, errorResponses, IdParamsSchema, PageSchema } from '../../schemas/common.ts'
import { CreateUserBodySchema, ListUsersQuerySchema, UpdateUserBodySchema, UserSchema } from '../../schemas/accounts.ts'
import { createStaffUser, getUser, listUsers, updateUser } from '../services/accounts.ts'

const admin = { roles: ['admin'] } as const

/** Staff accounts: administrators create, list, change role and disable. */
const usersRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post('/v1/users', {
    config: admin,
    schema: {
      tags: ['accounts'], summary: 'Create a staff account (reviewer, officer, analyst, admin)', security: bearer,
      body: CreateUserBodySchema,
      response: { 201: UserSchema, ...errorResponses(400, 401, 403, 409) }
    }
  }, async (request, reply) => {
    const user = await createStaffUser(app.db, request.body, request.auditContext())
    return reply.code(201).send(user)
  })

  app.get('/v1/users', {
    config: admin,
    schema: {
      tags: ['accounts'], summary: 'List accounts', security: bearer,
      querystring: ListUsersQuerySchema,
      response: { 200: PageSchema(UserSchema), ...errorResponses(400, 401, 403) }
    }
  }, async (request) => await listUsers(app.db, request.query))

  app.get('/v1/users/:id', {
    config: admin,
    schema: {
      tags: ['accounts'], summary: 'One account', security: bearer,
      params: IdParamsSchema,
      response: { 200: UserSchema, ...errorResponses(400, 401, 403, 404) }
    }
  }, async (request) => await getUser(app.db, request.params.id))

  app.patch('/v1/users/:id', {
    config: admin,
    schema: {
      tags: ['accounts'],
      summary: 'Change role, name, employer or a reviewer\'s domains, or disable an account',
      description: 'Disabling an account or changing its role ends all of its existing tokens. Enterprise accounts keep their role.',
      security: bearer,
      params: IdParamsSchema,
      body: UpdateUserBodySchema,
      response: { 200: UserSchema, ...errorResponses(400, 401, 403, 404, 409) }
    }
  }, async (request) => {
    const view = await updateUser(app.db, request.params.id, request.body, request.auditContext())
    // Committed: this process stops answering the user's session checks from memory (others hear the NOTIFY).
    app.sessions.forgetUser(request.params.id)
    return view
  })
}
export default usersRoutes
