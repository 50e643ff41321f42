import t from 'tap'
import { build, MapStore } from '../../examples/custom-store.js'
import { cookiePair, SECRET } from '../helpers/index.js'
import { storeConformance } from '../stores/conformance.js'

t.test('examples/custom-store.ts: a counter on the MapStore, and a reset that ends the session', async (t) => {
  const app = await build(SECRET)
  t.teardown(() => app.close())
  const first = await app.inject('/count')
  t.same(first.json(), { count: 1 })
  const cookie = cookiePair(first) as string
  t.same((await app.inject({ url: '/count', headers: { cookie } })).json(), { count: 2 })
  await app.inject({ method: 'POST', url: '/reset', headers: { cookie } })
  t.same((await app.inject({ url: '/count', headers: { cookie } })).json(), { count: 1 }, 'the old id is gone: a new session')
})

t.test('examples/custom-store.ts: patch and touch never create a missing or expired record', async (t) => {
  const store = new MapStore()
  t.teardown(() => store.close())
  const patch = { set: { a: 1 }, unset: [], lastSeenAt: Date.now() }
  await store.patch('missing', patch, 60_000)
  await store.touch('missing', 60_000, Date.now())
  t.equal(await store.get('missing'), undefined)
  await store.set('short', { data: { a: 0 }, createdAt: Date.now(), lastSeenAt: Date.now() }, 1)
  await new Promise((resolve) => setTimeout(resolve, 5))
  await store.patch('short', patch, 60_000)
  await store.touch('short', 60_000, Date.now())
  t.equal(await store.get('short'), undefined, 'an expired record stays gone')
})

// The suite every built-in store passes: copies, expiry, touch, patch (50 concurrent), odd keys, and
// through the plugin a logout during a slow request that is not undone.
await storeConformance(t, 'examples/custom-store.ts MapStore', (t) => {
  const store = new MapStore()
  t.teardown(() => store.close())
  return store
})
