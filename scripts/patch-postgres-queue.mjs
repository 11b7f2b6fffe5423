// postinstall: a pinned patch to postgres.js 3.4.9's connection queue (src/queue.js, cjs/src/queue.js).
//
// Queue.shift() leaves a hole and only resets its array when the queue
// empties; Queue.remove() scans from index 0. Under load with more queries
// than connections the driver pipelines onto busy connections
// (busy.shift() → go() → move(c, busy) → busy.remove(c)): the busy queue never
// empties, grows by one hole per query, and every query scans all of them —
// throughput drifts down the longer the load lasts. The patch searches from
// the head and compacts the array once the holes pass half of it.
// test/postgres-queue.test.ts shows the drift and the fix. Applied only to the
// exact file of the pinned version; anything else is left alone with a warning.
import { readFileSync, writeFileSync, existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', 'node_modules', 'postgres')
const ORIGINAL_REMOVE = `    remove: (x) => {
      const index = xs.indexOf(x)
      return index === -1
        ? null
        : (xs.splice(index, 1), x)
    },`
const PATCHED_REMOVE = `    remove: (x) => {
      // peiyu patch: the slots before \`index\` are holes, never x
      const at = xs.indexOf(x, index)
      return at === -1
        ? null
        : (xs.splice(at, 1), x)
    },`
const ORIGINAL_SHIFT = `      if (index === xs.length) {
        index = 0
        xs = []
      } else {
        xs[index - 1] = undefined
      }`
const PATCHED_SHIFT = `      if (index === xs.length) {
        index = 0
        xs = []
      } else if (index > 1024 && index * 2 > xs.length) {
        // peiyu patch: a queue that never empties must not keep its holes
        xs = xs.slice(index)
        index = 0
      } else {
        xs[index - 1] = undefined
      }`

export function patchQueueSource (source) {
  if (source.includes('peiyu patch')) return { source, status: 'already patched' }
  if (!source.includes(ORIGINAL_REMOVE) || !source.includes(ORIGINAL_SHIFT)) return { source, status: 'unknown version: left alone' }
  return { source: source.replace(ORIGINAL_REMOVE, PATCHED_REMOVE).replace(ORIGINAL_SHIFT, PATCHED_SHIFT), status: 'patched' }
}

/** The pinned version's source back from the patched one (the test shows the drift with it). */
export function unpatchQueueSource (source) {
  return source.replace(PATCHED_REMOVE, ORIGINAL_REMOVE).replace(PATCHED_SHIFT, ORIGINAL_SHIFT)
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  let version = 'absent'
  try { version = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version } catch {}
  for (const file of ['src/queue.js', 'cjs/src/queue.js']) {
    const path = join(root, file)
    if (!existsSync(path)) continue
    const { source, status } = patchQueueSource(readFileSync(path, 'utf8'))
    if (status === 'patched') writeFileSync(path, source)
    const line = `postgres ${version} ${file}: ${status}`
    if (status.startsWith('unknown')) console.warn(line)
    else console.log(line)
  }
}
