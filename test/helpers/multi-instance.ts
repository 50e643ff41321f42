// Two separate app instances on two real ports sharing one store backend, as behind a load
// balancer: a session made on one is used on the other, a logout on one ends it on both, and so does
// revokeUser. Real HTTP with fetch, since the point is separate servers.
import Fastify, { type FastifyInstance } from 'fastify'
import type { Test } from 'tap'
import fastifySession, { type SessionStore } from '../../lib/index.js'
import { SECRET } from './index.js'

type Untyped = { get (k: string): unknown, set (k: string, v: unknown): void }

async function instance (t: Test, store: SessionStore, name: string): Promise<{ app: FastifyInstance, url: string }> {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(fastifySession, { secret: SECRET, store })
  app.post('/login', async (request) => {
    await request.session.regenerate()
    ;(request.session as unknown as Untyped).set('userId', 'alice')
    return { instance: name }
  })
  app.get('/me', async (request) => ({ instance: name, user: (request.session as unknown as Untyped).get('userId') ?? null }))
  app.post('/cart', async (request) => {
    const s = request.session as unknown as Untyped
    s.set('cart', [...((s.get('cart') as string[] | undefined) ?? []), name])
    return { cart: s.get('cart') }
  })
  app.post('/logout', async (request) => {
    await request.session.destroy()
    return { instance: name }
  })
  const url = await app.listen({ port: 0, host: '127.0.0.1' })
  return { app, url }
}

async function send (url: string, cookie?: string, method = 'GET'): Promise<{ body: Record<string, unknown>, cookie: string | undefined }> {
  const res = await fetch(url, { method, headers: cookie === undefined ? {} : { cookie } })
  const set = res.headers.getSetCookie().find((c) => c.startsWith('sid='))
  return { body: await res.json() as Record<string, unknown>, cookie: set?.split(';')[0] }
}

/**
 * Runs the two-instance scenario; `makeStore` makes each instance's own store (with its own client or
 * pool, as separate processes would have) on the one shared backend.
 */
export async function twoInstances (t: Test, makeStore: (t: Test) => SessionStore | Promise<SessionStore>): Promise<void> {
  const a = await instance(t, await makeStore(t), 'A')
  const b = await instance(t, await makeStore(t), 'B')
  t.not(a.url, b.url)

  const login = await send(`${a.url}/login`, undefined, 'POST')
  const cookie = login.cookie as string
  t.ok(cookie, 'A set the session cookie')
  t.same((await send(`${b.url}/me`, cookie)).body, { instance: 'B', user: 'alice' }, 'B knows the session A made')
  await send(`${a.url}/cart`, cookie, 'POST')
  t.same((await send(`${b.url}/cart`, cookie, 'POST')).body, { cart: ['A', 'B'] }, 'writes on either instance are one session')

  const logout = await send(`${b.url}/logout`, cookie, 'POST')
  t.match(logout.cookie, /^sid=$/, 'B cleared the cookie')
  t.same((await send(`${a.url}/me`, cookie)).body, { instance: 'A', user: null }, 'a logout on B ended it on A')

  const again = (await send(`${b.url}/login`, undefined, 'POST')).cookie as string
  const other = (await send(`${a.url}/login`, undefined, 'POST')).cookie as string
  t.equal((await b.app.session.listUserSessions('alice')).length, 2, 'B lists the sessions made on A and on B')
  t.equal(await a.app.session.revokeUser('alice'), 2)
  t.same((await send(`${b.url}/me`, again)).body, { instance: 'B', user: null }, 'revokeUser on A ended it on B')
  t.same((await send(`${b.url}/me`, other)).body, { instance: 'B', user: null })
}
