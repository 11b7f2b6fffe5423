import { errors } from '../domain/errors.ts'

/** Opaque keyset cursors: base64url of a small JSON object. */
export function encodeCursor (value: Record<string, string | number>): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url')
}

export function decodeCursor<T extends Record<string, string | number>> (cursor: string | undefined, keys: Array<keyof T>): T | undefined {
  if (cursor == null || cursor === '') return undefined
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
    if (v == null || typeof v !== 'object') throw new Error('not an object')
    for (const k of keys) if (!(typeof v[k] === 'string' || typeof v[k] === 'number')) throw new Error('missing key')
    return v as T
  } catch {
    throw errors.validation([{ field: 'cursor', message: 'is not a cursor this endpoint returned' }])
  }
}

/** Takes limit+1 rows and splits off the page and the next cursor. */
export function page<R, C extends Record<string, string | number>> (rows: R[], limit: number, cursorOf: (r: R) => C): {
  items: R[],
  nextCursor: string | null
} {
  if (rows.length <= limit) return { items: rows, nextCursor: null }
  const items = rows.slice(0, limit)
  return { items, nextCursor: encodeCursor(cursorOf(items[items.length - 1])) }
}
