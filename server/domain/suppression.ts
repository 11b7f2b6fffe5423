/**
 * Statistical disclosure control for published aggregates (analytics).
 *
 * Primary suppression: a cell that covers fewer than `k` firms (policy
 * `suppression_min_firms`) does not show its money and employee figures — with
 * one or two firms in a cell, the "aggregate" is a firm's own confidential
 * declaration.
 *
 * Complementary suppression: a suppressed figure must not be recoverable by
 * subtraction. Every group of cells whose sum is known to the reader is a
 * linear equation; a group with exactly one suppressed cell gives that cell
 * away. So, until nothing changes, each such group gets its next-smallest
 * visible cell suppressed too. The groups are
 *  - the whole table, whose sum is the response's `totals`;
 *  - every line of a multi-dimensional table (cells equal in all dimensions
 *    but one): its sum is a cell of a coarser request (by=tier gives the row
 *    sums of by=tier,district), so a reader can get it with one more call.
 * When the whole table has one suppressed cell and no other cell to hide,
 * the totals are hidden instead. Firm counts stay visible: they are not
 * confidential, and readers need them to judge the figures.
 *
 * Limits (documented in the README): the rule removes every one-equation
 * subtraction, which is what the standard "at least two suppressed cells per
 * published line" practice guarantees; it does not solve the full linear
 * system across many lines, nor differences between requests with other
 * filters. Pure: no database, no Fastify.
 */

export interface SuppressionInput {
  /** One value per dimension of the breakdown (null = "none", e.g. no program). */
  key: ReadonlyArray<string | null>
  /** Firms the cell covers. */
  firms: number
  /** Tie-breaker when choosing complementary cells: hide the smallest figure first (e.g. revenue in fen). */
  size?: bigint
}

export interface SuppressionResult {
  /** Per input cell, in input order. */
  suppressed: boolean[]
  /** Whether the table's totals must be hidden. */
  totalsSuppressed: boolean
  /** How many cells were hidden for having too few firms, and how many to protect them. */
  primary: number
  complementary: number
}

/** The groups whose sums a reader knows: the whole table, and each line along each dimension. */
export function publishedGroups (keys: ReadonlyArray<ReadonlyArray<string | null>>): Array<{ cells: number[], isTable: boolean }> {
  const groups: Array<{ cells: number[], isTable: boolean }> = [{ cells: keys.map((_, i) => i), isTable: true }]
  const dims = keys[0]?.length ?? 0
  if (dims < 2) return groups // a one-dimensional table's only line is the table itself
  for (let d = 0; d < dims; d++) {
    const lines = new Map<string, number[]>()
    keys.forEach((key, i) => {
      const id = JSON.stringify(key.map((v, j) => (j === d ? '*' : v)))
      const line = lines.get(id)
      if (line == null) lines.set(id, [i])
      else line.push(i)
    })
    for (const cells of lines.values()) groups.push({ cells, isTable: false })
  }
  return groups
}

/**
 * Decides which cells (and whether the totals) to hide. `totalFirms` is the
 * number of distinct firms behind the totals (with a domain breakdown a firm
 * can sit in several cells, so it is not the sum of the cells' firms).
 */
export function suppressCells (cells: readonly SuppressionInput[], totalFirms: number, k: number): SuppressionResult {
  const suppressed = cells.map(c => c.firms < k)
  const primary = suppressed.filter(Boolean).length
  let totalsSuppressed = totalFirms < k
  const groups = publishedGroups(cells.map(c => c.key))

  // Smallest first: fewest firms, then smallest figure, then input order (deterministic).
  const smaller = (a: number, b: number): boolean => {
    const ca = cells[a]
    const cb = cells[b]
    if (ca.firms !== cb.firms) return ca.firms < cb.firms
    const sa = ca.size ?? 0n
    const sb = cb.size ?? 0n
    if (sa !== sb) return sa < sb
    return a < b
  }

  let changed = true
  while (changed) {
    changed = false
    for (const group of groups) {
      if (group.isTable && totalsSuppressed) continue // the sum is not published: nothing to subtract from
      let hidden = 0
      let candidate = -1
      for (const i of group.cells) {
        if (suppressed[i]) hidden++
        else if (candidate === -1 || smaller(i, candidate)) candidate = i
      }
      if (hidden !== 1) continue
      if (candidate !== -1) {
        suppressed[candidate] = true
        changed = true
      } else if (group.isTable) {
        // One cell is the whole table: its figures are the totals.
        totalsSuppressed = true
        changed = true
      }
    }
  }
  const all = suppressed.filter(Boolean).length
  return { suppressed, totalsSuppressed, primary, complementary: all - primary }
}
