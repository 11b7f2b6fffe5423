import closeWithGrace from 'close-with-grace'
import { loadConfig, ConfigError } from './config.ts'
import { buildApp } from './app.ts'

// The production entry: read the configuration, listen, shut down gracefully.
let loaded
try {
  loaded = loadConfig()
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(`peiyu: configuration error: ${err.message}`)
    process.exit(78) // EX_CONFIG
  }
  throw err
}
const { config, warnings } = loaded
let app: Awaited<ReturnType<typeof buildApp>>
try {
  app = await buildApp(config)
} catch (err) {
  // e.g. the database is unreachable, or ADMIN_PASSWORD is refused by the password policy
  console.error(`peiyu: could not start: ${(err as Error).message}`)
  process.exit(1)
}
for (const w of warnings) app.log.warn(w)

// SIGTERM/SIGINT: stop accepting, let in-flight requests finish, close the database.
closeWithGrace({ delay: 10_000 }, async ({ signal, err }) => {
  if (err != null) app.log.error({ err }, 'closing after an error')
  else app.log.info({ signal }, 'shutting down')
  await app.close()
})

try {
  await app.listen({ port: config.port, host: config.host })
  app.log.info({ database: app.database.kind }, `peiyu listening; API docs at http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${config.port}/docs`)
} catch (err) {
  app.log.error({ err }, 'could not start')
  process.exit(1)
}
