import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import fastifyStatic from '@fastify/static'
import type { FastifyPluginAsync } from 'fastify'
import { errors } from '../domain/errors.ts'

const here = dirname(fileURLToPath(import.meta.url))
/** The front end: plain ES modules, no build step. */
export const WEB_ROOT = join(here, '..', 'web')
/** ECharts is served straight from its npm package, so nothing is copied or fetched at run time. */
export const ECHARTS_DIST = join(dirname(createRequire(import.meta.url).resolve('echarts/package.json')), 'dist')

/** Paths that belong to the API or the service, never to the front end's client-side routes. */
const NOT_CLIENT_ROUTES = /^\/(v1|docs|health|ready|metrics)(\/|$)/

/**
 * Serves the web front end at / and ECharts at /vendor/echarts/. Any other
 * GET of a path without a file extension that is not an API path gets
 * index.html, so that the browser's client-side routes survive a reload.
 */
const web: FastifyPluginAsync = async (app) => {
  // wildcard: false registers one route per file found at start-up, leaving
  // GET /* free for the client-side route fallback below.
  await app.register(fastifyStatic, {
    root: WEB_ROOT,
    prefix: '/',
    wildcard: false,
    index: ['index.html'],
    cacheControl: true,
    maxAge: 0
  })
  await app.register(fastifyStatic, {
    root: ECHARTS_DIST,
    prefix: '/vendor/echarts/',
    decorateReply: false,
    allowedPath: (path) => path === '/echarts.min.js',
    maxAge: '1d'
  })

  // Without this catch-all the router itself refuses an over-long path
  // parameter (frameworkErrors in app.ts: 400); with it, find-my-way falls back
  // here instead, so an API path keeps the same answer.
  const maxParamLength = app.initialConfig.maxParamLength ?? 100
  app.get('/*', { schema: { hide: true } }, async (request, reply) => {
    // Decoded as the router decodes it: /%761/nowhere is an API path (404 JSON, no-store), not a screen.
    const raw = request.url.split('?')[0]
    let path = raw
    try { path = decodeURIComponent(raw) } catch { /* not decodable: judged as sent */ }
    if (NOT_CLIENT_ROUTES.test(path)) {
      if (raw.split('/').some(segment => segment.length > maxParamLength)) {
        throw errors.badRequest('a path parameter is too long')
      }
      return reply.callNotFound()
    }
    if (/\.[a-z0-9]+$/i.test(path)) return reply.callNotFound()
    return reply.type('text/html; charset=utf-8').sendFile('index.html')
  })
}
export default web
