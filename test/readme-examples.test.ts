import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { buildTestApp } from './helper.ts'

// The README's examples run as written: every ```sh block that calls curl is
// taken in order and run as one bash script (variables carry from section to
// section, as for a reader in one shell) against a freshly started service. A
// request answered 4xx or 5xx fails the run (curl --fail-with-body), and so
// does any other failing command. Lines that start or test the service
// (`npm …`) are left out: the test has started it, on a fresh database.

/** The first start the README asks for; the walkthrough signs in with it. */
const START = "ADMIN_EMAIL=admin@example.cn ADMIN_PASSWORD='Cultivate-Pool-Secret-2026' npm start"

export function readmeScript (readme: string, port: number): string {
  const blocks = [...readme.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map(m => m[1]).filter(b => /\bcurl\b/.test(b))
  const lines = blocks.join('\n').split('\n').filter(line => !/^\s*([A-Z_]+=\S+\s+)*npm /.test(line))
  return [
    'set -eE -o pipefail',
    'trap \'echo "README example failed (line $LINENO): $BASH_COMMAND" >&2\' ERR',
    'curl () { command curl --fail-with-body --max-time 60 "$@"; }',
    ...lines
  ].join('\n').replaceAll('localhost:3000', `127.0.0.1:${port}`)
}

t.setTimeout(900_000)

t.test('README: every curl example runs as written against a fresh service', async t => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
  t.ok(readme.includes(START), 'the README starts the service with the administrator the examples sign in as')
  const app = await buildTestApp(t, { adminEmail: 'admin@example.cn', adminPassword: 'Cultivate-Pool-Secret-2026' })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const port = (app.server.address() as AddressInfo).port
  const dir = mkdtempSync(join(tmpdir(), 'peiyu-readme-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))

  const script = readmeScript(readme, port)
  t.ok(script.split('\n').filter(l => /\bcurl\b/.test(l)).length > 25, 'the examples were found')
  const result = await new Promise<{ code: number, stdout: string, stderr: string }>(resolve => {
    execFile('bash', ['-c', script], { cwd: dir, maxBuffer: 64 * 1024 * 1024, timeout: 540_000 }, (err, stdout, stderr) => {
      resolve({ code: err == null ? 0 : (typeof err.code === 'number' ? err.code : 1), stdout, stderr })
    })
  })
  if (result.code !== 0) t.comment(result.stdout.slice(-4000) + '\n' + result.stderr.slice(-4000))
  t.equal(result.code, 0, 'the examples ran to the end')
  t.notMatch(result.stdout, /"statusCode":5\d\d/, 'no 5xx anywhere')
})
