/**
 * Replies already serialized, kept until the rows they were rendered from
 * change. Each entry carries the stamp of those rows (for an application,
 * PostgreSQL's xmin of its row and its call's row); a reader checks the
 * current stamp in the database — with the caller's visibility, one small
 * prepared query — and sends the kept bytes only when it is unchanged. So a
 * change made anywhere (this process, another instance, psql) is seen by the
 * very next read: the cache saves the rendering, never the check.
 */
export interface Rendered {
  stamp: string
  body: string
  etag: string
}

export class RenderedCache {
  readonly #entries = new Map<string, Rendered>()

  constructor (readonly maxEntries: number) {}

  get (key: string): Rendered | undefined {
    return this.#entries.get(key)
  }

  set (key: string, value: Rendered): void {
    if (this.maxEntries <= 0) return
    // Oldest first out (a Map iterates in insertion order); a rewrite moves the key to the end.
    this.#entries.delete(key)
    if (this.#entries.size >= this.maxEntries) {
      const oldest = this.#entries.keys().next().value
      if (oldest != null) this.#entries.delete(oldest)
    }
    this.#entries.set(key, value)
  }

  get size (): number { return this.#entries.size }
}
