// A request that ends in a 5xx persists none of the session changes it left unsaved (a half-applied
// login or cart must not stick); a save() the handler made stays; 4xx responses persist as usual.
// destroy() and regenerate() already took effect in the store: a later 5xx does not bring the old
// session back, and the browser's now dead cookie is cleared. Over real HTTP with a browser-like jar.
import type { FastifyInstance } from 'fastify'
import t from 'tap'
import { build, loginRoutes, loose } from '../helpers/index.js'
import { BrowserJar, listen } from '../helpers/http.js'
import { everyStore } from '../helpers/plugin-stores.js'

function boom (): never {
  throw new Error('the handler failed midway')
}

function routes (app: FastifyInstance): void {
  loginRoutes(app)
  app.get('/half-login', async (request) => {
    await request.session.regenerate()
    loose(request).set('userId', 'mallory')
    boom()
  })
  app.get('/cart', async (request) => ({ cart: loose(request).get('cart') ?? [] }))
  app.get('/add/:item', async (request, reply) => {
    const { item } = request.params as { item: string }
    const s = loose(request)
    s.set('cart', [...((s.get('cart') as string[] | undefined) ?? []), item])
    if (item === 'boom') boom()
    if (item === 'unavailable') return await reply.code(503).send({ down: true })
    if (item === 'invalid') return await reply.code(422).send({ invalid: true })
    return { ok: true }
  })
  app.get('/save-then-fail', async (request) => {
    loose(request).set('saved', 1)
    await request.session.save()
    loose(request).set('unsaved', 2)
    boom()
  })
  app.get('/data', async (request) => ({ saved: loose(request).get('saved') ?? null, unsaved: loose(request).get('unsaved') ?? null }))
  app.get('/logout-then-fail', async (request) => {
    await request.session.destroy()
    boom()
  })
  app.get('/regenerate-then-fail', async (request) => {
    await request.session.regenerate(true)
    loose(request).set('userId', 'bob')
    boom()
  })
}

function sid (res: Response): string | undefined {
  return res.headers.getSetCookie().find((c) => c.startsWith('sid='))
}

everyStore(t, 'a 5xx persists nothing left unsaved; save(), destroy() and regenerate() stay done', async (t, store, name) => {
  const app = await build(t, { store }, routes)
  const base = await listen(app)
  const server = name !== 'cookie store'

  await t.test('a login that fails halfway does not log anyone in', async (t) => {
    const jar = new BrowserJar()
    const res = await jar.fetch(`${base}/half-login`)
    t.equal(res.status, 500)
    t.equal(sid(res), undefined, 'no session cookie for a session nobody finished')
    t.same(await (await jar.fetch(`${base}/me`)).json(), { user: null })
  })

  await t.test('a cart change on a failed request does not stick; a 4xx one does', async (t) => {
    const jar = new BrowserJar()
    await jar.fetch(`${base}/add/apple`)
    const failed = await jar.fetch(`${base}/add/boom`)
    t.equal(failed.status, 500)
    t.equal(sid(failed), undefined, 'the failed response does not touch the cookie')
    const down = await jar.fetch(`${base}/add/unavailable`)
    t.equal(down.status, 503, 'a 5xx the handler sent itself counts too')
    t.same(await (await jar.fetch(`${base}/cart`)).json(), { cart: ['apple'] })
    const invalid = await jar.fetch(`${base}/add/invalid`)
    t.equal(invalid.status, 422)
    t.same(await (await jar.fetch(`${base}/cart`)).json(), { cart: ['apple', 'invalid'] }, '4xx persists as before')
  })

  await t.test('what save() wrote before the failure stays, later changes do not', async (t) => {
    const jar = new BrowserJar()
    const res = await jar.fetch(`${base}/save-then-fail`)
    t.equal(res.status, 500)
    t.ok(sid(res), 'the cookie of the save is sent with the error response')
    t.same(await (await jar.fetch(`${base}/data`)).json(), { saved: 1, unsaved: null })
  })

  await t.test('a logout that then fails is still a logout', async (t) => {
    const jar = new BrowserJar()
    await jar.fetch(`${base}/login`)
    const old = jar.header() as string
    const res = await jar.fetch(`${base}/logout-then-fail`)
    t.equal(res.status, 500)
    t.match(sid(res), /^sid=; Max-Age=0;/, 'the cookie is cleared')
    t.equal(jar.get('sid'), undefined)
    t.same(await (await jar.fetch(`${base}/me`)).json(), { user: null })
    if (server) {
      const replay = await fetch(`${base}/me`, { headers: { cookie: old } })
      t.same(await replay.json(), { user: null }, 'the old id does not come back')
    }
  })

  await t.test('a regenerate that then fails clears the dead id and persists nothing new', async (t) => {
    const jar = new BrowserJar()
    await jar.fetch(`${base}/login`)
    const old = jar.header() as string
    const res = await jar.fetch(`${base}/regenerate-then-fail`)
    t.equal(res.status, 500)
    t.match(sid(res), /^sid=; Max-Age=0;/, 'the browser does not keep a dead id')
    t.same(await (await jar.fetch(`${base}/me`)).json(), { user: null }, 'not bob: the new session was never written')
    if (server) {
      const replay = await fetch(`${base}/me`, { headers: { cookie: old } })
      t.same(await replay.json(), { user: null }, 'the old id was destroyed by regenerate() and stays destroyed')
    }
  })
})
