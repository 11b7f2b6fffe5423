/* global location */
// What every screen shares: the signed-in user, reference data, navigation.
import { api } from './api.js'

export const store = {
  me: null,
  ref: null,
  flash: null,
  navigate: (path) => { location.assign(path) }
}

/** Tiers, programs, domains and districts (public), loaded once. */
export async function reference () {
  if (store.ref != null) return store.ref
  const [tiers, programs, domains, districts] = await Promise.all([
    api.get('/v1/reference/tiers'), api.get('/v1/reference/programs'),
    api.get('/v1/reference/domains'), api.get('/v1/reference/districts')
  ])
  const byCode = (rows) => Object.fromEntries(rows.map(r => [r.code, r]))
  store.ref = { tiers, programs, domains, districts, tier: byCode(tiers), program: byCode(programs), domain: byCode(domains), district: byCode(districts) }
  return store.ref
}

/** Leaves a message for the next screen (shown once). */
export function flash (kind, message) {
  store.flash = { kind, message }
}
