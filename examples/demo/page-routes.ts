import type { FastifyInstance } from 'fastify'
import { isDeviceBound, requireAdmin, requireLogin, requireRecentAuth } from 'fastify-session-kit'
import { csrfField } from './csrf.js'
import { html } from './html.js'
import { sendPage, wantsJson } from './page.js'
import type { UserDirectory } from './users.js'

/** The dashboard (logged in), the admin panel (admin role) and the preferences page (anyone). */
export async function pageRoutes (app: FastifyInstance, opts: { users: UserDirectory, storeName: string, dbsc?: boolean }): Promise<void> {
  const { users, storeName } = opts

  app.get('/dashboard', { preHandler: requireLogin({ redirectTo: '/login' }) }, async function dashboard (request, reply) {
    const name = request.session.get('userId')
    const role = request.session.get('role')
    const items = (request.session.get('cart') ?? []).reduce((n, line) => n + line.qty, 0)
    const bound = opts.dbsc === true && await isDeviceBound(request.session)
    if (wantsJson(request.headers.accept)) return { user: name, role, cartItems: items, ...(opts.dbsc === true ? { bound } : {}) }
    return sendPage(request, reply, 'Dashboard', html`
<div class="card">
  <p id="dashboard-user">Signed in as <strong>${name}</strong> with the role <strong id="dashboard-role">${role}</strong>.</p>
  <table>
    <tr><th>Session store</th><td id="store-name">${storeName}</td></tr>
    <tr><th>Items in your cart</th><td><a href="/cart">${items}</a></td></tr>
    ${opts.dbsc === true ? html`<tr><th>Device</th><td id="device-bound">${bound ? 'this session is bound to this device' : 'not bound to a device (this browser has no DBSC)'}</td></tr>` : ''}
  </table>
</div>
<p class="muted">This page is guarded by <code>requireLogin({ redirectTo: '/login' })</code>: a browser without a
login is sent to the login form and comes back here afterwards; an API client gets a 401 JSON error,
and, logged in, this page as JSON.</p>`)
  })

  // Server stores index sessions by user, so the admin can see and end a user's sessions on every
  // device; the cookie store keeps nothing on the server (it answers FST_SESSION_NOT_SUPPORTED).
  const serverStore = storeName !== 'cookie'
  async function sessionsOf (name: string): Promise<number | undefined> {
    return serverStore ? (await app.session.listUserSessions(name)).length : undefined
  }

  app.get('/admin', { preHandler: requireAdmin() }, async function admin (request, reply) {
    const rows = await Promise.all(users.list().map(async (u) => ({ ...u, sessions: await sessionsOf(u.name) })))
    return sendPage(request, reply, 'Admin panel', html`
<div class="card" id="admin-panel">
  <h2>Users</h2>
  <table>
    <thead><tr><th>Username</th><th>Role</th>${serverStore ? html`<th class="num">Sessions</th><th></th>` : ''}</tr></thead>
    <tbody>${rows.map((u) => html`<tr><td>${u.name}</td><td>${u.role}</td>${u.sessions === undefined
      ? ''
      : html`<td class="num" id="sessions-${u.name}">${u.sessions}</td>
        <td class="num"><form method="post" action="/admin/revoke">${csrfField(reply)}<input type="hidden" name="user" value="${u.name}">
        <button class="link" type="submit" id="revoke-${u.name}">Log out everywhere</button></form></td>`}</tr>`)}</tbody>
  </table>
  ${serverStore
    ? ''
    : html`<p class="muted" id="no-revocation">The ${storeName} store keeps sessions in the browser, so there is no list of a
      user's sessions to show or end here: run the demo with <code>SESSION_STORE=memory</code>, <code>redis</code> or <code>postgres</code> to see it.</p>`}
</div>
<p class="muted">Guarded by <code>requireAdmin()</code>: without a login a browser gets the 401 page, a user
without the admin role the 403 page, and API clients the same codes as JSON.${serverStore
  ? html` Ending sessions also needs a login in the last 10 minutes (<code>requireRecentAuth({ maxAge: 600 })</code>).`
  : ''}</p>`)
  })

  if (serverStore) {
    // Ending sessions is sensitive: an admin session left open on a shared computer must not be enough,
    // so it also needs a password login in the last 10 minutes (step-up, docs/session-api.md).
    const revokeGuards = [requireAdmin(), requireRecentAuth({ maxAge: 600 })]
    app.post<{ Body: { user?: string } | undefined }>('/admin/revoke', { preHandler: revokeGuards }, async function revoke (request, reply) {
      const name = String(request.body?.user ?? '')
      const ended = await app.session.revokeUser(name)
      const self = name === request.session.get('userId')
      // Ending your own sessions includes this one: its record is gone, the cookie goes too.
      if (self) await request.session.destroy()
      request.flash('info', `Ended ${ended} ${ended === 1 ? 'session' : 'sessions'} of ${name}.`)
      return reply.redirect(self ? '/' : '/admin', 303)
    })
  }

  app.get('/preferences', async function preferences (request, reply) {
    const visits = (request.session.get('visits') ?? 0) + 1
    request.session.set('visits', visits)
    const theme = request.session.get('theme') ?? 'light'
    const option = (value: 'light' | 'dark', label: string) => html`
      <label><input type="radio" name="theme" value="${value}" id="theme-${value}"${theme === value ? html` checked` : ''}> ${label}</label>`
    return sendPage(request, reply, 'Preferences', html`
<div class="card">
  <p>You have seen this page <strong id="visits" data-testid="visits">${visits}</strong> ${visits === 1 ? 'time' : 'times'} in this session.</p>
</div>
<div class="card">
  <h2>Theme</h2>
  <form method="post" action="/preferences" id="theme-form">
    ${csrfField(reply)}
    ${option('light', 'Light')}
    ${option('dark', 'Dark')}
    <p><button type="submit" id="theme-save">Save</button></p>
  </form>
</div>`)
  })

  app.post<{ Body: { theme?: string } | undefined }>('/preferences', async function savePreferences (request, reply) {
    const theme = request.body?.theme
    if (theme === 'light' || theme === 'dark') request.session.set('theme', theme)
    return reply.redirect('/preferences', 303)
  })
}
