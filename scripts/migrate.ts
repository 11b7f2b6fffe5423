// npm run db:migrate — apply the committed migrations to DATABASE_URL (or the PGlite in DATA_DIR).
import { databaseOptions, loadConfig } from '../server/config.ts'
import { openDatabase } from '../db/client.ts'

const { config } = loadConfig()
const database = await openDatabase(databaseOptions(config, 1)).catch((err: Error) => {
  // e.g. DATA_DIR in use by the running service (DataDirInUseError): say so and touch nothing.
  console.error(`peiyu: ${err.message}`)
  process.exit(1)
})
try {
  await database.migrate()
  console.log(`migrations applied (${database.kind})`)
} finally {
  await database.close()
}
