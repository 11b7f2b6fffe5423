// npm run db:migrate — apply the committed migrations to DATABASE_URL (or the PGlite in DATA_DIR).
import { loadConfig } from '../server/config.ts'
import { openDatabase } from '../db/client.ts'

const { config } = loadConfig()
const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: 1 })
try {
  await database.migrate()
  console.log(`migrations applied (${database.kind})`)
} finally {
  await database.close()
}
