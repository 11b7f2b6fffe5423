/**
 * Optimistic concurrency: objects carry a `version`, single reads send it as
 * `ETag: "3"`, updates take it back in `If-Match` (`3` or `"3"`; a weak `W/"3"` is refused).
 */
export const versionEtag = (version: number): string => `"${version}"`

/** The version an If-Match header names; undefined when absent, null when it is not a version tag. */
export function ifMatchTag (header: string | undefined): number | undefined | null {
  if (header == null || header.trim() === '') return undefined
  // Strong comparison only (RFC 9110 13.1.1): a weak tag W/"n" never matches, so it is refused like a malformed one.
  const m = /^"?(\d{1,9})"?$/.exec(header.trim())
  return m == null ? null : Number(m[1])
}
