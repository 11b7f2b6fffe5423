/* global location */
// The API client: the public /v1 API only. The access token lives in
// sessionStorage (gone when the tab closes); Accept-Language follows the UI
// language so the API's error messages match the screen.
import { getLang } from './i18n.js'

const TOKEN_KEY = 'peiyu.token'

export class ApiError extends Error {
  constructor (status, body) {
    super(body?.message ?? `HTTP ${status}`)
    this.status = status
    this.code = body?.code ?? (status === 0 ? 'NETWORK' : 'HTTP_' + status)
    this.fields = Array.isArray(body?.fields) ? body.fields : []
    this.details = body?.details
  }
}

let onUnauthorized = () => {}
export function setUnauthorizedHandler (fn) { onUnauthorized = fn }

export const session = {
  get token () { return sessionStorage.getItem(TOKEN_KEY) },
  set token (value) {
    if (value == null) sessionStorage.removeItem(TOKEN_KEY)
    else sessionStorage.setItem(TOKEN_KEY, value)
  }
}

function acceptLanguage () {
  return getLang() === 'zh' ? 'zh-CN,zh;q=0.9,en;q=0.5' : 'en,zh-CN;q=0.5'
}

function url (path, query) {
  const u = new URL(path, location.origin)
  for (const [k, v] of Object.entries(query ?? {})) {
    if (v != null && v !== '') u.searchParams.set(k, String(v))
  }
  return u.pathname + u.search
}

/**
 * One request. Returns the parsed body (or null for 204). Throws ApiError with
 * the API's code, message and field errors.
 */
export async function request (method, path, { body, query, headers = {}, ifMatch, idempotencyKey, accept } = {}) {
  const h = { 'accept-language': acceptLanguage(), accept: accept ?? 'application/json', ...headers }
  if (session.token != null) h.authorization = 'Bearer ' + session.token
  if (body !== undefined) h['content-type'] = 'application/json'
  if (ifMatch != null) h['if-match'] = String(ifMatch)
  if (idempotencyKey != null) h['idempotency-key'] = idempotencyKey
  let res
  for (let attempt = 1; ; attempt++) {
    try {
      res = await fetch(url(path, query), { method, headers: h, body: body !== undefined ? JSON.stringify(body) : undefined })
    } catch {
      throw new ApiError(0, { message: getLang() === 'zh' ? '无法连接服务器,请检查网络后重试。' : 'Cannot reach the server; check the connection and try again.' })
    }
    // A busy server sheds load with 503 and Retry-After: reads are safe to try again
    // a couple of times; writes are left to the user (the message says to retry).
    if (res.status !== 503 || method !== 'GET' || attempt >= 3) break
    const wait = Math.min(5, Number(res.headers.get('retry-after')) || 1)
    await new Promise(resolve => setTimeout(resolve, wait * 1000))
  }
  if (accept === 'text/csv' && res.ok) return await res.blob()
  const text = await res.text()
  let data = null
  if (text !== '') {
    try { data = JSON.parse(text) } catch { data = { message: text } }
  }
  if (!res.ok) {
    const err = new ApiError(res.status, data)
    if (res.status === 401 && path !== '/v1/auth/login') onUnauthorized(err)
    throw err
  }
  return data
}

export const api = {
  get: (path, opts) => request('GET', path, opts),
  post: (path, body, opts) => request('POST', path, { ...opts, body: body ?? {} }),
  put: (path, body, opts) => request('PUT', path, { ...opts, body }),
  patch: (path, body, opts) => request('PATCH', path, { ...opts, body })
}

/** Every page of a list endpoint ({ items, nextCursor }), up to a limit. */
export async function listAll (path, query = {}, max = 2000) {
  const items = []
  let cursor
  do {
    const page = await api.get(path, { query: { ...query, limit: 500, cursor } })
    if (Array.isArray(page)) return page
    items.push(...page.items)
    cursor = page.nextCursor
  } while (cursor != null && items.length < max)
  return items
}

/** Uploads one file as multipart/form-data (the browser sets the boundary). */
export async function upload (path, file, { idempotencyKey } = {}) {
  const form = new FormData()
  form.append('file', file, file.name)
  const h = { 'accept-language': acceptLanguage(), accept: 'application/json' }
  if (session.token != null) h.authorization = 'Bearer ' + session.token
  if (idempotencyKey != null) h['idempotency-key'] = idempotencyKey
  let res
  try {
    res = await fetch(path, { method: 'POST', headers: h, body: form })
  } catch {
    throw new ApiError(0, { message: getLang() === 'zh' ? '无法连接服务器,请检查网络后重试。' : 'Cannot reach the server; check the connection and try again.' })
  }
  const data = await res.json().catch(() => null)
  if (!res.ok) throw new ApiError(res.status, data)
  return data
}

/** Fetches a protected file with the token and hands it to the browser as a download. */
export async function downloadFile (path, filename) {
  const h = { 'accept-language': acceptLanguage() }
  if (session.token != null) h.authorization = 'Bearer ' + session.token
  const res = await fetch(path, { headers: h })
  if (!res.ok) throw new ApiError(res.status, await res.json().catch(() => null))
  saveBlob(await res.blob(), filename)
}

function saveBlob (blob, filename) {
  const href = URL.createObjectURL(blob)
  const a = document.createElement('a')
  a.href = href
  a.download = filename
  document.body.append(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(href), 10_000)
}

/** Downloads a CSV export (the API adds the UTF-8 BOM) as a file. */
export async function downloadCsv (path, query, filename) {
  saveBlob(await request('GET', path, { query: { ...query, format: 'csv' }, accept: 'text/csv' }), filename)
}

/** A fresh Idempotency-Key for one user action (kept while the action is retried). */
export function newIdempotencyKey () {
  return crypto.randomUUID()
}
