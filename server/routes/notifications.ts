import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { SIGNED_IN } from '../domain/access.ts'
import { bearer, errorResponses, IdParamsSchema, PageSchema } from '../../schemas/common.ts'
import { NotificationQuerySchema, NotificationSchema } from '../../schemas/grading.ts'
import { listNotifications, markRead } from '../services/notifications.ts'

/** The caller's in-app inbox. */
const notificationRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/v1/me/notifications', {
    config: { roles: SIGNED_IN },
    schema: {
      tags: ['notifications'], summary: 'My notifications, newest first', security: bearer,
      querystring: NotificationQuerySchema,
      response: { 200: PageSchema(NotificationSchema), ...errorResponses(400, 401) }
    }
  }, async (request) => await listNotifications(app.db, request.user.id, request.query))

  app.post('/v1/me/notifications/:id/read', {
    config: { roles: SIGNED_IN },
    schema: {
      tags: ['notifications'], summary: 'Mark one of my notifications read', security: bearer,
      params: IdParamsSchema,
      response: { 200: NotificationSchema, ...errorResponses(400, 401, 404) }
    }
  }, async (request) => await markRead(app.db, request.user.id, request.params.id, request.auditContext()))
}
export default notificationRoutes
