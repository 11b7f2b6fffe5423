import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { and, asc, eq, gt, ne, sql, type SQL } from 'drizzle-orm'
import { users } from '../../db/schema/index.ts'
import type { Db } from '../../db/client.ts'
import { bearer, errorResponses, IdParamsSchema, PageSchema } from '../../schemas/common.ts'
import { CreateUserBodySchema, ListUsersQuerySchema, UpdateUserBodySchema, UserSchema } from '../../schemas/accounts.ts'
import { errors } from '../domain/errors.ts'
import { checkUscc } from '../domain/uscc.ts'
import { recordAudit } from '../lib/audit.ts'
import { decodeCursor, page } from '../lib/pagination.ts'
import { createStaffUser, reviewerDomains, staffDistrict, userView } from '../services/accounts.ts'

/** Staff accounts: administrators create, list, change role and disable. */
const usersRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.addHook('onRequest', app.authenticate)
  app.addHook('preHandler', app.requireRole('admin'))

  app.post('/v1/users', {
    schema: {
      tags: ['accounts'], summary: 'Create a staff account (reviewer, officer, analyst, admin, district_officer with its districtCode)', security: bearer,
      body: CreateUserBodySchema,
      response: { 201: UserSchema, ...errorResponses(400, 401, 403, 409) }
    }
  }, async (request, reply) => {
    const user = await createStaffUser(app.db, request.body, request.auditContext())
    return reply.code(201).send(user)
  })

  app.get('/v1/users', {
    schema: {
      tags: ['accounts'], summary: 'List accounts', security: bearer,
      querystring: ListUsersQuerySchema,
      response: { 200: PageSchema(UserSchema), ...errorResponses(400, 401, 403) }
    }
  }, async (request) => {
    const { limit, cursor, role, disabled } = request.query
    const after = decodeCursor<{ id: string }>(cursor, ['id'])
    const where: SQL[] = []
    if (role != null) where.push(eq(users.role, role))
    if (disabled != null) where.push(eq(users.disabled, disabled))
    if (after != null) where.push(gt(users.id, after.id))
    const rows = await app.db.select().from(users).where(and(...where)).orderBy(asc(users.id)).limit(limit + 1)
    const p = page(rows, limit, r => ({ id: r.id }))
    return { items: p.items.map(userView), nextCursor: p.nextCursor }
  })

  app.get('/v1/users/:id', {
    schema: {
      tags: ['accounts'], summary: 'One account', security: bearer,
      params: IdParamsSchema,
      response: { 200: UserSchema, ...errorResponses(400, 401, 403, 404) }
    }
  }, async (request) => {
    const [u] = await app.db.select().from(users).where(eq(users.id, request.params.id))
    if (u == null) throw errors.notFound()
    return userView(u)
  })

  app.patch('/v1/users/:id', {
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
    const { id } = request.params
    const body = request.body
    let employerUscc: string | null | undefined
    if (body.employerUscc !== undefined) {
      if (body.employerUscc === null) employerUscc = null
      else {
        const check = checkUscc(body.employerUscc)
        if (!check.ok) throw errors.invalidUscc(check.reason)
        employerUscc = check.code
      }
    }
    const view = await app.db.transaction(async (t) => {
      const tx = t as unknown as Db
      const [before] = await tx.select().from(users).where(eq(users.id, id)).for('update')
      if (before == null) throw errors.notFound()
      if (body.role != null && before.role === 'enterprise') throw errors.invalidState('enterprise', 'an enterprise account cannot take a staff role')
      const domains = body.domains != null ? await reviewerDomains(tx, body.role ?? before.role, body.domains) : undefined
      const losesAdmin = before.role === 'admin' && !before.disabled && (body.disabled === true || (body.role != null && body.role !== 'admin'))
      if (losesAdmin) {
        const [{ n }] = await tx.select({ n: sql<number>`count(*)::int` }).from(users)
          .where(and(eq(users.role, 'admin'), eq(users.disabled, false), ne(users.id, id)))
        if (n === 0) throw errors.conflict('this is the last enabled administrator')
      }
      const role = body.role ?? before.role
      // A district officer keeps its district unless a new one is given; a role change away from it drops the district.
      const districtCode = role === 'district_officer' ? await staffDistrict(tx, role, body.districtCode ?? before.districtCode) : await staffDistrict(tx, role, body.districtCode)
      const endsTokens = (body.disabled != null && body.disabled !== before.disabled) || (body.role != null && body.role !== before.role) ||
        districtCode !== before.districtCode
      const [after] = await tx.update(users).set({
        ...(body.role != null ? { role: body.role } : {}),
        ...(body.disabled != null ? { disabled: body.disabled } : {}),
        ...(body.name != null ? { name: body.name.trim() } : {}),
        ...(employerUscc !== undefined ? { employerUscc } : {}),
        districtCode,
        ...(domains !== undefined ? { domains } : {}),
        ...(endsTokens ? { tokenVersion: before.tokenVersion + 1 } : {}),
        updatedAt: new Date()
      }).where(eq(users.id, id)).returning()
      const action = body.disabled === true && !before.disabled ? 'user.disable' : body.role != null && body.role !== before.role ? 'user.change_role' : 'user.update'
      await recordAudit(tx, request.auditContext(), { action, objectType: 'user', objectId: id, before: userView(before), after: userView(after) })
      return userView(after)
    })
    // Committed: this process stops answering the user's session checks from memory (others hear the NOTIFY).
    app.sessions.forgetUser(id)
    return view
  })
}
export default usersRoutes
