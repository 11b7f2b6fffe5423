import t from 'tap'
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs'
import { join } from 'node:path'
import { tmpdir } from 'node:os'
import { pathToFileURL } from 'node:url'

/**
 * patches/postgres+3.4.9.patch (applied by patch-package at postinstall), read
 * as one { before, after } pair of text per hunk and file: `before` is the
 * pinned 3.4.9 text, `after` the patched one.
 */
type Hunk = { before: string, after: string }
function patchHunks (): Map<string, Hunk[]> {
  const files = new Map<string, Hunk[]>()
  let hunks: Hunk[] = []
  let hunk: { before: string[], after: string[] } | undefined
  const close = () => { if (hunk) hunks.push({ before: hunk.before.join('\n'), after: hunk.after.join('\n') }); hunk = undefined }
  for (const line of readFileSync('patches/postgres+3.4.9.patch', 'utf8').split('\n')) {
    if (line.startsWith('diff --git ')) { close(); hunks = []; continue }
    if (line.startsWith('+++ b/')) { files.set(line.slice('+++ b/'.length), hunks); continue }
    if (line.startsWith('--- ') || line.startsWith('index ')) continue
    if (line.startsWith('@@')) { close(); hunk = { before: [], after: [] }; continue }
    if (!hunk || line.startsWith('\\')) continue
    if (line.startsWith('-')) hunk.before.push(line.slice(1))
    else if (line.startsWith('+')) hunk.after.push(line.slice(1))
    else { hunk.before.push(line.slice(1)); hunk.after.push(line.slice(1)) }
  }
  close()
  return files
}

/** The pinned 3.4.9 source back from the installed, patched one. */
function unpatch (source: string, hunks: Hunk[]): string {
  return hunks.reduce((text, { before, after }) => text.replace(after, before), source)
}

/**
 * The postgres.js connection queue under "more queries than connections":
 * the driver shifts a busy connection, gives it another query and moves it
 * back (remove + push) — the queue never empties. Counts the array slots that
 * remove() scans (Array.prototype.indexOf's `this.length`), not time.
 */
async function scannedAfter (queueFile: string, cycles: number): Promise<number> {
  const { default: Queue } = await import(pathToFileURL(queueFile).href)
  const busy = Queue()
  const connections = Array.from({ length: 10 }, (_, i) => ({ id: i }))
  for (const c of connections) busy.push(c)
  const indexOf = Array.prototype.indexOf
  let scanned = 0
  for (let i = 0; i < cycles; i++) {
    const c = busy.shift()
    if (i === cycles - 1) {
      // Counting the scan is the point: a spy on the one call, restored right after.
      // eslint-disable-next-line no-extend-native
      Array.prototype.indexOf = function (this: unknown[], ...args: [unknown,
        number?]) { scanned = this.length - (args[1] ?? 0); return indexOf.apply(this, args) }
    }
    busy.remove(c) // move(c, busy): c.queue.remove(c) — c is no longer in it
    busy.push(c)
  }
  // eslint-disable-next-line no-extend-native
  Array.prototype.indexOf = indexOf
  return scanned
}

function copyQueue (source: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'pgqueue-'))
  const file = join(dir, 'queue.mjs')
  writeFileSync(file, source)
  return file
}

t.test('postinstall applied every hunk of the patch to the installed driver, ESM and CommonJS', async (t) => {
  const files = patchHunks()
  t.same([...files.keys()].sort(), ['cjs/src/connection.js', 'cjs/src/queue.js', 'src/connection.js', 'src/queue.js']
    .map((f) => `node_modules/postgres/${f}`), 'the patch edits the queue and the connection, both builds')
  t.equal(JSON.parse(readFileSync('node_modules/postgres/package.json', 'utf8')).version, '3.4.9', 'the pinned driver')
  for (const [file, hunks] of files) {
    const installed = readFileSync(file, 'utf8')
    t.ok(hunks.length > 0 && hunks.every(({ after }) => installed.includes(after)), `${file}: patched`)
    t.notOk(hunks.some(({ before, after }) => before !== after && installed.includes(before)), `${file}: no 3.4.9 text left`)
  }
  t.match(readFileSync('node_modules/postgres/cjs/src/connection.js', 'utf8'), /if \(socket === null\) \{/, 'the null-socket guard')
})

t.test('the pinned postgres.js queue drifts; the patched one does not', async (t) => {
  const file = 'node_modules/postgres/src/queue.js'
  const installed = readFileSync(file, 'utf8')
  const pinned = unpatch(installed, patchHunks().get(file) ?? [])
  t.not(pinned, installed, 'the 3.4.9 source, rebuilt from the patch')
  t.notMatch(pinned, /peiyu patch/)
  const drift1k = await scannedAfter(copyQueue(pinned), 1_000)
  const drift20k = await scannedAfter(copyQueue(pinned), 20_000)
  t.ok(drift20k > 10 * drift1k, `3.4.9: slots scanned per query grow with the queries served (${drift1k} → ${drift20k})`)
  const fixed1k = await scannedAfter(copyQueue(installed), 1_000)
  const fixed20k = await scannedAfter(copyQueue(installed), 20_000)
  t.ok(fixed20k <= 2100 && fixed1k <= 2100, `patched: bounded (${fixed1k}, ${fixed20k} slots)`)
})

t.test('the patched queue still behaves as a queue', async (t) => {
  const { default: Queue } = await import(pathToFileURL('node_modules/postgres/src/queue.js').href)
  const q = Queue()
  const items = Array.from({ length: 5000 }, (_, i) => ({ i }))
  for (const x of items) q.push(x)
  const shifted = Array.from({ length: 3000 }, () => q.shift()) // crosses the compaction point
  t.ok(shifted.every((x, i) => x === items[i]), 'first in, first out')
  t.equal(q.length, 2000)
  t.equal(q.remove(items[10]), null, 'already shifted out')
  t.equal(q.remove(items[4000]), items[4000])
  t.equal(q.length, 1999)
  t.equal(q.shift(), items[3000])
  q.push(items[4000])
  const rest = []
  while (q.length > 0) rest.push(q.shift().i)
  t.same(rest.slice(0, 3), [3001, 3002, 3003])
  t.equal(rest[rest.length - 1], 4000)
  t.equal(rest.length, 1999)
})
