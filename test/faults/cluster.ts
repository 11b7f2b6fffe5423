import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, chownSync, readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

/**
 * A throwaway PostgreSQL cluster and API processes for the fault tests: all
 * on loopback, in a temporary directory, stopped and removed afterwards.
 */

export const PG_BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin'
const ROOT = resolve(import.meta.dirname, '..', '..')

/** Why the fault tests cannot run here, or undefined when they can. */
export function cannotRun (): string | undefined {
  if (process.env.PEIYU_FAULTS !== '1') return 'fault tests run with `npm run test:faults` (PEIYU_FAULTS=1)'
  if (process.getuid?.() !== 0) return 'fault tests need root (to run initdb and pg_ctl as the postgres user)'
  if (!existsSync(join(PG_BIN, 'initdb')) || !existsSync(join(PG_BIN, 'pg_ctl'))) return `no PostgreSQL binaries in ${PG_BIN} (set PG_BIN)`
  try { execFileSync('id', ['postgres'], { stdio: 'ignore' }) } catch { return 'no postgres OS user' }
  return undefined
}

export async function freePort (): Promise<number> {
  return await new Promise((resolve, reject) => {
    const srv = createServer()
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number }
      srv.close(() => resolve(port))
    })
  })
}

const asPostgres = (cmd: string, args: string[], timeout = 60_000): string =>
  execFileSync('runuser', ['-u', 'postgres', '--', join(PG_BIN, cmd), ...args], { encoding: 'utf8', timeout, stdio: ['ignore', 'pipe', 'pipe'] })

export class Cluster {
  readonly dir: string
  readonly data: string
  constructor (readonly port: number) {
    this.dir = mkdtempSync(join(tmpdir(), 'peiyu-faults-'))
    chownSync(this.dir, Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim()), Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim()))
    this.data = join(this.dir, 'data')
    asPostgres('initdb', ['-D', this.data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8'])
  }

  get url (): string { return `postgres://postgres@127.0.0.1:${this.port}/postgres` }

  private options (extra: string): string {
    return `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c max_connections=100 ${extra}`
  }

  start (extra = ''): void {
    asPostgres('pg_ctl', ['-D', this.data, '-o', this.options(extra), '-l', join(this.dir, 'log'), '-w', '-t', '60', 'start'])
  }

  restart (extra = ''): void {
    asPostgres('pg_ctl', ['-D', this.data, '-o', this.options(extra), '-l', join(this.dir, 'log'), '-m', 'fast', '-w', '-t', '60', 'restart'])
  }

  stop (mode: 'fast' | 'immediate' = 'fast'): void {
    try { asPostgres('pg_ctl', ['-D', this.data, '-m', mode, '-w', '-t', '60', 'stop']) } catch { /* already stopped */ }
  }

  log (): string {
    try { return readFileSync(join(this.dir, 'log'), 'utf8') } catch { return '' }
  }

  destroy (): void {
    this.stop('immediate')
    rmSync(this.dir, { recursive: true, force: true })
  }
}

export const JWT_SECRET = 'fault-test-secret-0123456789-abcdefghijklmnopqrstuvwxyz'
export const ADMIN = { email: 'admin@faults.test', password: 'Faults-Root-Secret-2026' }

export interface ApiProcess { child: ChildProcess, base: string, output: () => string, exited: Promise<number | null> }

/** Starts `node --import tsx server/server.ts` as a child, as production would run it. */
export function startApi (databaseUrl: string, port: number, env: Record<string, string> = {}): ApiProcess {
  let out = ''
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/server.ts'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(port),
      DATABASE_URL: databaseUrl,
      JWT_SECRET,
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
      LOG_LEVEL: 'warn',
      RATE_LIMIT: '0',
      LOGIN_RATE_LIMIT: '100000',
      DB_HEALTH_INTERVAL_MS: '500',
      DB_POOL_SIZE: '10',
      ...env
    },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  child.stdout!.on('data', (d: Buffer) => { out += d.toString() })
  child.stderr!.on('data', (d: Buffer) => { out += d.toString() })
  const exited = new Promise<number | null>(resolve => child.once('exit', code => resolve(code)))
  return { child, base: `http://127.0.0.1:${port}`, output: () => out, exited }
}

/** Polls until `check` is true; throws after `limitMs` so every test ends by itself. */
export async function waitFor (what: string, check: () => Promise<boolean>, limitMs = 60_000): Promise<number> {
  const started = Date.now()
  while (Date.now() - started < limitMs) {
    try { if (await check()) return Date.now() - started } catch { /* not yet */ }
    await new Promise(resolve => setTimeout(resolve, 100))
  }
  throw new Error(`not reached within ${limitMs} ms: ${what}`)
}

export async function isReady (base: string): Promise<boolean> {
  const res = await fetch(`${base}/ready`, { signal: AbortSignal.timeout(3000) })
  await res.arrayBuffer()
  return res.status === 200
}

export interface Answer { status: number | 'network-error', body?: any, startedAt: number, endedAt: number }

export async function request (base: string, method: string, path: string, opts: {
  token?: string, body?: unknown, headers?: Record<string, string>,
  timeoutMs?: number
} = {}): Promise<Answer> {
  const startedAt = Date.now()
  try {
    const res = await fetch(base + path, {
      method,
      headers: {
        ...(opts.token != null ? { authorization: `Bearer ${opts.token}` } : {}),
        ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...opts.headers
      },
      body: opts.body !== undefined ? JSON.stringify(opts.body) : undefined,
      signal: AbortSignal.timeout(opts.timeoutMs ?? 15_000)
    })
    const text = await res.text()
    let body: unknown
    try { body = JSON.parse(text) } catch { body = text }
    return { status: res.status, body, startedAt, endedAt: Date.now() }
  } catch {
    return { status: 'network-error', startedAt, endedAt: Date.now() }
  }
}
