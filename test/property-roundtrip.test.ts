// Property: any session data a handler may set comes back unchanged on the next request, through
// every store. Data is JSON values under any key (unicode, lone surrogates, falsy values, names of
// Object.prototype members), `__proto__` excepted (refused by set(), tested elsewhere).
import { isDeepStrictEqual } from 'node:util'
import fc from 'fast-check'
import t from 'tap'
import { MemoryStore, type SessionStore } from '../lib/index.js'
import type { Session } from '../lib/session.js'
import { build, cookiePair } from './helpers.js'
import { redisSkip, startRedis } from './redis-server.js'
import { check, directDriver, fcParams, sessionData, type DirectDriver } from './security-support.js'

type Untyped = { set (k: string, v: unknown): void, data (): Record<string, unknown> }
const untyped = (s: Session): Untyped => s as unknown as Untyped

// Under this many bytes of data JSON the sealed cookie always fits in 4096 bytes (the plaintext adds
// ~130 bytes of id and times, sealing adds 45 bytes and a third for base64url, attributes ~60).
const ALWAYS_FITS = 2700

// JSON has no negative zero: -0 is accepted by set() and comes back as 0, the one change allowed.
function noNegativeZero (value: unknown): unknown {
  if (Object.is(value, -0)) return 0
  if (Array.isArray(value)) return value.map(noNegativeZero)
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) Object.defineProperty(out, k, { value: noNegativeZero(v), enumerable: true, writable: true, configurable: true })
    return out
  }
  return value
}

const same = (actual: unknown, expected: unknown): boolean => isDeepStrictEqual(actual, noNegativeZero(expected))

async function roundTrip (d: DirectDriver, data: Record<string, unknown>): Promise<boolean> {
  const first = await d.open()
  for (const [k, v] of Object.entries(data)) untyped(first.session).set(k, v)
  let cookie: string | undefined
  try {
    cookie = await d.persist(first.session, first.exchange)
  } catch (err) {
    // Refusing is right only for data too big for a cookie, never for data that fits.
    return (err as { code?: string }).code === 'FST_SESSION_COOKIE_TOO_LARGE' &&
      Buffer.byteLength(JSON.stringify(data)) > ALWAYS_FITS
  }
  if (Object.keys(data).length === 0) return cookie === undefined
  if (cookie === undefined) return false
  const second = await d.open(cookie)
  return second.session.isNew === false &&
    second.session.id === first.session.id &&
    same(untyped(second.session).data(), data)
}

t.test('cookie store: data round-trips unchanged (CookieDriver, no HTTP)', async (t) => {
  const d = directDriver()
  const runs = await check(t, fc.asyncProperty(sessionData(), async (data) => await roundTrip(d, data)), fcParams())
  t.ok(runs > 0)
})

t.test('memory store: data round-trips unchanged, and so do later partial changes (ServerDriver, no HTTP)', async (t) => {
  const store = new MemoryStore()
  t.teardown(() => store.close())
  const d = directDriver({ store })
  const property = fc.asyncProperty(sessionData(), sessionData(), fc.array(fc.string({ maxLength: 4 }), { maxLength: 3 }),
    async (data, changes, removed) => {
      if (!await roundTrip(d, data)) return false
      // A second request changes some keys and deletes others: written as a patch, read back whole.
      const first = await d.open()
      for (const [k, v] of Object.entries(data)) untyped(first.session).set(k, v)
      const cookie = await d.persist(first.session, first.exchange)
      const expected: Record<string, unknown> = { ...data }
      const second = await d.open(cookie)
      for (const [k, v] of Object.entries(changes)) { untyped(second.session).set(k, v); expected[k] = v }
      for (const k of removed) { second.session.delete(k as never); delete expected[k] }
      await d.persist(second.session, second.exchange)
      if (cookie === undefined) return true
      const third = await d.open(cookie)
      return Object.keys(expected).length === 0 || same(untyped(third.session).data(), expected)
    })
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
      return got.statusCode === 200 && same(JSON.parse(got.json().json), data)
    })
    t.ok(await check(t, property, fcParams(0.05, 200)) > 0)
  })
}

t.test('redis store: data round-trips unchanged on a real redis-server', { skip: redisSkip() }, async (t) => {
  const lib = await import('../lib/index.js') as Record<string, unknown>
  const RedisStore = lib.RedisStore as (new (o: { client: unknown, prefix?: string }) => SessionStore) | undefined
  if (RedisStore === undefined) {
    t.fail('lib/index.ts does not export RedisStore')
    return
  }
  const { Redis } = await import('ioredis')
  const server = await startRedis(t)
  const client = new Redis(server.url)
  t.teardown(() => client.quit())
  const d = directDriver({ store: new RedisStore({ client, prefix: 'prop:' }) })
  const runs = await check(t, fc.asyncProperty(sessionData(), async (data) => await roundTrip(d, data)), fcParams(0.05, 200))
  t.ok(runs > 0)
})
