// npm run admin:create -- --email admin@example.cn --password '…' [--name 'Full Name']
// Creates an administrator (or says that the email is taken). Reads
// ADMIN_EMAIL / ADMIN_PASSWORD when the flags are not given.
import { parseArgs } from 'node:util'
import { databaseOptions, loadConfig } from '../server/config.ts'
import { openDatabase } from '../db/client.ts'
import { createStaffUser } from '../server/services/accounts.ts'
import { AppError } from '../server/domain/errors.ts'

const { values } = parseArgs({
  options: { email: { type: 'string' }, password: { type: 'string' }, name: { type: 'string' } }
})
const email = values.email ?? process.env.ADMIN_EMAIL
const password = values.password ?? process.env.ADMIN_PASSWORD
if (email == null || password == null) {
  console.error('usage: npm run admin:create -- --email <email> --password <password> [--name <name>]')
  process.exit(2)
}
const { config } = loadConfig({ ...process.env, ADMIN_EMAIL: '', ADMIN_PASSWORD: '' })
const database = await openDatabase(databaseOptions(config, 1)).catch((err: Error) => {
  // e.g. DATA_DIR in use by the running service (DataDirInUseError): say so and touch nothing.
  console.error(`peiyu: ${err.message}`)
  process.exit(1)
})
try {
  await database.migrate()
  const user = await createStaffUser(database.db, { email, password, name: values.name ?? 'Administrator', role: 'admin' },
    { actorId: null, actorRole: 'system', requestId: 'admin:create' })
  console.log(`created administrator ${user.email} (${user.id})`)
} catch (err) {
  if (err instanceof AppError) {
    console.error(`not created: ${err.message}`)
    process.exitCode = 1
  } else throw err
} finally {
  await database.close()
}
