// Revocation for the cookie store through `validate`: a copied cookie is a bearer token until it
// expires (CVE-2024-31999 of @fastify/secure-session), unless the app checks something on the server.
import type { FastifyInstance, FastifyRequest } from 'fastify'
import t from 'tap'
import { requireLogin, type FastifySessionOptions } from '../../lib/index.js'
import type { Session } from '../../lib/session.js'
import { build, captureLogs, cookiePair, sessionSetCookie } from '../helpers/index.js'

type Untyped = { set (k: string, v: unknown): void, get (k: string): unknown }
const untyped = (s: Session): Untyped => s as unknown as Untyped

/** Login, logout and a guarded route; `onLogout` lets a pattern record what logout revokes. */
function routes (onLogout: (session: Session) => void = () => {}, versions?: Map<string, number>) {
  return (app: FastifyInstance): void => {
    app.post('/login', async (request) => {
      const user = (request.body as { user: string }).user
      await request.session.regenerate()
      untyped(request.session).set('userId', user)
      if (versions !== undefined) untyped(request.session).set('sv', versions.get(user) ?? 0)
      return { ok: true }
    })
    app.post('/logout', async (request) => {
      onLogout(request.session)
      await request.session.destroy()
      return { ok: true }
    })
    app.get('/me', { preHandler: requireLogin() }, async (request) => ({ user: untyped(request.session).get('userId') }))
  }
}

async function login (app: FastifyInstance, user: string): Promise<string> {
  return cookiePair(await app.inject({ method: 'POST', url: '/login', payload: { user } })) as string
}

t.test('the limitation: without validate, a copied cookie still works after logout', async (t) => {
  const app = await build(t, {}, routes())
  const cookie = await login(app, 'alice')
  const stolen = cookie
  const logout = await app.inject({ method: 'POST', url: '/logout', headers: { cookie } })
  t.match(sessionSetCookie(logout), /^sid=; Max-Age=0;/, 'the browser drops its copy')
  const replay = await app.inject({ url: '/me', headers: { cookie: stolen } })
  t.equal(replay.statusCode, 200, 'a copy made before logout is still a valid bearer token')
  t.same(replay.json(), { user: 'alice' })
})

t.test('deny-list pattern: session ids recorded at logout are refused, so a copied cookie dies with the logout', async (t) => {
  // Stands for a shared store (a database table or Redis set) with entries kept for absoluteTtl.
  const denied = new Set<string>()
  const logs = captureLogs()
  const options: Partial<FastifySessionOptions> = { validate: (session) => !denied.has(session.id) }
  const app = await build(t, options, routes((session) => denied.add(session.id)), logs.options)
  const cookie = await login(app, 'alice')
  const other = await login(app, 'bob')
  t.equal((await app.inject({ url: '/me', headers: { cookie } })).statusCode, 200, 'works before logout')

  await app.inject({ method: 'POST', url: '/logout', headers: { cookie } })
  t.equal(denied.size, 1)
  const replay = await app.inject({ url: '/me', headers: { cookie } })
  t.equal(replay.statusCode, 401, 'the copied cookie no longer authenticates')
  t.match(sessionSetCookie(replay), /^sid=; Max-Age=0;/, 'and is cleared')
  t.ok(logs.lines.some((l) => (l.session as { reason?: string } | undefined)?.reason === 'revoked'), 'logged as revoked')
  t.equal((await app.inject({ url: '/me', headers: { cookie: other } })).statusCode, 200, 'other sessions are untouched')
})

t.test('sessionVersion pattern: bumping a user\'s version ends that user\'s sessions on every device', async (t) => {
  // Stands for a users table with a sessionVersion column.
  const versions = new Map<string, number>([['alice', 0], ['bob', 0]])
  const validate = async (session: Session, _request: FastifyRequest): Promise<boolean> => {
    const user = untyped(session).get('userId') as string | undefined
    // Anonymous sessions (a cart before login, say) have nothing to revoke.
    if (user === undefined) return true
    return untyped(session).get('sv') === versions.get(user)
  }
  const app = await build(t, { validate }, routes(undefined, versions))
  const laptop = await login(app, 'alice')
  const phone = await login(app, 'alice')
  const bob = await login(app, 'bob')
  for (const c of [laptop, phone, bob]) t.equal((await app.inject({ url: '/me', headers: { cookie: c } })).statusCode, 200)

  // "Log out everywhere" / password change: one write on the server.
  versions.set('alice', 1)
  t.equal((await app.inject({ url: '/me', headers: { cookie: laptop } })).statusCode, 401, 'laptop logged out')
  t.equal((await app.inject({ url: '/me', headers: { cookie: phone } })).statusCode, 401, 'phone logged out')
  t.equal((await app.inject({ url: '/me', headers: { cookie: bob } })).statusCode, 200, 'bob unaffected')
  const again = await login(app, 'alice')
  t.equal((await app.inject({ url: '/me', headers: { cookie: again } })).statusCode, 200, 'a new login carries the new version')
})

t.test('a validate that throws fails the request instead of letting the session through', async (t) => {
  const app = await build(t, { validate: () => { throw new Error('db down') } }, routes())
  const cookie = await login(app, 'alice')
  const res = await app.inject({ url: '/me', headers: { cookie } })
  t.equal(res.statusCode, 500)
  t.not(res.json().user, 'alice')
})

t.test('validate must say true: a truthy non-boolean does not count', async (t) => {
  const app = await build(t, { validate: (() => 1) as unknown as () => boolean }, routes())
  const cookie = await login(app, 'alice')
  t.equal((await app.inject({ url: '/me', headers: { cookie } })).statusCode, 401)
})
