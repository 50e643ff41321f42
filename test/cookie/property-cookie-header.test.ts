// Fuzz: Cookie headers an attacker can send (duplicates of our cookie name, odd spellings of it, odd
// encodings, 16 KB values, control characters, quotes, stray separators) never crash a request,
// never produce a 5xx and never authenticate.
import fc from 'fast-check'
import t from 'tap'
import { readCookie } from '../../lib/cookie.js'
import { MemoryStore, requireLogin } from '../../lib/index.js'
import type { Session } from '../../lib/session.js'
import { build, cookieValue } from '../helpers/index.js'
import { check, directDriver, fcParams, propertyTimeout } from '../helpers/security-support.js'

propertyTimeout(t)

type Untyped = { set (k: string, v: unknown): void, get (k: string): unknown }
const untyped = (s: Session): Untyped => s as unknown as Untyped

const controlChar = fc.integer({ min: 0, max: 0x1f }).map((c) => String.fromCharCode(c))
const value = fc.oneof(
  fc.string({ maxLength: 60 }),
  fc.base64String({ maxLength: 120 }),
  fc.stringMatching(/^[A-Za-z0-9_-]{0,200}$/),
  fc.string({ unit: fc.oneof(controlChar, fc.constantFrom('"', '\\', '%', '=', ',', ';', ' ', '\u0000', '\u00ff', '\u2028')), maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.nat({ max: 16 * 1024 }).map((n) => 'A'.repeat(n)),
  fc.string({ maxLength: 40 }).map((s) => `"${s}"`),
  fc.string({ maxLength: 40 }).map(encodeURIComponent)
)
const name = fc.oneof(
  { weight: 4, arbitrary: fc.constant('sid') },
  { weight: 2, arbitrary: fc.constantFrom('SID', 'Sid', ' sid', 'sid ', 'xsid', 'sidx', '__Host-sid', 's%69d', '"sid"', 'sid\u0000', '') },
  { weight: 1, arbitrary: fc.string({ maxLength: 8 }) }
)
const separator = fc.constantFrom('; ', ';', ';;', ' ; ', ',', ', ', '\t;', '')
const pair = fc.oneof(
  fc.tuple(name, value).map(([n, v]) => `${n}=${v}`),
  name,
  value
)
const header = fc.tuple(fc.array(pair, { maxLength: 8 }), separator).map(([pairs, sep]) => pairs.join(sep))

t.test('any Cookie header: the cookie store never opens a session it did not seal (no HTTP)', async (t) => {
  const d = directDriver()
  const property = fc.asyncProperty(header, async (h) => {
    const raw = readCookie(h, 'sid')
    if (raw === undefined) return true
    const { session } = await d.open(raw)
    return session.isNew && untyped(session).get('userId') === undefined
  })
  t.ok(await check(t, property, fcParams()) > 0)
})

for (const storeName of ['cookie', 'memory'] as const) {
  t.test(`${storeName} store over HTTP: any Cookie header gives a 2xx/4xx and no login`, async (t) => {
    const store = storeName === 'memory' ? new MemoryStore() : undefined
    if (store !== undefined) t.teardown(() => store.close())
    const app = await build(t, store === undefined ? {} : { store }, (app) => {
      app.get('/login', async (request) => {
        untyped(request.session).set('userId', 'alice')
        return { ok: true }
      })
      app.get('/me', async (request) => ({ user: untyped(request.session).get('userId') ?? null }))
      app.get('/guarded', { preHandler: requireLogin() }, async () => ({ ok: true }))
    })
    // A real session exists on the server side meanwhile: the fuzz must not stumble into it.
    const valid = cookieValue(await app.inject('/login')) as string
    t.same((await app.inject({ url: '/me', headers: { cookie: `sid=${valid}` } })).json(), { user: 'alice' })
    const property = fc.asyncProperty(header, fc.boolean(), async (h, guarded) => {
      const res = await app.inject({ url: guarded ? '/guarded' : '/me', headers: { cookie: h } })
      if (res.statusCode >= 500) return false
      return guarded ? res.statusCode === 401 : res.json().user === null
    })
    t.ok(await check(t, property, fcParams(0.05, 200)) > 0)
  })
}

t.test('duplicates of our cookie: the first one is used, a second valid copy does not rescue a bad first', async (t) => {
  const app = await build(t, {}, (app) => {
    app.get('/login', async (request) => {
      untyped(request.session).set('userId', 'alice')
      return { ok: true }
    })
    app.get('/me', async (request) => ({ user: untyped(request.session).get('userId') ?? null }))
  })
  const valid = cookieValue(await app.inject('/login')) as string
  const property = fc.asyncProperty(value.filter((v) => readCookie(`sid=${v}`, 'sid') !== valid), async (bad) => {
    const res = await app.inject({ url: '/me', headers: { cookie: `sid=${bad}; sid=${valid}` } })
    return res.statusCode === 200 && res.json().user === null
  })
  t.ok(await check(t, property, fcParams(0.02, 100)) > 0)
  t.same((await app.inject({ url: '/me', headers: { cookie: `sid=${valid}; sid=junk` } })).json(), { user: 'alice' })
})
