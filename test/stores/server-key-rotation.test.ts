// Secret rotation on a server store: records are keyed by a hash under the current secret; a record
// written under an older secret is still found, and moved to the current secret's hash.
import type { FastifyInstance } from 'fastify'
import t from 'tap'
import { MemoryStore } from '../../lib/index.js'
import { OTHER_SECRET, SECRET, build, cookiePair, counterRoutes } from '../helpers/index.js'

t.test('secret [new, old] finds a record under the old hash and moves it', async (t) => {
  const store = new MemoryStore()
  t.teardown(() => store.close())
  const before = await build(t, { store, secret: OTHER_SECRET }, counterRoutes)
  const cookie = cookiePair(await before.inject('/count')) as string

  const during = await build(t, { store, secret: [SECRET, OTHER_SECRET] }, counterRoutes)
  const read = await during.inject({ url: '/read', headers: { cookie } })
  t.same(read.json(), { n: 1, isNew: false }, 'found under the old secret')
  t.equal(store.size, 1, 'moved, not copied')

  const after = await build(t, { store, secret: SECRET }, counterRoutes)
  t.same((await after.inject({ url: '/count', headers: { cookie } })).json(), { n: 2 }, 'the old secret can go')
  t.same((await before.inject({ url: '/read', headers: { cookie } })).json(), { n: null, isNew: true }, 'the old hash is gone')
})

t.test('a record under a secret no longer configured is not found', async (t) => {
  const store = new MemoryStore()
  t.teardown(() => store.close())
  const before = await build(t, { store, secret: OTHER_SECRET }, counterRoutes)
  const cookie = cookiePair(await before.inject('/count')) as string
  const after = await build(t, { store, secret: SECRET }, counterRoutes)
  t.same((await after.inject({ url: '/read', headers: { cookie } })).json(), { n: null, isNew: true })
})

// docs/keys.md: on several instances, a rotation takes two deploys. While the second rolls, instances with
// [old, new] and [new, old] answer side by side: each finds the session wherever the other moved it, no
// count is lost, and a logout on either ends it on both.
t.test('the second of two deploys: [old, new] and [new, old] instances share one store', async (t) => {
  const store = new MemoryStore()
  t.teardown(() => store.close())
  const logout = (app: FastifyInstance): void => {
    app.get('/logout', async (request) => { await request.session.destroy(); return { ok: true } })
  }
  const setup = (app: FastifyInstance): void => { counterRoutes(app); logout(app) }
  const first = await build(t, { store, secret: [OTHER_SECRET, SECRET] }, setup)
  const second = await build(t, { store, secret: [SECRET, OTHER_SECRET] }, setup)
  const cookie = cookiePair(await first.inject('/count')) as string
  let n = 1
  for (const app of [second, first, second, second, first, first, second]) {
    const res = await app.inject({ url: '/count', headers: { cookie } })
    t.same(res.json(), { n: ++n }, `request ${n} finds the session and its count`)
  }
  t.equal(store.size, 1, 'one record, under whichever hash was written last')
  await first.inject({ url: '/logout', headers: { cookie } })
  for (const app of [first, second]) {
    t.same((await app.inject({ url: '/read', headers: { cookie } })).json(), { n: null, isNew: true }, 'ended on both kinds')
  }
  t.equal(store.size, 0)
})

t.test('one deploy onto an instance without the new secret: it cannot find a moved session (why docs/keys.md says two)', async (t) => {
  const store = new MemoryStore()
  t.teardown(() => store.close())
  const old = await build(t, { store, secret: OTHER_SECRET }, counterRoutes)
  const cookie = cookiePair(await old.inject('/count')) as string
  const rotated = await build(t, { store, secret: [SECRET, OTHER_SECRET] }, counterRoutes)
  t.same((await rotated.inject({ url: '/count', headers: { cookie } })).json(), { n: 2 }, 'moved under the new secret')
  t.same((await old.inject({ url: '/read', headers: { cookie } })).json(), { n: null, isNew: true }, 'the old instance sees no session')
})
