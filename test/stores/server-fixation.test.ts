// Session fixation on a server store (strict mode): an id the server did not issue, or no longer
// knows, is never adopted; regenerate() and destroy() kill the old id.
import t from 'tap'
import { MemoryStore } from '../../lib/index.js'
import { build, cookiePair, cookieValue } from '../helpers/index.js'

type Untyped = { get (k: string): unknown, set (k: string, v: unknown): void }

function setup (t: { teardown (fn: () => unknown): void }): MemoryStore {
  const store = new MemoryStore()
  t.teardown(() => store.close())
  return store
}

const routes = (app: import('fastify').FastifyInstance): void => {
  app.get('/write', async (request) => {
    ;(request.session as unknown as Untyped).set('x', 1)
    return { id: request.session.id }
  })
  app.get('/login', async (request) => {
    await request.session.regenerate(true)
    ;(request.session as unknown as Untyped).set('userId', 'alice')
    return { id: request.session.id }
  })
  app.get('/logout', async (request) => {
    await request.session.destroy()
    return {}
  })
  app.get('/me', async (request) => ({ user: (request.session as unknown as Untyped).get('userId') ?? null, isNew: request.session.isNew }))
}

t.test('an id of the wrong shape is never looked up nor adopted', async (t) => {
  const store = setup(t)
  const get = t.capture(store, 'get', store.get.bind(store))
  const app = await build(t, { store }, routes)
  for (const planted of ['attacker', 'a'.repeat(42), 'a'.repeat(44), `${'a'.repeat(42)}=`, `${'a'.repeat(42)}+`]) {
    const res = await app.inject({ url: '/write', headers: { cookie: `sid=${planted}` } })
    t.not(cookieValue(res), planted, JSON.stringify(planted))
    t.equal(res.json().id, cookieValue(res), 'a freshly issued id instead')
  }
  t.equal(get.args().length, 0, 'the store was never asked about them')
})

t.test('a well-shaped id the store does not know is replaced by a new one', async (t) => {
  const store = setup(t)
  const app = await build(t, { store }, routes)
  const planted = 'A'.repeat(43)
  const res = await app.inject({ url: '/write', headers: { cookie: `sid=${planted}` } })
  t.not(cookieValue(res), planted)
  t.equal(store.size, 1)
  t.same((await app.inject({ url: '/me', headers: { cookie: `sid=${planted}` } })).json(), { user: null, isNew: true }, 'the planted id still means nothing')
})

t.test('after regenerate() the old id is dead', async (t) => {
  const store = setup(t)
  const app = await build(t, { store }, routes)
  const before = cookiePair(await app.inject('/write')) as string
  const login = await app.inject({ url: '/login', headers: { cookie: before } })
  const after = cookiePair(login) as string
  t.not(after, before)
  t.same((await app.inject({ url: '/me', headers: { cookie: before } })).json(), { user: null, isNew: true }, 'the pre-login id')
  t.same((await app.inject({ url: '/me', headers: { cookie: after } })).json(), { user: 'alice', isNew: false })
  t.equal(store.size, 1, 'only the new record is left')
})

t.test('after destroy() the record is gone', async (t) => {
  const store = setup(t)
  const app = await build(t, { store }, routes)
  const cookie = cookiePair(await app.inject('/login')) as string
  t.equal(store.size, 1)
  await app.inject({ url: '/logout', headers: { cookie } })
  t.equal(store.size, 0)
  t.same((await app.inject({ url: '/me', headers: { cookie } })).json(), { user: null, isNew: true })
  t.same(await store.listUserSessions('alice'), [])
})
