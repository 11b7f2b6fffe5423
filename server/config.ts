import { randomBytes } from 'node:crypto'
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { getHeapStatistics } from 'node:v8'

/**
 * The service's configuration, read and validated once from the environment
 * (loadConfig) and passed to buildApp. Nothing else reads process.env.
 */
export interface AppConfig {
  env: 'development' | 'production' | 'test'
  host: string
  port: number
  /** PostgreSQL connection string; absent means embedded PGlite in dataDir. */
  databaseUrl?: string
  /** Directory for PGlite's files and the generated JWT secret; ':memory:' for tests. */
  dataDir: string
  jwtSecret: string
  /** Access-token lifetime in seconds. */
  tokenTtl: number
  jwtIssuer: string
  jwtAudience: string
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'
  adminEmail?: string
  adminPassword?: string
  /** Trust X-Forwarded-For from these proxies (Fastify trustProxy); false by default. */
  trustProxy: boolean | string
  /** Login attempts per window per client IP and per account. */
  loginRateLimit: { max: number, windowMs: number }
  /** Serve Swagger UI at /docs (the JSON document is always served). */
  docsUi: boolean
  /** Database pool size (PostgreSQL only). */
  dbPoolSize: number
  /** How long a token's session check may be answered from memory (server/lib/session-cache.ts); 0 turns the cache off. */
  sessionCacheTtlMs: number
  /** Browser origins allowed to call the API cross-origin (CORS); empty means same-origin only. */
  corsOrigins: string[]
  /** Global limit per signed-in user (or per client IP when anonymous); max 0 turns it off. */
  rateLimit: { max: number, windowMs: number }
  /** Answer 503 + Retry-After instead of queueing when these are exceeded (0 turns a check off). */
  overload: { maxEventLoopDelayMs: number, maxHeapUsedBytes: number, maxRssBytes: number, dbHealthIntervalMs: number }
  /** Run on a PostgreSQL with fsync or synchronous_commit off (acknowledged writes may be lost). */
  allowUnsafeDurability: boolean
  /** GET /metrics (Prometheus): with a token, only `Authorization: Bearer <token>`; without one, loopback clients only. */
  metrics: { enabled: boolean, token?: string }
  /** Human-readable logs through pino-pretty (development on a terminal, by default). */
  logPretty: boolean
  /** OpenTelemetry tracing, opt-in: spans exported over OTLP/HTTP to this endpoint. */
  otel?: { endpoint: string, serviceName: string }
}

export class ConfigError extends Error {
  constructor (public readonly variable: string, message: string) {
    super(`${variable}: ${message}`)
    this.name = 'ConfigError'
  }
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const

/** "900", "15m", "12h", "7d" → seconds. */
export function parseDuration (variable: string, raw: string): number {
  const m = /^(\d+)\s*([smhd]?)$/.exec(raw.trim())
  if (m == null) throw new ConfigError(variable, `expected a duration like 3600, 15m, 12h or 1d, got "${raw}"`)
  const n = Number(m[1])
  const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86400 }[m[2] as '' | 's' | 'm' | 'h' | 'd']
  const seconds = n * unit
  if (seconds < 30 || seconds > 30 * 86400) throw new ConfigError(variable, 'must be between 30 seconds and 30 days')
  return seconds
}

function parseIntStrict (variable: string, raw: string, min: number, max: number): number {
  if (!/^\d+$/.test(raw.trim())) throw new ConfigError(variable, `expected a whole number, got "${raw}"`)
  const n = Number(raw)
  if (n < min || n > max) throw new ConfigError(variable, `must be between ${min} and ${max}, got ${n}`)
  return n
}

function parseBool (variable: string, raw: string): boolean {
  const v = raw.trim().toLowerCase()
  if (['1', 'true', 'yes', 'on'].includes(v)) return true
  if (['0', 'false', 'no', 'off'].includes(v)) return false
  throw new ConfigError(variable, `expected true or false, got "${raw}"`)
}

export interface LoadConfigResult { config: AppConfig, warnings: string[] }

/**
 * Reads the environment. Throws ConfigError naming the variable when a value
 * is missing or malformed. Outside production a missing JWT_SECRET is
 * generated once and kept in DATA_DIR/jwt-secret (with a warning).
 */
export function loadConfig (env: NodeJS.ProcessEnv = process.env): LoadConfigResult {
  const warnings: string[] = []
  const nodeEnv = env.NODE_ENV === 'production' ? 'production' : env.NODE_ENV === 'test' ? 'test' : 'development'
  const get = (k: string): string | undefined => {
    const v = env[k]
    return v == null || v.trim() === '' ? undefined : v
  }

  const port = get('PORT') != null ? parseIntStrict('PORT', get('PORT')!, 0, 65535) : 3000
  const host = get('HOST') ?? (nodeEnv === 'production' ? '0.0.0.0' : '127.0.0.1')

  const databaseUrl = get('DATABASE_URL')
  if (databaseUrl != null && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError('DATABASE_URL', 'must be a postgres:// or postgresql:// URL')
  }
  const dataDirRaw = get('DATA_DIR') ?? './data'
  const dataDir = dataDirRaw === ':memory:' ? dataDirRaw : resolve(dataDirRaw)

  const logLevel = (get('LOG_LEVEL') ?? 'info') as AppConfig['logLevel']
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}`)

  const tokenTtl = get('TOKEN_TTL') != null ? parseDuration('TOKEN_TTL', get('TOKEN_TTL')!) : 3600

  let jwtSecret = get('JWT_SECRET')
  if (jwtSecret != null) {
    if (jwtSecret.length < 32) throw new ConfigError('JWT_SECRET', 'must be at least 32 characters')
  } else if (nodeEnv === 'production') {
    throw new ConfigError('JWT_SECRET', 'is required when NODE_ENV=production')
  } else if (dataDir === ':memory:') {
    jwtSecret = randomBytes(32).toString('base64url')
  } else {
    const file = join(dataDir, 'jwt-secret')
    if (existsSync(file)) {
      jwtSecret = readFileSync(file, 'utf8').trim()
    } else {
      mkdirSync(dataDir, { recursive: true })
      jwtSecret = randomBytes(48).toString('base64url')
      writeFileSync(file, jwtSecret + '\n', { mode: 0o600 })
    }
    warnings.push(`JWT_SECRET is not set: using a generated secret kept in ${file}. Set JWT_SECRET in production.`)
  }

  const adminEmail = get('ADMIN_EMAIL')
  const adminPassword = get('ADMIN_PASSWORD')
  if ((adminEmail == null) !== (adminPassword == null)) {
    throw new ConfigError(adminEmail == null ? 'ADMIN_EMAIL' : 'ADMIN_PASSWORD', 'ADMIN_EMAIL and ADMIN_PASSWORD go together')
  }
  if (adminEmail != null && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(adminEmail)) {
    throw new ConfigError('ADMIN_EMAIL', 'is not an email address')
  }

  let trustProxy: boolean | string = false
  const tp = get('TRUST_PROXY')
  if (tp != null) {
    try { trustProxy = parseBool('TRUST_PROXY', tp) } catch { trustProxy = tp }
  }

  return {
    config: {
      env: nodeEnv,
      host,
      port,
      databaseUrl,
      dataDir,
      jwtSecret,
      tokenTtl,
      jwtIssuer: get('JWT_ISSUER') ?? 'peiyu',
      jwtAudience: get('JWT_AUDIENCE') ?? 'peiyu-api',
      logLevel,
      adminEmail,
      adminPassword,
      trustProxy,
      loginRateLimit: {
        max: get('LOGIN_RATE_LIMIT') != null ? parseIntStrict('LOGIN_RATE_LIMIT', get('LOGIN_RATE_LIMIT')!, 1, 100000) : 10,
        windowMs: 60_000
      },
      docsUi: get('DOCS_UI') != null ? parseBool('DOCS_UI', get('DOCS_UI')!) : true,
      dbPoolSize: get('DB_POOL_SIZE') != null ? parseIntStrict('DB_POOL_SIZE', get('DB_POOL_SIZE')!, 1, 200) : 10,
      sessionCacheTtlMs: get('SESSION_CACHE_TTL_MS') != null ? parseIntStrict('SESSION_CACHE_TTL_MS', get('SESSION_CACHE_TTL_MS')!, 0, 60_000) : 2000,
      ...securityConfig(get),
      ...operationsConfig(get, nodeEnv)
    },
    warnings
  }
}

/** An origin as browsers send it: scheme, host and optional port, nothing else. */
const ORIGIN = /^https?:\/\/[a-z0-9.-]+(:\d{1,5})?$/i

/** CORS, global rate limit, overload protection and durability (issue 6); defaults documented in the README. */
function securityConfig (get: (k: string) => string | undefined): Pick<AppConfig, 'corsOrigins' | 'rateLimit' | 'overload' | 'allowUnsafeDurability'> {
  const int = (k: string, fallback: number, min: number, max: number): number => {
    const raw = get(k)
    return raw != null ? parseIntStrict(k, raw, min, max) : fallback
  }
  const corsOrigins = (get('CORS_ORIGINS') ?? '').split(',').map(o => o.trim().replace(/\/$/, '')).filter(o => o !== '')
  for (const o of corsOrigins) {
    if (o === '*' || !ORIGIN.test(o)) throw new ConfigError('CORS_ORIGINS', `expected a comma list of origins like https://peiyu.example.cn, got "${o}"`)
  }
  // Default heap ceiling: 90% of V8's limit, so the service sheds load before it crashes out of memory.
  const heapLimitMb = Math.floor(getHeapStatistics().heap_size_limit / 1048576)
  const heapMb = int('OVERLOAD_HEAP_MB', Math.floor(heapLimitMb * 0.9), 0, 1_000_000)
  return {
    corsOrigins,
    rateLimit: { max: int('RATE_LIMIT', 6000, 0, 10_000_000), windowMs: 60_000 },
    overload: {
      maxEventLoopDelayMs: int('OVERLOAD_EVENT_LOOP_DELAY_MS', 1000, 0, 600_000),
      maxHeapUsedBytes: heapMb * 1048576,
      maxRssBytes: int('OVERLOAD_RSS_MB', 0, 0, 1_000_000) * 1048576,
      dbHealthIntervalMs: int('DB_HEALTH_INTERVAL_MS', 2000, 0, 600_000)
    },
    allowUnsafeDurability: get('ALLOW_UNSAFE_DURABILITY') != null ? parseBool('ALLOW_UNSAFE_DURABILITY', get('ALLOW_UNSAFE_DURABILITY')!) : false
  }
}

/** Metrics, log format and tracing: what operators observe the service with. */
function operationsConfig (get: (k: string) => string | undefined, nodeEnv: AppConfig['env']): Pick<AppConfig, 'metrics' | 'logPretty' | 'otel'> {
  const token = get('METRICS_TOKEN')
  if (token != null && token.length < 16) throw new ConfigError('METRICS_TOKEN', 'must be at least 16 characters')
  const format = get('LOG_FORMAT') ?? (nodeEnv === 'development' && process.stdout.isTTY === true ? 'pretty' : 'json')
  if (format !== 'pretty' && format !== 'json') throw new ConfigError('LOG_FORMAT', `must be pretty or json, got "${format}"`)
  const endpoint = get('OTEL_EXPORTER_OTLP_ENDPOINT')
  if (endpoint != null && !/^https?:\/\/[^\s]+$/.test(endpoint)) {
    throw new ConfigError('OTEL_EXPORTER_OTLP_ENDPOINT', `must be an http(s) URL like http://127.0.0.1:4318, got "${endpoint}"`)
  }
  return {
    metrics: { enabled: get('METRICS') != null ? parseBool('METRICS', get('METRICS')!) : true, token },
    logPretty: format === 'pretty',
    otel: endpoint != null ? { endpoint: endpoint.replace(/\/$/, ''), serviceName: get('OTEL_SERVICE_NAME') ?? 'peiyu' } : undefined
  }
}
