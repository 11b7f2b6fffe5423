import fp from 'fastify-plugin'
import { sql } from 'drizzle-orm'
import type { FastifyInstance } from 'fastify'
import type { AppConfig } from '../config.ts'
import { queryRows, type Db } from '../../db/client.ts'

export interface DurabilityProblem { setting: 'fsync' | 'synchronous_commit', value: string }

/**
 * What makes an acknowledged commit survive a crash of the server or the
 * machine: `fsync` (data actually reaches the disk) and `synchronous_commit`
 * (COMMIT waits for the WAL flush; `local`, `remote_write` and `remote_apply`
 * all wait locally, only `off` does not). See PostgreSQL's "Reliability and
 * the Write-Ahead Log" chapter.
 */
export async function durabilityProblems (db: Db): Promise<DurabilityProblem[]> {
  const [fsync] = await queryRows<{ fsync: string }>(db, sql`show fsync`)
  const [commit] = await queryRows<{ synchronous_commit: string }>(db, sql`show synchronous_commit`)
  const problems: DurabilityProblem[] = []
  if (fsync?.fsync === 'off') problems.push({ setting: 'fsync', value: 'off' })
  if (commit?.synchronous_commit === 'off') problems.push({ setting: 'synchronous_commit', value: 'off' })
  return problems
}

export class UnsafeDurabilityError extends Error {
  constructor (public readonly problems: DurabilityProblem[]) {
    super(`PostgreSQL runs with ${problems.map(p => `${p.setting}=${p.value}`).join(' and ')}: acknowledged writes could be lost in a crash. ` +
      `Turn ${problems.map(p => p.setting).join(' and ')} on, or set ALLOW_UNSAFE_DURABILITY=true to start anyway.`)
    this.name = 'UnsafeDurabilityError'
  }
}

/**
 * Refuses to start on a PostgreSQL that may lose acknowledged writes, unless
 * ALLOW_UNSAFE_DURABILITY=true (then it warns). PGlite is a development store
 * and is not checked.
 */
export default fp(async function durabilityPlugin (app: FastifyInstance, opts: { config: AppConfig }) {
  if (app.database.kind !== 'postgres') return
  const problems = await durabilityProblems(app.db)
  if (problems.length === 0) return
  const error = new UnsafeDurabilityError(problems)
  if (opts.config.allowUnsafeDurability) {
    app.log.warn({ problems }, error.message)
    return
  }
  // buildApp fails before it returns an app to close: release the pool here.
  await app.database.close()
  throw error
}, { name: 'durability', dependencies: ['db'] })
