import { createRequire } from 'node:module'
import { Redis } from 'ioredis'
import type { FastifyBaseLogger } from 'fastify'
import type { FastifyRateLimitStoreCtor } from '@fastify/rate-limit'

/**
 * Where the rate-limit counters live. With REDIS_URL every limit (login per
 * account and per IP, registration, objections, the global one per user) is
 * counted in Redis, shared by all instances and kept across restarts; without
 * it each process counts in its own memory.
 *
 * Redis unavailable: fail open to memory. A request whose Redis command
 * fails (no connection, or no answer within {@link REDIS_COMMAND_TIMEOUT_MS})
 * is counted in this process's memory instead, so the service keeps
 * answering and the limits still hold per instance; an attacker's budget
 * during the outage is at most N instances × the limit, as without Redis.
 * Commands are never queued while disconnected (no request waits for Redis to
 * come back); the client reconnects within a second of its return.
 */

const require = createRequire(import.meta.url)
type Callback = (err: Error | null, res?: { current: number, ttl: number }) => void
interface Store {
  incr: (key: string, cb: Callback, timeWindow: number, max: number) => void
  read?: (key: string, cb: Callback, timeWindow: number, max: number) => void
  child: (routeOptions: RouteOptions) => Store
}
interface RouteOptions { continueExceeding?: boolean, exponentialBackoff?: boolean, routeInfo: { method?: string, url?: string } }
type StoreConstructor = new (...args: unknown[]) => Store
const RedisStore = require('@fastify/rate-limit/store/RedisStore.js') as StoreConstructor
const LocalStore = require('@fastify/rate-limit/store/LocalStore.js') as StoreConstructor

export const REDIS_COMMAND_TIMEOUT_MS = 250

/** A Redis client that fails fast: no offline queue, short timeouts, reconnects at most a second apart. */
export function rateLimitRedis (url: string, log: FastifyBaseLogger): Redis {
  let down = false
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
    connectTimeout: 1000,
    retryStrategy: (times) => Math.min(100 * times, 1000)
  })
  redis.on('error', (err) => {
    if (!down) log.warn({ err: err.message }, 'Redis unavailable: rate limits are counted in memory, per instance, until it returns')
    down = true
  })
  redis.on('ready', () => {
    if (down) log.info('Redis is back: rate limits are shared again')
    down = false
  })
  return redis
}

/** Counts in Redis, or in this process's memory for any request whose Redis command fails. */
class SharedStore implements Store {
  constructor (private readonly shared: Store, private readonly local: Store) {}

  incr (key: string, cb: Callback, timeWindow: number, max: number): void {
    this.shared.incr(key, (err, res) => {
      if (err == null) cb(null, res)
      else this.local.incr(key, cb, timeWindow, max)
    }, timeWindow, max)
  }

  read (key: string, cb: Callback, timeWindow: number, max: number): void {
    this.shared.read!(key, (err, res) => {
      if (err == null) cb(null, res)
      else this.local.read!(key, cb, timeWindow, max)
    }, timeWindow, max)
  }

  child (routeOptions: RouteOptions): Store {
    return new SharedStore(this.shared.child(routeOptions), this.local.child(routeOptions))
  }
}

/**
 * Options for one registration of @fastify/rate-limit: its counters in Redis
 * under `${prefix}${scope}:` when a client is given, in memory otherwise.
 */
export function rateLimitStoreOptions (redis: Redis | undefined, prefix: string, scope: string): { store?: FastifyRateLimitStoreCtor } {
  if (redis == null) return {}
  return {
    store: class {
      constructor (params: RouteOptions) {
        return new SharedStore(
          new RedisStore(params.continueExceeding, params.exponentialBackoff, redis, `${prefix}${scope}:`),
          new LocalStore(params.continueExceeding, params.exponentialBackoff, 5000)
        )
      }
    } as unknown as FastifyRateLimitStoreCtor
  }
}
