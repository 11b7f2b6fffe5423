import t from 'tap'
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs'
import { join } from 'node:path'
import { tmpdir } from 'node:os'
import { pathToFileURL } from 'node:url'
// @ts-expect-error plain ESM script without types
import { patchQueueSource, unpatchQueueSource } from '../scripts/patch-postgres-queue.mjs'

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

t.test('the pinned postgres.js queue drifts; the patched one does not', async (t) => {
  const installed = readFileSync('node_modules/postgres/src/queue.js', 'utf8')
  t.match(installed, /peiyu patch/, 'postinstall applied the patch to the installed driver')
  const pinned = unpatchQueueSource(installed)
  t.equal(patchQueueSource(pinned).status, 'patched', 'the 3.4.9 source, rebuilt')
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

t.test('patchQueueSource leaves unknown versions alone', async (t) => {
  t.equal(patchQueueSource('export default function Queue () {}').status, 'unknown version: left alone')
})
