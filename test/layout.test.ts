import t from 'tap'
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'

// One door per concern (docs/architecture.md): the rules a reader relies on,
// checked on the source so a shortcut fails here rather than in review.
const root = join(import.meta.dirname, '..')
function files (dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap(e =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [])
}
const source = (f: string): string => readFileSync(join(root, f), 'utf8')
const offenders = (list: string[], re: RegExp): string[] => list.filter(f => re.test(source(f))).map(f => relative(root, join(root, f)))

const routes = files('server/routes')
const server = files('server')

t.test('routes reach the database only through services', async (t) => {
  t.same(offenders(routes, /from ['"]drizzle-orm/), [], 'no route imports drizzle')
  t.same(offenders(routes, /db\/schema/), [], 'no route imports a table')
  t.same(offenders(routes, /\.transaction\(|inTransaction\(/), [], 'no route opens a transaction')
})

t.test('one transaction helper, no casts around it', async (t) => {
  t.same(offenders(server, /as unknown as Db\b/), [], "no 'as unknown as Db'")
  t.same(offenders(server, /\.transaction\(/), [], 'services open transactions with inTransaction (db/client.ts)')
})

t.test('one access door', async (t) => {
  t.same(offenders(server, /requireRole|app\.authenticate\b/), [], 'roles are declared on the route (config.roles), checked by the one hook')
  t.same(offenders(server.filter(f => !f.endsWith('domain/access.ts')), /export interface Principal\b/), [], 'Principal lives in server/domain/access.ts')
})

t.test('one error catalogue', async (t) => {
  t.same(offenders(server.filter(f => !f.endsWith('domain/errors.ts')), /new AppError\(/), [], 'AppError is built only in server/domain/errors.ts')
  t.same(offenders(server, /export const \w+Errors = \{/), [], 'no per-service error factory')
})

t.test('one If-Match rule', async (t) => {
  t.same(offenders(server.filter(f => !f.endsWith('lib/versioning.ts')), /W\\\//), [], 'only server/lib/versioning.ts parses entity tags')
})

t.test('one decimal module', async (t) => {
  // Decimal strings are parsed, compared and divided in server/domain/decimal.ts (money.ts builds on it).
  t.same(offenders(server.filter(f => !f.endsWith('domain/decimal.ts')), /10n \*\*|\\d\+\)\(\?:\\\.\(\\d/), [],
    'no decimal parsing (a power of ten, a digits-dot-digits capture) outside server/domain/decimal.ts')
})

t.test('one policy reader and writer', async (t) => {
  const others = server.filter(f => !f.endsWith('services/policy.ts'))
  t.same(offenders(others, /^import [^;]*\bpolicySettings\b[^;]*from '[^']*db\/schema/m), [], 'only server/services/policy.ts imports the policySettings table')
  t.same(offenders(others, /(?:from|into|update|join)\s+policy_settings\b/i), [], 'and no other file names policy_settings in SQL')
})

t.test('the read modules write nothing', async (t) => {
  const reads = ['server/services/application-reads.ts', 'server/services/review-reads.ts']
  t.same(offenders(reads, /\.(?:insert|update|delete)\(|inTransaction\(|recordAudit\(/), [], 'no insert, update, delete, transaction or audit')
})

t.test('comments cite the repository, not files outside it', async (t) => {
  const cited = [...server, ...files('schemas'), ...files('db'), ...files('test')].filter(f => !f.endsWith('layout.test.ts'))
  t.same(offenders(cited, /\b(?:API|DOMAIN|STYLE)\.md\b/), [], 'docs/api.md and docs/domain.md, not API.md or DOMAIN.md')
})

t.test('no import cycles in server/', async (t) => {
  // Value imports only: `import type` is erased and cannot form a cycle at run time.
  const edges = new Map<string, string[]>()
  for (const f of server) {
    const deps = [...source(f).matchAll(/^import (?!type )[^'"]*from '(\.[^']+\.ts)'/gm)].map(m => join(f, '..', m[1]))
    edges.set(f, deps.filter(d => d.startsWith('server/')))
  }
  t.ok([...edges.values()].reduce((n, d) => n + d.length, 0) > 100, 'the imports were read')
  const cycles: string[] = []
  const state = new Map<string, 'open' | 'done'>()
  const visit = (f: string, path: string[]): void => {
    if (state.get(f) === 'done') return
    if (state.get(f) === 'open') { cycles.push([...path.slice(path.indexOf(f)), f].join(' → ')); return }
    state.set(f, 'open')
    for (const d of edges.get(f) ?? []) visit(d, [...path, f])
    state.set(f, 'done')
  }
  for (const f of edges.keys()) visit(f, [])
  t.same(cycles, [], 'services, domain and lib import each other without a circle')
})
