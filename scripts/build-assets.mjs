// After `tsc -p tsconfig.build.json`: copy what the compiled service reads at run
// time but tsc does not emit — the SQL migrations and the browser front end —
// so that `node dist/server/server.js` runs with plain node, no tsx, no sources.
import { cpSync, rmSync } from 'node:fs'

const copies = [
  ['db/migrations', 'dist/db/migrations'],
  ['server/web', 'dist/server/web']
]
for (const [from, to] of copies) {
  rmSync(to, { recursive: true, force: true })
  cpSync(from, to, { recursive: true })
}
console.log(`copied ${copies.map(([from]) => from).join(', ')} into dist/`)
