import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

/** Another live process holds the data directory. */
export class DataDirInUseError extends Error {
  constructor (readonly dataDir: string, readonly pid: number) {
    super(`DATA_DIR ${dataDir} is in use by process ${pid}: embedded PGlite is a database for one process. ` +
      'Stop that process first (the service, or a seed or migration still running), or use PostgreSQL (DATABASE_URL) to run several.')
    this.name = 'DataDirInUseError'
  }
}

function alive (pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * Takes `${dataDir}/pglite.lock` for this process: the file holds the pid
 * and appears whole or not at all (written aside, then hard-linked into place,
 * which fails if it exists). A lock whose process is gone (a crash, a
 * kill -9) is taken over; a live one is refused at once, before anything in
 * the directory is opened. Returns the release function.
 */
export function lockDataDir (dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true })
  const file = join(dataDir, 'pglite.lock')
  const aside = `${file}.${process.pid}`
  writeFileSync(aside, `${process.pid}\n`, { mode: 0o600 })
  try {
    return take(dataDir, file, aside)
  } finally {
    unlinkSync(aside)
  }
}

function take (dataDir: string, file: string, aside: string): () => void {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      linkSync(aside, file)
      let released = false
      return () => {
        if (released) return
        released = true
        try {
          if (Number(readFileSync(file, 'utf8').trim()) === process.pid) unlinkSync(file)
        } catch { /* already gone */ }
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
    }
    let holder = NaN
    try { holder = Number(readFileSync(file, 'utf8').trim()) } catch { /* removed meanwhile: try again */ }
    if (Number.isInteger(holder) && holder > 0 && alive(holder)) throw new DataDirInUseError(dataDir, holder)
    // Stale (its process is gone) or unreadable: remove it and try again.
    try { unlinkSync(file) } catch { /* someone else removed it */ }
  }
  throw new Error(`could not take the lock ${file}`)
}
