import t, { type Test } from 'tap'
import { sql } from 'drizzle-orm'
import type { FastifyInstance } from 'fastify'
import { openDatabase } from '../db/client.ts'
import { buildApp } from '../server/app.ts'
import { databaseOptions } from '../server/config.ts'
import { auth, createStaff, freshDatabase, registerFirm, testConfig } from './helper.ts'
import { noLoadShedding, openCall } from './application-fixtures.ts'

// The statements each hot request sends to the database, counted at the
// driver (postgres.js `debug`, or the PGlite client), BEGIN and COMMIT
// included: one statement is one round trip. The bench's ceilings do the same
// database work with 1 (the owner read) and 6 (the declaration PUT: BEGIN,
// lock the firm, lock the firm-year row, upsert, audit row, COMMIT).

const BUDGET = {
  /** GET /v1/applications/:id by its owner, whatever is cached: the read (or the stamp) carries the session check. */
  ownerRead: 1,
  /** PUT of a declaration, the session known: BEGIN, lock the firm, read what the write needs, write + audit entry, COMMIT. */
  declarationPut: 5,
  /** The same with the session not known yet: its lookup comes first (the firm's lock is taken only for a valid session). */
  declarationPutColdSession: 6
}

async function countingApp (t: Test): Promise<{ app: FastifyInstance, count: (send: () => Promise<unknown>) => Promise<string[]> }> {
  const config = testConfig({ databaseUrl: await freshDatabase(t), ...noLoadShedding })
  let log: string[] | null = null
  const database = await openDatabase({ ...databaseOptions(config), onQuery: text => { log?.push(text) } })
  const app = await buildApp(config, { logger: false, database })
  t.teardown(async () => { await app.close() })
  return {
    app,
    count: async (send) => {
      log = []
      try {
        await send()
        return log
      } finally {
        log = null
      }
    }
  }
}

const figures = (n: number) => ({
  operatingRevenue: `${30_000_000 + n}.00`, softwareRevenue: '20000000.00', rdExpense: '3000000.00', exportRevenue: '0.00',
  employees: 100, rdStaff: 30, patents: 3, softwareCopyrights: 5
})

t.test('GET /v1/applications/:id by its owner: one statement, cached or not', async (t) => {
  const { app, count } = await countingApp(t)
  const officer = await createStaff(app, 'officer')
  const firm = await registerFirm(app)
  const call = await openCall(app, officer.token)
  const created = await app.inject({ method: 'POST', url: '/v1/applications', headers: auth(firm.token), payload: { callId: call.id, statement: 'x' } })
  t.equal(created.statusCode, 201)
  const url = `/v1/applications/${created.json().id as string}`
  const read = async (token = firm.token) => await app.inject({ method: 'GET', url, headers: auth(token) })

  // Session not cached, reply not kept (the bench's case: thousands of firms, each read again only after seconds).
  app.sessions.clear()
  let res: Awaited<ReturnType<typeof read>> | undefined
  let sent = await count(async () => { res = await read() })
  t.equal(res?.statusCode, 200)
  t.equal(res?.json().statement, 'x')
  t.equal(sent.length, BUDGET.ownerRead, `session and reply cold: ${sent.join(' ; ')}`)

  // Session cached, reply kept: the stamp alone.
  sent = await count(async () => { res = await read() })
  t.equal(res?.statusCode, 200)
  t.equal(sent.length, BUDGET.ownerRead, `both warm: ${sent.join(' ; ')}`)

  // Session not cached, reply kept: the stamp carries the session check.
  app.sessions.clear()
  sent = await count(async () => { res = await read() })
  t.equal(res?.statusCode, 200)
  t.equal(sent.length, BUDGET.ownerRead, `session cold, reply kept: ${sent.join(' ; ')}`)

  // Officers read the same application in one statement too.
  app.sessions.clear()
  sent = await count(async () => { res = await read(officer.token) })
  t.equal(res?.statusCode, 200)
  t.equal(sent.length, 1, `an officer, session cold: ${sent.join(' ; ')}`)
})

t.test('the session check riding on the read refuses what the separate check refused', async (t) => {
  const { app } = await countingApp(t)
  const officer = await createStaff(app, 'officer')
  const analyst = await createStaff(app, 'analyst')
  const firm = await registerFirm(app)
  const other = await registerFirm(app)
  const call = await openCall(app, officer.token)
  const created = await app.inject({ method: 'POST', url: '/v1/applications', headers: auth(firm.token), payload: { callId: call.id, statement: 'x' } })
  const id = created.json().id as string
  const read = async (token: string, path = `/v1/applications/${id}`) => {
    app.sessions.clear()
    return (await app.inject({ method: 'GET', url: path, headers: auth(token) })).statusCode
  }
  for (const pass of ['kept reply absent', 'kept reply present']) {
    t.equal(await read(firm.token), 200, `${pass}: the owner`)
    t.equal(await read(officer.token), 200, `${pass}: an officer`)
    t.equal(await read(other.token), 404, `${pass}: another firm gets the missing-id 404`)
    t.equal(await read(analyst.token), 403, `${pass}: an analyst`)
    t.equal(await read(firm.token, `/v1/applications/${id.replace(/.$/, c => c === '0' ? '1' : '0')}`), 404, `${pass}: a missing id`)
  }

  // Changed in the database behind the service's back (no NOTIFY reaches a cleared cache): the read refuses the token.
  const second = await registerFirm(app)
  const secondApp = await app.inject({ method: 'POST', url: '/v1/applications', headers: auth(second.token), payload: { callId: call.id, statement: 'y' } })
  const secondUrl = `/v1/applications/${secondApp.json().id as string}`
  t.equal(await read(second.token, secondUrl), 200)
  await app.db.execute(sql`update users set token_version = token_version + 1 where id = ${second.userId}`)
  t.equal(await read(second.token, secondUrl), 401, 'a token of an older token version')
  await app.db.execute(sql`update users set disabled = true where id = ${other.userId}`)
  t.equal(await read(other.token), 401, 'a disabled user is 401, not the 404 an enabled one gets')

  // Signed out: refused, with or without the kept reply, and a malformed id from a revoked token is 401 too (auth before validation).
  const out = await app.inject({ method: 'POST', url: '/v1/auth/logout', headers: auth(firm.token) })
  t.equal(out.statusCode, 204)
  t.equal(await read(firm.token), 401, 'a revoked token')
  t.equal(await read(firm.token, '/v1/applications/not-a-uuid'), 401, 'a revoked token with a malformed id')
  const revokedAnalyst = await app.inject({ method: 'POST', url: '/v1/auth/logout', headers: auth(analyst.token) })
  t.equal(revokedAnalyst.statusCode, 204)
  t.equal(await read(analyst.token), 401, 'a revoked token of a role the route refuses is 401, not 403')
})

t.test('PUT /v1/enterprises/:id/declarations/:year: within the ceiling\'s statements', async (t) => {
  const { app, count } = await countingApp(t)
  const firm = await registerFirm(app)
  const url = `/v1/enterprises/${firm.enterpriseId}/declarations/2025`
  let n = 0
  const put = async () => await app.inject({ method: 'PUT', url, headers: auth(firm.token), payload: figures(++n) })
  let res: Awaited<ReturnType<typeof put>> | undefined
  t.equal((await app.inject({ method: 'GET', url: '/v1/me', headers: auth(firm.token) })).statusCode, 200, 'the session known')

  let sent = await count(async () => { res = await put() })
  t.equal(res?.statusCode, 201, 'created')
  t.ok(sent.length <= BUDGET.declarationPut, `create, ${sent.length} statements: ${sent.join(' ; ')}`)

  sent = await count(async () => { res = await put() })
  t.equal(res?.statusCode, 200, 'a new version')
  t.equal(res?.json().version, 2)
  t.ok(sent.length <= BUDGET.declarationPut, `update, ${sent.length} statements: ${sent.join(' ; ')}`)

  app.sessions.clear()
  sent = await count(async () => { res = await put() })
  t.equal(res?.statusCode, 200)
  t.equal(res?.json().version, 3)
  t.ok(sent.length <= BUDGET.declarationPutColdSession, `update, session cold, ${sent.length} statements: ${sent.join(' ; ')}`)
})

t.test('a sessionInRead route that answers without settling the session check is refused its reply', async (t) => {
  const { app } = await countingApp(t)
  app.get('/test/unsettled', { onRequest: app.authorize, config: { roles: ['enterprise'], sessionInRead: true } }, async () => ({ ok: true }))
  const firm = await registerFirm(app)
  app.sessions.clear()
  const res = await app.inject({ method: 'GET', url: '/test/unsettled', headers: auth(firm.token) })
  t.equal(res.statusCode, 500, 'the check was deferred to the read, which never settled it')
  t.notOk(res.body.includes('"ok"'), 'nothing of the reply went out')
  t.equal((await app.inject({ method: 'GET', url: '/v1/me', headers: auth(firm.token) })).statusCode, 200)
  const cached = await app.inject({ method: 'GET', url: '/test/unsettled', headers: auth(firm.token) })
  t.equal(cached.statusCode, 200, 'with the session cached the hook checked it, nothing is deferred')
})
