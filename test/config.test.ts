import t from 'tap'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadConfig, parseDuration } from '../server/config.ts'

const secret = 'x'.repeat(40)

t.test('defaults', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'peiyu-config-'))
  const { config, warnings } = loadConfig({ DATA_DIR: dir })
  t.equal(config.port, 3000)
  t.equal(config.host, '127.0.0.1')
  t.equal(config.databaseUrl, undefined)
  t.equal(config.tokenTtl, 3600)
  t.equal(config.logLevel, 'info')
  t.match(warnings[0], /JWT_SECRET is not set/)
  // The generated secret is kept and reused.
  const kept = readFileSync(join(dir, 'jwt-secret'), 'utf8').trim()
  t.equal(config.jwtSecret, kept)
  t.equal(loadConfig({ DATA_DIR: dir }).config.jwtSecret, kept)
})

t.test('malformed or missing values name the variable', async (t) => {
  const cases: Array<[Record<string, string>, string]> = [
    [{ PORT: 'eighty', JWT_SECRET: secret }, 'PORT'],
    [{ PORT: '70000', JWT_SECRET: secret }, 'PORT'],
    [{ DATABASE_URL: 'mysql://x', JWT_SECRET: secret }, 'DATABASE_URL'],
    [{ LOG_LEVEL: 'loud', JWT_SECRET: secret }, 'LOG_LEVEL'],
    [{ TOKEN_TTL: 'forever', JWT_SECRET: secret }, 'TOKEN_TTL'],
    [{ TOKEN_TTL: '1s', JWT_SECRET: secret }, 'TOKEN_TTL'],
    [{ JWT_SECRET: 'short' }, 'JWT_SECRET'],
    [{ NODE_ENV: 'production' }, 'JWT_SECRET'],
    [{ ADMIN_EMAIL: 'a@b.cn', JWT_SECRET: secret }, 'ADMIN_PASSWORD'],
    [{ ADMIN_EMAIL: 'not-an-email', ADMIN_PASSWORD: 'x', JWT_SECRET: secret }, 'ADMIN_EMAIL'],
    [{ DOCS_UI: 'maybe', JWT_SECRET: secret }, 'DOCS_UI']
  ]
  for (const [env, variable] of cases) {
    t.throws(() => loadConfig({ DATA_DIR: ':memory:', ...env }), { name: 'ConfigError', variable, message: new RegExp('^' + variable) }, variable)
  }
})

t.test('production takes the given secret and listens on all interfaces', async (t) => {
  const { config, warnings } = loadConfig({ NODE_ENV: 'production', JWT_SECRET: secret, DATA_DIR: ':memory:', PORT: '8080', TOKEN_TTL: '15m' })
  t.equal(config.jwtSecret, secret)
  t.equal(config.host, '0.0.0.0')
  t.equal(config.port, 8080)
  t.equal(config.tokenTtl, 900)
  t.same(warnings, [])
})

t.test('durations', async (t) => {
  t.equal(parseDuration('X', '3600'), 3600)
  t.equal(parseDuration('X', '12h'), 43200)
  t.equal(parseDuration('X', '1d'), 86400)
  t.throws(() => parseDuration('X', '-5'))
})
