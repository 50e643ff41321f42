import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { build, cookiePair, loose, sessionSetCookie, setCookies } from '../helpers/index.js'

function routes (app: FastifyInstance): void {
  app.get('/login', async (request) => {
    const s = loose(request)
    s.set('userId', 'u-1')
    s.set('role', 'user')
    s.set('cart', [{ id: 1, qty: 2 }])
    return { id: request.session.id }
  })
  app.get('/regen/:mode', async (request) => {
    const mode = (request.params as { mode: string }).mode
    const before = request.session.id
    const s = loose(request)
    if (mode === 'none') await s.regenerate()
    else if (mode === 'all') await s.regenerate(true)
    else await s.regenerate(mode.split(','))
    return { before, after: request.session.id, isNew: request.session.isNew, data: request.session.data() }
  })
  app.get('/regen-and-set', async (request) => {
    const before = request.session.id
    await loose(request).regenerate()
    loose(request).set('userId', 'u-2')
    return { before, after: request.session.id }
  })
  app.get('/me', async (request) => ({ id: request.session.id, data: request.session.data(), isNew: request.session.isNew }))
}

async function loggedIn (app: FastifyInstance): Promise<string> {
  return cookiePair(await app.inject('/login')) as string
}

t.test('regenerate() keeps no data, gives a new id and clears the old cookie', async (t) => {
  const app = await build(t, {}, routes)
  const cookie = await loggedIn(app)
  const res = await app.inject({ url: '/regen/none', headers: { cookie } })
  const body = res.json()
  t.same(body.data, {})
  t.not(body.after, body.before, 'new id')
  t.equal(body.isNew, true)
  t.match(sessionSetCookie(res), /^sid=; Max-Age=0;/, 'nothing to keep: the old cookie is cleared, no empty session is set')
})

t.test('regenerate(true) keeps all data under a new id', async (t) => {
  const app = await build(t, {}, routes)
  const cookie = await loggedIn(app)
  const res = await app.inject({ url: '/regen/all', headers: { cookie } })
  const body = res.json()
  t.same(body.data, { userId: 'u-1', role: 'user', cart: [{ id: 1, qty: 2 }] })
  t.not(body.after, body.before)
  const next = await app.inject({ url: '/me', headers: { cookie: cookiePair(res) } })
  t.same(next.json(), { id: body.after, data: body.data, isNew: false }, 'the new cookie carries the new id and the data')
})

t.test('regenerate([keys]) keeps only those keys, ignoring keys that are not set', async (t) => {
  const app = await build(t, {}, routes)
  const cookie = await loggedIn(app)
  const res = await app.inject({ url: '/regen/cart,role,missing', headers: { cookie } })
  const body = res.json()
  t.same(body.data, { role: 'user', cart: [{ id: 1, qty: 2 }] })
  t.not(body.after, body.before)
  const next = await app.inject({ url: '/me', headers: { cookie: cookiePair(res) } })
  t.same(next.json().data, { role: 'user', cart: [{ id: 1, qty: 2 }] })
  t.equal(next.json().id, body.after)
})

t.test('each regenerate gives a different id', async (t) => {
  const app = await build(t, {}, routes)
  const cookie = await loggedIn(app)
  const ids = new Set<string>()
  for (const mode of ['none', 'all', 'userId', 'all']) {
    const body = (await app.inject({ url: `/regen/${mode}`, headers: { cookie } })).json()
    ids.add(body.before)
    ids.add(body.after)
  }
  t.equal(ids.size, 5, 'the one original id and four new ones')
})

t.test('regenerate on a new session then set: the new id is the one in the cookie', async (t) => {
  const app = await build(t, {}, routes)
  const res = await app.inject('/regen-and-set')
  const body = res.json()
  t.not(body.after, body.before)
  const me = await app.inject({ url: '/me', headers: { cookie: cookiePair(res) } })
  t.equal(me.json().id, body.after)
  t.same(me.json().data, { userId: 'u-2' })
})

t.test('login after regenerate: the old cookie is replaced, not cleared', async (t) => {
  const app = await build(t, {}, routes)
  const cookie = await loggedIn(app)
  const res = await app.inject({ url: '/regen-and-set', headers: { cookie } })
  t.match(sessionSetCookie(res), /^sid=[A-Za-z0-9_-]+; Max-Age=86400;/)
  t.equal(setCookies(res).length, 1)
})
