// Property: any session data a handler may set comes back unchanged on the next request, through
// the cookie and memory stores (Redis: property-roundtrip-redis.test.ts). Data is JSON values under any key (unicode, lone surrogates, falsy values, names of
// Object.prototype members), `__proto__` excepted (refused by set(), tested elsewhere).
import fc from 'fast-check'
import t from 'tap'
import { MemoryStore } from '../../lib/index.js'
import type { Session } from '../../lib/session.js'
import { build, cookiePair } from '../helpers/index.js'
import { ALWAYS_FITS, check, directDriver, fcParams, propertyTimeout, removedKeys, roundTrip, roundTripWithChanges, sameData, sessionData } from '../helpers/security-support.js'

type Untyped = { set (k: string, v: unknown): void, data (): Record<string, unknown> }
const untyped = (s: Session): Untyped => s as unknown as Untyped

propertyTimeout(t)

t.test('cookie store: data round-trips unchanged (CookieDriver, no HTTP)', async (t) => {
  const d = directDriver()
  const runs = await check(t, fc.asyncProperty(sessionData(), async (data) => await roundTrip(d, data)), fcParams())
  t.ok(runs > 0)
})

t.test('memory store: data round-trips unchanged, and so do later partial changes (ServerDriver, no HTTP)', async (t) => {
  const store = new MemoryStore()
  t.teardown(() => store.close())
  const d = directDriver({ store })
  const property = fc.asyncProperty(sessionData(), sessionData(), removedKeys(), async (data, changes, removed) =>
    await roundTripWithChanges(d, data, changes, removed))
  t.ok(await check(t, property, fcParams()) > 0)
})

for (const storeName of ['cookie', 'memory'] as const) {
  t.test(`${storeName} store: data round-trips unchanged through HTTP`, async (t) => {
    const store = storeName === 'memory' ? new MemoryStore() : undefined
    if (store !== undefined) t.teardown(() => store.close())
    const app = await build(t, store === undefined ? {} : { store }, (app) => {
      app.post('/put', async (request) => {
        // The data travels as a JSON string so that Fastify's body parser cannot reshape it.
        const data = JSON.parse((request.body as { json: string }).json) as Record<string, unknown>
        for (const [k, v] of Object.entries(data)) untyped(request.session).set(k, v)
        return { ok: true }
      })
      app.get('/get', async (request) => ({ json: JSON.stringify(untyped(request.session).data()) }))
    })
    const property = fc.asyncProperty(sessionData().filter((d) => Object.keys(d).length > 0), async (data) => {
      const put = await app.inject({ method: 'POST', url: '/put', payload: { json: JSON.stringify(data) } })
      if (put.statusCode === 500) return put.json().code === 'FST_SESSION_COOKIE_TOO_LARGE' && Buffer.byteLength(JSON.stringify(data)) > ALWAYS_FITS
      const got = await app.inject({ url: '/get', headers: { cookie: cookiePair(put) } })
      return got.statusCode === 200 && sameData(JSON.parse(got.json().json), data)
    })
    t.ok(await check(t, property, fcParams(0.05, 200)) > 0)
  })
}
