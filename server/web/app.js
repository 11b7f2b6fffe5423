/* global location, history */
// The single-page shell: header, language switch, client-side routes, and
// the sign-in state. Each screen is a module under screens/.
import { h, mount } from './dom.js'
import { t, getLang, setLang } from './i18n.js'
import { api, session, setUnauthorizedHandler, ApiError } from './api.js'
import { store, reference, flash } from './context.js'
import { loading, notice } from './ui.js'
import { loginView, registerView } from './screens/auth.js'
import { portalView, declarationView, applicationView } from './screens/portal.js'
import { reviewsView, reviewView } from './screens/reviewer.js'
import { officerView, callView, officerApplicationView } from './screens/officer.js'
import { dashboardView } from './screens/dashboard.js'
import { auditView, staffView } from './screens/admin.js'
import { simulationsView } from './screens/simulations.js'
import { inboxView, unreadCount } from './screens/inbox.js'
import { accountView, confirmView, forgotView, resetView } from './screens/account.js'
import { policyView } from './screens/policy.js'
import { fundsView, fundView } from './screens/funds.js'
import { districtView } from './screens/district.js'

const HOME = { enterprise: '/portal', reviewer: '/reviews', officer: '/officer', analyst: '/dashboard', admin: '/dashboard', district_officer: '/district' }
const NAV = {
  enterprise: [['/portal', 'nav.portal']],
  reviewer: [['/reviews', 'nav.reviews']],
  district_officer: [['/district', 'nav.district']],
  officer: [['/officer', 'nav.officer'], ['/officer/funds', 'nav.funds'], ['/dashboard', 'nav.dashboard'], ['/simulations', 'nav.simulations']],
  analyst: [['/dashboard', 'nav.dashboard'], ['/simulations', 'nav.simulations']],
  admin: [['/dashboard', 'nav.dashboard'], ['/officer/funds', 'nav.funds'], ['/simulations', 'nav.simulations'], ['/policy', 'nav.policy'], ['/audit', 'nav.audit'], ['/staff', 'nav.staff']]
}

const ROUTES = [
  { path: /^\/$/, view: async () => { store.navigate(store.me != null ? HOME[store.me.role] : '/login', { replace: true }) } },
  { path: /^\/login$/, view: loginView, public: true },
  { path: /^\/register$/, view: registerView, public: true },
  { path: /^\/portal$/, view: portalView, roles: ['enterprise'] },
  { path: /^\/portal\/declarations\/(\d{4})$/, view: declarationView, roles: ['enterprise'] },
  { path: /^\/portal\/applications\/([0-9a-f-]{36})$/, view: applicationView, roles: ['enterprise'] },
  { path: /^\/reviews$/, view: reviewsView, roles: ['reviewer'] },
  { path: /^\/reviews\/([0-9a-f-]{36})$/, view: reviewView, roles: ['reviewer'] },
  { path: /^\/officer$/, view: officerView, roles: ['officer'] },
  { path: /^\/officer\/calls\/([0-9a-f-]{36})$/, view: callView, roles: ['officer'] },
  { path: /^\/officer\/funds$/, view: fundsView, roles: ['officer', 'admin'] },
  { path: /^\/officer\/funds\/([0-9a-f-]{36})$/, view: fundView, roles: ['officer', 'admin'] },
  { path: /^\/officer\/applications\/([0-9a-f-]{36})$/, view: officerApplicationView, roles: ['officer', 'admin'] },
  { path: /^\/district$/, view: districtView, roles: ['district_officer'] },
  { path: /^\/dashboard$/, view: dashboardView, roles: ['analyst', 'officer', 'admin'] },
  { path: /^\/audit$/, view: auditView, roles: ['admin'] },
  { path: /^\/staff$/, view: staffView, roles: ['admin'] },
  { path: /^\/simulations$/, view: simulationsView, roles: ['admin', 'officer', 'analyst'] },
  { path: /^\/policy$/, view: policyView, roles: ['admin'] },
  { path: /^\/inbox$/, view: inboxView },
  { path: /^\/account$/, view: accountView },
  { path: /^\/forgot$/, view: forgotView, public: true },
  { path: /^\/reset$/, view: resetView, public: true },
  { path: /^\/confirm$/, view: confirmView, public: true }
]

/**
 * Links in emails carry their query after a hash (…/#/reset?token=…), so a
 * one-time token never reaches a server log nor the browser history as a URL.
 * On load the shell moves such a link to its path and keeps the query in
 * memory for the one render that needs it.
 */
let hashQuery = null
if (location.hash.startsWith('#/')) {
  const [path, search = ''] = location.hash.slice(1).split('?')
  hashQuery = Object.fromEntries(new URLSearchParams(search))
  history.replaceState(null, '', path)
}

const main = document.getElementById('main')
let renderSeq = 0

/** The link for `here`: the longest nav path that is it or a parent of it (/officer/funds is not also /officer). */
function current (nav, path, here) {
  const best = nav.map(([p]) => p).filter(p => here === p || here.startsWith(p + '/')).sort((a, b) => b.length - a.length)[0]
  return best === path
}

function header () {
  const me = store.me
  const here = location.pathname
  const nav = me == null
    ? [['/login', 'nav.login'], ['/register', 'nav.register']]
    : NAV[me.role] ?? []
  mount(document.getElementById('nav'),
    h('ul', null, nav.map(([path, key]) => h('li', null,
      h('a', { href: path, 'aria-current': current(nav, path, here) ? 'page' : null }, t(key))))))
  const inbox = h('a', { href: '/inbox', id: 'inbox-link', class: 'inbox-link', 'aria-current': here === '/inbox' ? 'page' : null }, t('nav.inbox'))
  mount(document.getElementById('account'),
    me != null
      ? [inbox,
          h('a', { href: '/account', class: 'who', id: 'account-link' }, h('span', { class: 'role' }, t('role.' + me.role)), ' ', me.name ?? me.email),
          h('button', { type: 'button', class: 'link', id: 'logout', onClick: logout }, t('nav.logout'))]
      : null,
    h('button', { type: 'button', class: 'lang', id: 'lang-toggle', title: t('lang.switch.title'), lang: getLang() === 'zh' ? 'en' : 'zh', onClick: toggleLanguage }, t('lang.switch')))
  document.getElementById('app-title').textContent = t('app.title')
  document.getElementById('app-subtitle').textContent = t('app.subtitle')
  document.getElementById('skip').textContent = t('nav.skip')
  document.getElementById('footer-text').textContent = t('app.footer')
  document.title = t('app.title')
  if (me != null) showUnread(inbox)
}

/** The unread count beside the inbox link, refreshed on every page and when the inbox changes. */
async function showUnread (link) {
  const n = await unreadCount()
  if (!link.isConnected) return
  // replaceChildren would print a null: the count goes in only when there is one.
  link.replaceChildren(t('nav.inbox'))
  if (n > 0) link.append(h('span', { class: 'count', id: 'unread-count', 'aria-label': t('nav.inbox.unread', { n }) }, n > 99 ? '99+' : String(n)))
}
document.addEventListener('inbox-changed', () => {
  const link = document.getElementById('inbox-link')
  if (link != null) showUnread(link)
})

async function logout () {
  try { await api.post('/v1/auth/logout') } catch {}
  session.token = null
  store.me = null
  navigate('/login')
}

function toggleLanguage () {
  setLang(getLang() === 'zh' ? 'en' : 'zh')
  render()
}

export function navigate (path, { replace = false } = {}) {
  if (replace) history.replaceState(null, '', path)
  else history.pushState(null, '', path)
  render()
}
store.navigate = navigate

async function render () {
  const seq = ++renderSeq
  const path = location.pathname
  const query = { ...Object.fromEntries(new URLSearchParams(location.search)), ...(hashQuery ?? {}) }
  hashQuery = null
  if (session.token != null && store.me == null) {
    try { store.me = await api.get('/v1/me') } catch { session.token = null }
  }
  if (seq !== renderSeq) return
  header()
  const route = ROUTES.find(r => r.path.test(path))
  if (route == null) return show(notice('info', t('common.notFound')))
  if (!route.public && store.me == null) {
    return navigate('/login?next=' + encodeURIComponent(path + location.search), { replace: true })
  }
  if (route.roles != null && !route.roles.includes(store.me.role)) return show(notice('error', t('common.forbidden')))
  const params = route.path.exec(path).slice(1)
  const shown = store.flash
  store.flash = null
  mount(main, loading())
  try {
    await reference()
    const node = await route.view({ params, query, me: store.me, rerender: render })
    if (seq !== renderSeq || node == null) return
    show(shown != null ? notice(shown.kind, shown.message) : null, node)
  } catch (err) {
    if (seq !== renderSeq) return
    show(errorView(err))
  }
}

function show (...nodes) {
  mount(main, ...nodes)
  main.focus({ preventScroll: true })
}

function errorView (err) {
  if (!(err instanceof ApiError)) {
    console.error(err)
    return notice('error', t('common.error'), ': ', String(err?.message ?? err))
  }
  if (err.code === 'ROUTE_NOT_FOUND') return notice('info', t('common.unavailable'))
  if (err.status === 404) return notice('info', err.message)
  // The stable code stays out of the text (people read the message); it is on the element for support.
  return notice('error', h('strong', { dataset: { code: err.code } }, err.message), ' ',
    h('button', { type: 'button', class: 'link', onClick: () => render() }, t('common.retry')))
}

setUnauthorizedHandler(() => {
  if (store.me == null && session.token == null) return
  session.token = null
  store.me = null
  flash('info', t('login.expired'))
  navigate('/login?next=' + encodeURIComponent(location.pathname), { replace: true })
})

// Client-side links: same-origin <a href="/..."> without a target or download.
document.addEventListener('click', (event) => {
  const a = event.target.closest?.('a[href]')
  if (a == null || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return
  if (a.target !== '' || a.hasAttribute('download') || a.origin !== location.origin) return
  if (/^\/(v1|docs|health|ready)(\/|$)/.test(a.pathname)) return
  event.preventDefault()
  navigate(a.pathname + a.search)
})
window.addEventListener('popstate', () => render())

setLang(getLang())
render()
