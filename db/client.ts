import { mkdirSync } from 'node:fs'
import { join, dirname } from 'node:path'
import { lockDataDir } from './data-dir-lock.ts'
import { fileURLToPath } from 'node:url'
import { sql } from 'drizzle-orm'
import type { ExtractTablesWithRelations } from 'drizzle-orm'
import type { PgDatabase, PgQueryResultHKT, PgTransaction, PgTransactionConfig } from 'drizzle-orm/pg-core'
import * as schema from './schema/index.ts'

export { schema }

/**
 * One type for both drivers: the service's queries are written against
 * drizzle's common PgDatabase, so they run unchanged on PostgreSQL
 * (postgres.js) and on embedded PGlite. A transaction is a Db too.
 */
export type Db = PgDatabase<PgQueryResultHKT, typeof schema>

/**
 * A handle inside an open transaction. Every Tx is a Db (reads take either),
 * but a Db is not a Tx: a function that must run inside the caller's
 * transaction (it takes row locks, or writes with its caller's audit) says so
 * by taking a Tx, and the compiler refuses a bare handle.
 */
export type Tx = PgTransaction<PgQueryResultHKT, typeof schema, ExtractTablesWithRelations<typeof schema>>

/**
 * The one way to open a transaction: services call it (routes never do).
 * Called with a Tx it opens a savepoint, so a service may be used alone or
 * inside a larger unit of work. `config` sets the isolation level (a
 * consistent snapshot for a long read).
 */
export async function inTransaction<T> (db: Db, work: (tx: Tx) => Promise<T>, config?: PgTransactionConfig): Promise<T> {
  return await db.transaction(work, config)
}

export interface Database {
  db: Db
  kind: 'postgres' | 'pglite'
  /** Raw postgres.js client when kind = 'postgres' (bulk loads, benchmarks). */
  raw?: import('postgres').Sql
  ping: () => Promise<void>
  /**
   * LISTENs on `channel`: `onNotify` gets each payload, `onListening` runs
   * each time the listener is (re)connected (notifications may have been
   * missed before it). Resolves to a function that stops listening.
   */
  listen: (channel: string, onNotify: (payload: string) => void, onListening: () => void) => Promise<() => Promise<void>>
  migrate: () => Promise<void>
  close: () => Promise<void>
}

export interface DatabaseOptions {
  databaseUrl?: string
  /**
   * A direct connection to PostgreSQL (not through a transaction pooler) for
   * what needs a session of its own: LISTEN and the migrations' advisory lock.
   * Defaults to databaseUrl.
   */
  directUrl?: string
  /**
   * Named (prepared) statements; turn off behind PgBouncer in transaction
   * mode, where a statement prepared on one server connection is unknown on the next.
   */
  prepare?: boolean
  /** Seconds to wait for a new PostgreSQL connection before the query fails (fail fast when the server is gone). */
  connectTimeoutS?: number
  /** PGlite's directory is `${dataDir}/pglite`; ':memory:' keeps it in memory. */
  dataDir: string
  poolSize?: number
  /**
   * Called with the text of every statement sent to the database, BEGIN and
   * COMMIT included (tests count a request's round trips with it; off by default).
   */
  onQuery?: (text: string) => void
}

/**
 * Migrations run under this session-level advisory lock: instances starting
 * at once on an empty database take turns, and every one after the first
 * finds the migrations applied.
 */
export const MIGRATION_LOCK_KEY = 7_274_013

export const migrationsFolder = join(dirname(fileURLToPath(import.meta.url)), 'migrations')

export async function openDatabase (opts: DatabaseOptions): Promise<Database> {
  if (opts.databaseUrl != null) {
    const { default: postgres } = await import('postgres')
    const { drizzle } = await import('drizzle-orm/postgres-js')
    const { migrate } = await import('drizzle-orm/postgres-js/migrator')
    const prepare = opts.prepare ?? true
    const common = {
      onnotice: () => {},
      // Fail fast when the server is gone instead of waiting for it.
      connect_timeout: opts.connectTimeoutS ?? 1.5,
      // Reconnect within a second of its return (postgres.js's default backoff grows to 20 s).
      backoff: (retries: number) => Math.min(0.1 * 2 ** retries, 1)
    }
    const onQuery = opts.onQuery
    const debug = onQuery == null ? undefined : (_connection: number, text: string) => { onQuery(text) }
    const client = postgres(opts.databaseUrl, { ...common, max: opts.poolSize ?? 10, idle_timeout: 60, prepare, ...(debug == null ? {} : { debug }) })
    const directUrl = opts.directUrl ?? opts.databaseUrl
    // One session of its own for LISTEN when the pool goes through a pooler (opened on first use).
    const direct = directUrl === opts.databaseUrl ? client : postgres(directUrl, { ...common, max: 1 })
    const db = drizzle({ client: prepare ? preparing(client) : client, schema, casing: 'snake_case' }) as unknown as Db
    return {
      db,
      kind: 'postgres',
      raw: client,
      ping: async () => { await client`select 1` },
      listen: async (channel, onNotify, onListening) => {
        // postgres.js keeps one extra connection for LISTEN and re-listens after it drops.
        const { unlisten } = await direct.listen(channel, onNotify, onListening)
        return unlisten
      },
      migrate: async () => {
        // One connection of its own holds the lock and runs the migrations (a session: never through a transaction pooler).
        const session = postgres(directUrl, { ...common, max: 1, connect_timeout: 10, prepare: false })
        try {
          await session`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`
          await migrate(drizzle({ client: session, casing: 'snake_case' }), { migrationsFolder })
          await session`select pg_advisory_unlock(${MIGRATION_LOCK_KEY})`
        } finally {
          await session.end({ timeout: 5 })
        }
      },
      close: async () => {
        await client.end({ timeout: 5 })
        if (direct !== client) await direct.end({ timeout: 5 })
      }
    }
  }

  const { PGlite } = await import('@electric-sql/pglite')
  const { drizzle } = await import('drizzle-orm/pglite')
  const { migrate } = await import('drizzle-orm/pglite/migrator')
  let client: InstanceType<typeof PGlite>
  let unlock = (): void => {}
  if (opts.dataDir === ':memory:') {
    client = await PGlite.create()
  } else {
    // PGlite is one process's database: a second process on the same files would corrupt them.
    unlock = lockDataDir(opts.dataDir)
    try {
      const dir = join(opts.dataDir, 'pglite')
      mkdirSync(dir, { recursive: true })
      client = await PGlite.create(dir)
    } catch (err) {
      unlock()
      throw err
    }
  }
  const db = drizzle({ client: opts.onQuery == null ? client : observed(client, opts.onQuery), schema, casing: 'snake_case' }) as unknown as Db
  return {
    db,
    kind: 'pglite',
    ping: async () => { await db.execute(sql`select 1`) },
    listen: async (channel, onNotify, onListening) => {
      const unlisten = await client.listen(channel, onNotify)
      onListening()
      return async () => { if (!client.closed) await unlisten() }
    },
    migrate: async () => { await migrate(drizzle({ client, casing: 'snake_case' }), { migrationsFolder }) },
    close: async () => {
      if (!client.closed) await client.close()
      unlock()
    }
  }
}

/**
 * PGlite as drizzle sees it, reporting every statement to `onQuery`
 * (a transaction as BEGIN, its statements, COMMIT or ROLLBACK), as
 * postgres.js's `debug` does on PostgreSQL.
 */
function observed<C extends object> (client: C, onQuery: (text: string) => void): C {
  return new Proxy(client, {
    get (target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown
      if (typeof value !== 'function') return value
      if (property === 'query' || property === 'exec') {
        return (text: string, ...rest: unknown[]) => {
          onQuery(text)
          return (value as (...a: unknown[]) => unknown).call(target, text, ...rest)
        }
      }
      if (property === 'transaction') {
        return async (body: (tx: object) => Promise<unknown>) => {
          onQuery('BEGIN')
          try {
            const result = await (value as (b: unknown) => Promise<unknown>).call(target, async (tx: object) => await body(observed(tx, onQuery)))
            onQuery('COMMIT')
            return result
          } catch (err) {
            onQuery('ROLLBACK')
            throw err
          }
        }
      }
      return (value as (...a: unknown[]) => unknown).bind(target)
    }
  })
}

type PgClient = import('postgres').Sql | import('postgres').TransactionSql

/**
 * The postgres.js client as drizzle sees it, with every query prepared.
 * drizzle sends its queries through `unsafe()` unprepared unless the query
 * was built with `.prepare(name)`, so PostgreSQL would parse and plan each
 * one on every execution; postgres.js's own tagged queries are prepared by
 * default and keyed by their text, once per connection. Here drizzle's go the
 * same way, inside transactions and savepoints too. Measured: a query built
 * per request cost about 2.5× a prepared one (issue 5).
 */
function preparing<C extends PgClient> (client: C): C {
  return new Proxy(client, {
    get (target, property, receiver) {
      if (property === 'unsafe') {
        return (query: string, params?: unknown[], options?: { prepare?: boolean }) =>
          target.unsafe(query, params as never, { ...options, prepare: true })
      }
      if (property === 'begin' || property === 'savepoint') {
        return (...args: unknown[]) => {
          const body = args.pop() as (tx: import('postgres').TransactionSql) => unknown
          return (Reflect.get(target, property, receiver) as (...a: unknown[]) => unknown)
            .call(target, ...args, async (tx: import('postgres').TransactionSql) => await body(preparing(tx)))
        }
      }
      return Reflect.get(target, property, receiver)
    }
  })
}

/**
 * Runs raw SQL and returns its rows on either driver (postgres.js returns an
 * array, PGlite an object with `rows`). Prefer the query builder; use this for
 * what it cannot say.
 */
export async function queryRows<T = Record<string, unknown>> (db: Db, query: import('drizzle-orm').SQL): Promise<T[]> {
  const result = await db.execute(query) as unknown as T[] | { rows: T[] }
  return Array.isArray(result) ? result : result.rows
}
