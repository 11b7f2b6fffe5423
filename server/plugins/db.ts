import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import { openDatabase, type Database, type Db } from '../../db/client.ts'
import { databaseOptions, type AppConfig } from '../config.ts'

declare module 'fastify' {
  interface FastifyInstance {
    db: Db
    database: Database
  }
}

/**
 * Opens PostgreSQL (DATABASE_URL) or embedded PGlite (DATA_DIR), applies the
 * migrations, decorates `db`, and closes it when the app closes.
 */
export default fp(async function dbPlugin (app: FastifyInstance, opts: { config: AppConfig, database?: Database }) {
  const database = opts.database ?? await openDatabase(databaseOptions(opts.config))
  try {
    await database.migrate()
  } catch (err) {
    await database.close()
    throw err
  }
  app.decorate('database', database)
  app.decorate('db', database.db)
  app.addHook('onClose', async () => { await database.close() })
}, { name: 'db' })
