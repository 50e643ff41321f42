// "Remember me" as docs/session-api.md configures it: a second session with its own lifetimes, not a
// longer Max-Age on the login session's cookie (the server ends that session at its ttl regardless).
import Fastify, { type FastifyInstance } from 'fastify'
import t from 'tap'
import fastifySession, { MemoryStore, requireLogin, type FastifySessionOptions } from '../../lib/index.js'
import { build, cookiePair, fakeClock, loose, SECRET, sessionSetCookie } from '../helpers/index.js'

const DAY = 86_400_000
type Loose = { get (k: string): unknown, set (k: string, v: unknown): void, regenerate (): Promise<void>, destroy (): Promise<void> }
const remembered = (request: unknown): Loose => (request as { remembered: Loose }).remembered

async function app (t: { teardown (fn: () => unknown): void }): Promise<FastifyInstance> {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(fastifySession, { secret: SECRET, store: new MemoryStore() })
  await app.register(fastifySession, {
    sessionName: 'remembered', cookieName: 'remember', secret: SECRET, store: new MemoryStore(), ttl: 30 * 86_400, absoluteTtl: 30 * 86_400
  } as FastifySessionOptions)
  app.addHook('preHandler', async (request) => {
    const userId = remembered(request).get('userId')
    if (userId === undefined || loose(request).get('userId') !== undefined) return
    await request.session.regenerate()
    loose(request).set('userId', userId)
  })
  app.post('/login', async (request) => {
    await request.session.regenerate()
    loose(request).set('userId', 'alice')
    if ((request.body as { remember?: boolean }).remember === true) {
      await remembered(request).regenerate()
      remembered(request).set('userId', 'alice')
    }
    return { ok: true }
  })
  app.post('/logout', async (request) => {
    await request.session.destroy()
    await remembered(request).destroy()
    return { ok: true }
  })
  app.get('/me', { preHandler: requireLogin() }, async (request) => ({ user: loose(request).get('userId') }))
  await app.ready()
  return app
}

t.test('a remembered user is logged in again after the login session ended, until the 30 days are over', async (t) => {
  const clock = fakeClock(t)
  const a = await app(t)
  const login = await a.inject({ method: 'POST', url: '/login', payload: { remember: true } })
  const sid = cookiePair(login) as string
  const remember = cookiePair(login, 'remember') as string
  t.match(sessionSetCookie(login, 'remember'), /Max-Age=2592000;/)
  clock.tick(2 * DAY)
  t.equal((await a.inject({ url: '/me', headers: { cookie: sid } })).statusCode, 401, 'the login session ended at its ttl')
  const back = await a.inject({ url: '/me', headers: { cookie: `${sid}; ${remember}` } })
  t.same(back.json(), { user: 'alice' })
  const newSid = cookiePair(back) as string
  t.not(newSid, sid, 'logged in again under a new id')
  t.equal((await a.inject({ url: '/me', headers: { cookie: newSid } })).statusCode, 200)
  clock.tick(29 * DAY)
  t.equal((await a.inject({ url: '/me', headers: { cookie: remember } })).statusCode, 401, 'remembered for 30 days at most')
})

t.test('without the box ticked there is no remember cookie; logout ends both sessions', async (t) => {
  const a = await app(t)
  const plain = await a.inject({ method: 'POST', url: '/login', payload: {} })
  t.equal(sessionSetCookie(plain, 'remember'), undefined)
  const login = await a.inject({ method: 'POST', url: '/login', payload: { remember: true } })
  const both = `${cookiePair(login) as string}; ${cookiePair(login, 'remember') as string}`
  await a.inject({ method: 'POST', url: '/logout', headers: { cookie: both } })
  t.equal((await a.inject({ url: '/me', headers: { cookie: both } })).statusCode, 401)
})

t.test('options({ maxAge }) only lengthens the cookie: the server still ends the session at ttl', async (t) => {
  const clock = fakeClock(t)
  const a = await build(t, { store: new MemoryStore() }, (app) => {
    app.post('/login', async (request) => {
      loose(request).set('userId', 'alice')
      request.session.options({ maxAge: 30 * 86_400 })
      return { ok: true }
    })
    app.get('/me', { preHandler: requireLogin() }, async () => ({ ok: true }))
  })
  const login = await a.inject({ method: 'POST', url: '/login' })
  t.match(sessionSetCookie(login), /Max-Age=2592000;/)
  clock.tick(DAY + 1000)
  t.equal((await a.inject({ url: '/me', headers: { cookie: cookiePair(login) as string } })).statusCode, 401)
})
