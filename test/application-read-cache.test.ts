import t from 'tap'
import { sql } from 'drizzle-orm'
import { RenderedCache } from '../server/lib/rendered-cache.ts'
import { buildTestApp, registerFirm, createStaff, auth } from './helper.ts'
import { noLoadShedding, openCall } from './application-fixtures.ts'

// GET /v1/applications/:id keeps the serialized reply and sends it again only
// while the rows' stamp (xmin) is unchanged: every read must still be exact,
// whoever changed the row, and each viewer must get its own view.

t.test('the cache: bounded, oldest out, a rewrite refreshes', async (t) => {
  const cache = new RenderedCache(2)
  cache.set('a', { stamp: '1', body: 'A', etag: '"1"' })
  cache.set('b', { stamp: '1', body: 'B', etag: '"1"' })
  cache.set('a', { stamp: '2', body: 'A2', etag: '"2"' })
  cache.set('c', { stamp: '1', body: 'C', etag: '"1"' })
  t.equal(cache.size, 2)
  t.equal(cache.get('b'), undefined, 'the oldest went')
  t.equal(cache.get('a')?.body, 'A2', 'the rewritten one stayed, with its new body')
  t.equal(cache.get('c')?.body, 'C')
  const off = new RenderedCache(0)
  off.set('a', { stamp: '1', body: 'A', etag: '"1"' })
  t.equal(off.get('a'), undefined, 'size 0 keeps nothing')
})

t.test('reads stay exact and per viewer', async (t) => {
  const app = await buildTestApp(t, noLoadShedding)
  const officer = await createStaff(app, 'officer')
  const firm = await registerFirm(app)
  const other = await registerFirm(app)
  const call = await openCall(app, officer.token)
  const created = await app.inject({ method: 'POST', url: '/v1/applications', headers: auth(firm.token), payload: { callId: call.id, statement: 'first' } })
  t.equal(created.statusCode, 201)
  const id = created.json().id as string
  const read = async (token: string) => await app.inject({ method: 'GET', url: `/v1/applications/${id}`, headers: auth(token) })

  const first = await read(firm.token)
  const again = await read(firm.token)
  t.equal(first.statusCode, 200)
  t.equal(again.body, first.body, 'the same reply while nothing changed')
  t.equal(again.headers.etag, first.headers.etag)
  t.match(String(again.headers['content-type']), /^application\/json/)

  const patched = await app.inject({ method: 'PATCH', url: `/v1/applications/${id}`, headers: { ...auth(firm.token), 'if-match': first.headers.etag as string }, payload: { statement: 'second' } })
  t.equal(patched.statusCode, 200)
  const afterPatch = await read(firm.token)
  t.equal(afterPatch.json().statement, 'second', 'a change through the API is seen at once')
  t.equal(afterPatch.headers.etag, patched.headers.etag)

  // Straight into the database, as another instance or an operator would: the version does not even move.
  await app.db.execute(sql`update applications set statement = 'third' where id = ${id}`)
  t.equal((await read(firm.token)).json().statement, 'third', 'a change made outside the service is seen at once')

  // A score that the firm must not see before the decision: the staff view shows it, the firm's does not.
  await app.db.execute(sql`update applications set score = '{"total": "88.00"}'::jsonb where id = ${id}`)
  t.same((await read(officer.token)).json().score, { total: '88.00' }, 'officer sees the score')
  t.equal((await read(firm.token)).json().score, null, 'the firm does not, even right after the officer’s read')
  t.same((await read(officer.token)).json().score, { total: '88.00' }, 'and the officer still does')

  const stranger = await read(other.token)
  t.equal(stranger.statusCode, 404, 'another firm gets 404 although the reply is kept')
  const missing = await app.inject({ method: 'GET', url: `/v1/applications/${id.replace(/.$/, id.endsWith('0') ? '1' : '0')}`, headers: auth(firm.token) })
  t.equal(stranger.body, missing.body, 'the same 404 as a missing id')
})
