// Every table of the service. Add new modules here; `npm run db:generate`
// diffs this against db/migrations and writes the next migration.
export * from './reference.ts'
export * from './accounts.ts'
export * from './audit.ts'
export * from './registry.ts'
export * from './rubrics.ts'
export * from './applications.ts'
export * from './reviews.ts'
export * from './notifications.ts'
export * from './notices.ts'
export * from './analytics.ts'
export * from './funds.ts'
export * from './simulations.ts'
