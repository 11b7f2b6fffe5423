import { defineConfig } from 'drizzle-kit'

// Migrations are generated from db/schema/*.ts and committed under db/migrations.
// They are applied at start-up (server/plugins/db.ts) and by `npm run db:migrate`.
export default defineConfig({
  dialect: 'postgresql',
  schema: './db/schema/index.ts',
  out: './db/migrations',
  casing: 'snake_case'
})
