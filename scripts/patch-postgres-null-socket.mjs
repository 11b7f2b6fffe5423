// Guards postgres.js 3.4.9 against a known crash (porsager/postgres#1154,
// #1208; fix proposed in PR #1168/#1209, not released): a small write is
// deferred with setImmediate, the connection closes first and sets
// `socket = null`, and the deferred write throws an uncaught TypeError that
// takes the whole API down — seen in test/faults when PostgreSQL restarts
// under load. The pending query has already been rejected with
// CONNECTION_CLOSED by then, so dropping the buffered write is safe; the
// teardown paths also forget the cancelled timer so a reused connection can
// flush again. Runs on postinstall; idempotent; remove when a fixed release
// is pinned.
import { readFileSync, writeFileSync, existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const MARK = '/* peiyu: null-socket guard */'
const root = join(dirname(fileURLToPath(import.meta.url)), '..', 'node_modules', 'postgres')
if (!existsSync(join(root, 'package.json'))) process.exit(0) // not installed: nothing to patch
const version = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version
for (const file of ['src/connection.js', 'cjs/src/connection.js']) {
  const path = join(root, file)
  if (!existsSync(path)) continue
  let code = readFileSync(path, 'utf8')
  if (code.includes(MARK)) continue
  const edits = [
    ['  function nextWrite(fn) {\n', `  function nextWrite(fn) {\n    ${MARK}\n    if (socket === null) {\n      nextWriteTimer !== null && clearImmediate(nextWriteTimer)\n      chunk = nextWriteTimer = null\n      return false\n    }\n`],
    ['    clearImmediate(nextWriteTimer)\n', '    clearImmediate(nextWriteTimer)\n    nextWriteTimer = null\n    chunk = null\n']
  ]
  for (const [from, to] of edits) {
    if (!code.includes(from)) {
      console.error(`patch-postgres: postgres ${version} ${file} does not look like 3.4.9; check whether the null-socket fix is released and drop this script`)
      process.exit(1)
    }
    code = code.split(from).join(to)
  }
  writeFileSync(path, code)
}
