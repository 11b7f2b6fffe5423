import { errors } from '../domain/errors.ts'

/**
 * Optimistic concurrency: objects carry a `version`, single reads send it as
 * a strong `ETag: "3"`, updates take it back in `If-Match` (`"3"`, or the bare
 * `3`). A weak tag (`W/"3"`) never matches for If-Match (RFC 9110 §13.1.1:
 * If-Match uses the strong comparison), so it is 412 like a stale one.
 */
export const versionEtag = (version: number): string => `"${version}"`

/** The version an If-Match header names; undefined when absent or `*`, null when it is not a strong version tag. */
function ifMatchTag (header: string | undefined): number | undefined | null {
  if (header == null || header.trim() === '' || header.trim() === '*') return undefined
  const m = /^"?(\d{1,9})"?$/.exec(header.trim())
  return m == null ? null : Number(m[1])
}

/**
 * The one If-Match rule (RFC 9110 §13.1.1), for every route that takes a
 * version: absent is fine, unless the route `requires` it (428
 * PRECONDITION_REQUIRED); `*` matches any current version (undefined: no
 * check); a tag that is not a version can match none, so it is 412
 * VERSION_MISMATCH, exactly like a stale one.
 */
export function expectedVersion (header: string | undefined, opts: { required?: boolean } = {}): number | undefined {
  if (opts.required === true && (header == null || header.trim() === '')) throw errors.preconditionRequired()
  const version = ifMatchTag(header)
  if (version === null) throw errors.versionMismatch(header ?? '')
  return version
}

/** 412 unless the stored version is the expected one (undefined: the client did not ask). */
export function checkVersion (stored: number, expected: number | undefined): void {
  if (expected != null && expected !== stored) throw errors.versionMismatch(expected)
}
