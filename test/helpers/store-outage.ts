// A real store backend stopped in the middle of a test: every path that touches the store fails
// closed with 503 FST_SESSION_STORE_UNAVAILABLE (or degrades to anonymous when asked), promptly,
// and the app recovers when the backend is back. The conformance suite covers the load and save basics.
import type { FastifyInstance } from 'fastify'
import type { Test } from 'tap'
import { requireLogin, type SessionStore } from '../../lib/index.js'
import { build, cookiePair, loginRoutes, loose } from './index.js'

/** Runs the outage scenario on `store`, stopping and restarting its backend. */
export async function outageScenario (t: Test, store: SessionStore, backend: { stop (): Promise<void>, start (): Promise<void> }): Promise<void> {
  const routes = (app: FastifyInstance): void => {
    loginRoutes(app)
    app.get('/write', async (request) => {
      loose(request).set('x', 1)
      return { ok: true }
    })
    app.get('/private', { preHandler: requireLogin() }, async () => ({ secret: true }))
  }
  const app = await build(t, { store }, routes)
  const lenient = await build(t, { store, onStoreError: 'anonymous' }, routes)
  const cookie = cookiePair(await app.inject('/login')) as string
  t.equal((await app.inject({ url: '/private', headers: { cookie } })).statusCode, 200)

  await backend.stop()
  const started = performance.now()
  const cases: Array<[string, string]> = [['a guarded route', '/private'], ['a logout (destroy)', '/logout'], ['a login (regenerate)', '/login']]
  for (const [name, url] of cases) {
    const res = await app.inject({ url, headers: { cookie } })
    t.equal(res.statusCode, 503, name)
    t.equal(res.json().code, 'FST_SESSION_STORE_UNAVAILABLE', name)
  }
  const anonymous = await lenient.inject({ url: '/private', headers: { cookie } })
  t.equal(anonymous.statusCode, 401, 'anonymous mode: the guard sees no login')
  const unsaved = await lenient.inject('/write')
  t.equal(unsaved.statusCode, 200, 'anonymous mode: a failed save does not fail the response')
  t.equal(unsaved.headers['set-cookie'], undefined, 'and sets no cookie for a session that was not saved')
  t.ok(performance.now() - started < 5000, 'every failure came promptly, none hung')

  await backend.start()
  let res = await app.inject('/login')
  for (let i = 0; i < 50 && res.statusCode !== 200; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100))
    res = await app.inject('/login')
  }
  t.equal(res.statusCode, 200, 'logins work again without restarting the app')
  t.equal((await app.inject({ url: '/private', headers: { cookie: cookiePair(res) as string } })).statusCode, 200)
}
