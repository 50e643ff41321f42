// Secret rotation on a server store: records are keyed by a hash under the current secret; a record
// written under an older secret is still found, and moved to the current secret's hash.
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
