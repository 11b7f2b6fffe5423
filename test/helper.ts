import { randomBytes } from 'node:crypto'
import type { Test } from 'tap'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import postgres from 'postgres'
import { buildApp } from '../server/app.ts'
import { loadConfig, type AppConfig } from '../server/config.ts'
import { completeUscc } from '../server/domain/uscc.ts'
import { and, desc, eq } from 'drizzle-orm'
import { outboxMessages } from '../db/schema/index.ts'

export const ADMIN = { email: 'admin@peiyu.test', password: 'Peiyu-Root-Secret-2026' }
export const PASSWORD = 'Correct-Horse-9-Battery'

/** PostgreSQL when TEST_DATABASE_URL or DATABASE_URL is set; embedded PGlite otherwise. */
export const testDatabaseUrl = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL

export function testConfig (overrides: Partial<AppConfig> = {}): AppConfig {
  const { config } = loadConfig({
    NODE_ENV: 'test',
    DATA_DIR: ':memory:',
    JWT_SECRET: 'test-secret-' + randomBytes(24).toString('hex'),
    LOG_LEVEL: 'silent',
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    LOGIN_RATE_LIMIT: '1000',
    // Load shedding answers 503 when the event loop lags or a database ping is slow, which a
    // busy test machine makes happen at random: off by default in tests; the tests of overload
    // protection and of the database watch turn each on explicitly.
    OVERLOAD_EVENT_LOOP_DELAY_MS: '0',
    DB_HEALTH_INTERVAL_MS: '0'
  })
  return { ...config, ...overrides }
}

/**
 * A fresh database for one test file: a new PostgreSQL database (dropped
 * afterwards) or a new in-memory PGlite. Returns its URL or undefined.
 */
export async function freshDatabase (t: Test): Promise<string | undefined> {
  if (testDatabaseUrl == null) return undefined
  const name = `peiyu_test_${process.pid}_${randomBytes(4).toString('hex')}`
  const admin = postgres(testDatabaseUrl, { max: 1, onnotice: () => {} })
  await admin.unsafe(`create database ${name}`)
  t.teardown(async () => {
    await admin.unsafe(`drop database if exists ${name} with (force)`)
    await admin.end()
  })
  const url = new URL(testDatabaseUrl)
  url.pathname = '/' + name
  return url.toString()
}

/** Builds the same app as production on a fresh database; closed on teardown. */
export async function buildTestApp (t: Test, overrides: Partial<AppConfig> = {}): Promise<FastifyInstance> {
  const databaseUrl = await freshDatabase(t)
  const app = await buildApp(testConfig({ databaseUrl, ...overrides }), { logger: false })
  t.teardown(async () => { await app.close() })
  return app
}

export const auth = (token: string) => ({ authorization: `Bearer ${token}` })

/** A valid credit code, different for each n (division code 210202, Zhongshan). */
export function uscc (n: number): string {
  const serial = String(n).padStart(9, '0').replace(/I|O|S|V|Z/g, '0')
  return completeUscc('91210202' + serial)
}

export async function login (app: FastifyInstance, email: string, password: string): Promise<string> {
  const res = await app.inject({ method: 'POST', url: '/v1/auth/login', payload: { email, password } })
  if (res.statusCode !== 200) throw new Error(`login ${email} failed: ${res.statusCode} ${res.body}`)
  return res.json().accessToken
}

export async function adminToken (app: FastifyInstance): Promise<string> {
  return await login(app, ADMIN.email, ADMIN.password)
}

let counter = 0
export interface Firm { token: string, userId: string, enterpriseId: string, uscc: string, email: string }

/** The token of the confirmation link emailed to `userId` at registration (read from the outbox, as the mailbox would). */
export async function confirmationToken (app: FastifyInstance, userId: string): Promise<string> {
  const rows = await app.db.select({ body: outboxMessages.bodyText }).from(outboxMessages)
    .where(and(eq(outboxMessages.userId, userId), eq(outboxMessages.kind, 'email_confirmation'))).orderBy(desc(outboxMessages.createdAt)).limit(1)
  const m = /#\/confirm\?token=([A-Za-z0-9_-]+)/.exec(rows[0]?.body ?? '')
  if (m == null) throw new Error(`no confirmation email for ${userId}`)
  return m[1]
}

/** Follows the emailed confirmation link of `userId`'s registration. */
export async function confirmRegistration (app: FastifyInstance, userId: string): Promise<void> {
  const res = await app.inject({ method: 'POST', url: '/v1/auth/confirm', payload: { token: await confirmationToken(app, userId) } })
  if (res.statusCode !== 200) throw new Error(`confirm failed: ${res.statusCode} ${res.body}`)
}

/**
 * Registers an enterprise, follows its confirmation link (as a firm that
 * reads its email does; `{ confirm: false }` leaves it unconfirmed) and signs it in.
 */
export async function registerFirm (app: FastifyInstance, overrides: Record<string, unknown> = {}, opts: { confirm?: boolean } = {}): Promise<Firm> {
  const n = ++counter
  const body = {
    uscc: uscc(1000 + n),
    name: `测试软件有限公司 ${n}`,
    email: `firm${n}@example.test`,
    password: PASSWORD,
    districtCode: '210202',
    domains: ['ai'],
    foundedOn: '2015-03-01',
    ...overrides
  }
  const res = await app.inject({ method: 'POST', url: '/v1/auth/register', payload: body })
  if (res.statusCode !== 201) throw new Error(`register failed: ${res.statusCode} ${res.body}`)
  const { user, enterprise } = res.json()
  if (opts.confirm !== false) await confirmRegistration(app, user.id)
  return {
    token: await login(app, body.email as string, body.password as string), userId: user.id, enterpriseId: enterprise.id, uscc: enterprise.uscc,
    email: body.email as string
  }
}

/** Creates a staff account as the first admin and signs it in. */
export async function createStaff (app: FastifyInstance, role: 'reviewer' | 'officer' | 'analyst' | 'admin' | 'district_officer', extra: Record<string, unknown> = {}): Promise<{ token: string, id: string, email: string }> {
  const n = ++counter
  const email = `${role}${n}@staff.test`
  const res = await app.inject({
    method: 'POST', url: '/v1/users', headers: auth(await adminToken(app)),
    payload: { email, name: `${role} ${n}`, role, password: PASSWORD, ...extra }
  })
  if (res.statusCode !== 201) throw new Error(`create ${role} failed: ${res.statusCode} ${res.body}`)
  return { token: await login(app, email, PASSWORD), id: res.json().id, email }
}

export function json (res: LightMyRequestResponse): any {
  return JSON.parse(res.body)
}
