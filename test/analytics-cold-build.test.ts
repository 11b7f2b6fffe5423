import t from 'tap'
import { auth, buildTestApp, registerFirm } from './helper.ts'
import { protectionSettings, yearTable } from '../server/services/analytics.ts'

// A year's protected table is built once and kept while its rollup rows are
// unchanged. Requests that find it cold at once share one build (at a million
// firms a build takes seconds); none gets figures older than its own start.

const figures = (n: number) => ({
  operatingRevenue: `${60_000_000 + n}.00`, softwareRevenue: '50000000.00', rdExpense: '4000000.00', exportRevenue: '0.00',
  employees: 120 + n, rdStaff: 30, patents: 3, softwareCopyrights: 8
})

t.test('concurrent cold requests share one build; a write in between is never missed', async (t) => {
  const app = await buildTestApp(t)
  const firm = await registerFirm(app)
  const put = async (n: number) => {
    const res = await app.inject({ method: 'PUT', url: `/v1/enterprises/${firm.enterpriseId}/declarations/2024`, headers: auth(firm.token), payload: figures(n) })
    t.ok(res.statusCode === 200 || res.statusCode === 201, `declaration written (${res.statusCode})`)
  }
  await put(1)
  const settings = await protectionSettings(app.db)

  const [a, b, c] = await Promise.all([1, 2, 3].map(async () => await yearTable(app.db, 2024, settings)))
  t.equal(a, b, 'the second cold request got the first one\'s build')
  t.equal(b, c, 'and the third')
  t.equal(await yearTable(app.db, 2024, settings), a, 'kept while nothing changed')

  // A build under way, a write committed, then a request: it must see the write.
  await put(2)
  const first = yearTable(app.db, 2024, settings)
  await put(3)
  const joined = await yearTable(app.db, 2024, settings)
  await first
  t.not(joined.stamp, a.stamp, 'the table after the writes is a new one')
  t.equal(await yearTable(app.db, 2024, settings), joined, 'and it is the current one (its stamp is the rollup\'s stamp now)')
})
