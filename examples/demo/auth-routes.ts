import type { FastifyInstance, FastifyReply } from 'fastify'
import { csrfField } from './csrf.js'
import { html } from './html.js'
import { sendPage } from './page.js'
import type { UserDirectory } from './users.js'

interface LoginBody {
  username?: string
  password?: string
  next?: string
}

/**
 * Where to go after login: only a path on this site (`/dashboard`), never `//evil.example` or a URL
 * with a scheme, so the login form cannot be used to send someone elsewhere.
 */
export function safeNext (next: unknown): string {
  if (typeof next !== 'string' || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/dashboard'
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\\]/.test(next)) return '/dashboard'
  return next
}

function loginForm (reply: FastifyReply, next: string, username: string, error: string | undefined, askedFor: boolean) {
  return html`
<div class="card">
  ${askedFor ? html`<p class="muted" id="login-required">Please log in to see that page.</p>` : ''}
  ${error === undefined ? '' : html`<p class="error" id="login-error" role="alert">${error}</p>`}
  <form method="post" action="/login" id="login-form">
    <input type="hidden" name="next" value="${next}">
    ${csrfField(reply)}
    <label for="username">Username</label>
    <input type="text" id="username" name="username" value="${username}" autocomplete="username" required autofocus>
    <label for="password">Password</label>
    <input type="password" id="password" name="password" autocomplete="current-password" required>
    <p><button type="submit" id="login-submit">Log in</button></p>
  </form>
  <p class="muted">Demo accounts: <code>alice</code> / <code>password</code> (user) and <code>admin</code> / <code>password</code> (admin).</p>
</div>`
}

/** Home, the login form and logout. */
export async function authRoutes (app: FastifyInstance, opts: { users: UserDirectory }): Promise<void> {
  const users = opts.users

  app.get('/', async function home (request, reply) {
    const name = request.session.get('userId')
    const body = name === undefined
      ? html`<div class="card"><p id="greeting">Hello, guest. <a href="/login">Log in</a> to see your dashboard, or try the
        <a href="/preferences">preferences</a> and the <a href="/cart">cart</a>: they work without an account.</p></div>`
      : html`<div class="card"><p id="greeting">Welcome back, <strong>${name}</strong>.</p>
        <p><a href="/dashboard">Go to your dashboard</a></p></div>`
    return sendPage(request, reply, 'Home', body)
  })

  app.get<{ Querystring: { next?: string } }>('/login', async function loginPage (request, reply) {
    const next = request.query.next
    return sendPage(request, reply, 'Log in', loginForm(reply, safeNext(next), '', undefined, next !== undefined))
  })

  app.post<{ Body: LoginBody | undefined }>('/login', async function login (request, reply) {
    const { username = '', password = '', next } = request.body ?? {}
    const user = await users.verify(String(username), String(password))
    if (user === undefined) {
      return sendPage(request, reply, 'Log in', loginForm(reply, safeNext(next), String(username), 'Wrong username or password.', false), 401)
    }
    // A new id on login: an id planted in the browser before login is worthless after it. The
    // guest's theme and cart come along; everything else starts fresh, the CSRF secret included, so
    // a token seen before login is worthless after it too.
    await request.session.regenerate(['theme', 'cart'])
    request.session.set('userId', user.name)
    request.session.set('role', user.role)
    // When and how the user proved who they are: requireRecentAuth guards (ending sessions) read it.
    request.session.markAuthenticated({ method: 'password' })
    request.flash('success', `Logged in as ${user.name}.`)
    return reply.redirect(safeNext(next), 303)
  })

  app.post('/logout', async function logout (request, reply) {
    await request.session.destroy()
    // Written after destroy(), the message starts a new, anonymous session that the next page empties.
    request.flash('info', 'You have been logged out.')
    return reply.redirect('/', 303)
  })
}
