// The cache of opened cookies: a cookie that comes back is not decrypted again, yet every request
// still has its lifetimes checked, runs validate, gets data of its own, and re-seals an old-key
// cookie; the cache stays within its bytes and empties with the keys.
import t from 'tap'
import type { CookieDriver } from '../../lib/stores/cookie-driver.js'
import { OpenedCookies, type OpenedCookie } from '../../lib/stores/opened-cookies.js'
import { build, cookieBytes, cookiePair, cookieValue, counterRoutes, fakeClock, loose, OTHER_SECRET, SECRET } from '../helpers/index.js'
import { countDecryptions, directDriver } from '../helpers/security-support.js'

const entry = (json: string): OpenedCookie => ({ id: 'i'.repeat(43), createdAt: 1, lastSeenAt: 1, idIssuedAt: 1, json, data: {}, reseal: false })
// sizeOf: two bytes a character of the key and the id, four a character of the JSON (its text and the
// parsed data), and 100 for the entry.
const bytesOf = (key: string, json: string): number => 2 * (key.length + 43) + 4 * json.length + 100

t.test('bounded in bytes: the oldest entries go first, an entry over the bound is not kept, clear empties it', async (t) => {
  const one = bytesOf('k0', '{}')
  const cache = new OpenedCookies(3 * one)
  for (let i = 0; i < 5; i++) cache.add(`k${i}`, entry('{}'))
  t.equal(cache.size, 3)
  t.equal(cache.bytes, 3 * one)
  t.same(['k0', 'k1', 'k2', 'k3', 'k4'].map((k) => cache.get(k) !== undefined), [false, false, true, true, true])
  cache.add('big', entry('x'.repeat(3 * one)))
  t.equal(cache.get('big'), undefined, 'larger than the whole bound: not kept')
  t.equal(cache.size, 3, 'and nothing dropped for it')
  // One entry twice the size of the others makes room by dropping the two oldest.
  const wideLength = Math.floor((2 * one - 2 * ('wide'.length + 43) - 100) / 4)
  const wide = entry('{' + 'x'.repeat(wideLength - 2) + '}')
  t.ok(bytesOf('wide', wide.json) <= 2 * one && bytesOf('wide', wide.json) > one + 100)
  cache.add('wide', wide)
  t.ok(cache.bytes <= 3 * one)
  t.same(['k2', 'k3', 'k4', 'wide'].map((k) => cache.get(k) !== undefined), [false, false, true, true])
  cache.clear()
  t.equal(cache.size, 0)
  t.equal(cache.bytes, 0)
})

t.test('the default bound is 4 MiB', async (t) => {
  const cache = new OpenedCookies()
  const json = 'x'.repeat(1000)
  for (let i = 0; i < 3000; i++) cache.add(`cookie-${i}`, entry(json))
  t.ok(cache.bytes <= 4 * 1024 * 1024)
  t.ok(cache.bytes > 4 * 1024 * 1024 - bytesOf('cookie-0000', json), 'filled up to it')
  t.ok(cache.size < 3000)
})

t.test('a cookie that comes back is decrypted once; each request gets data of its own', async (t) => {
  const app = await build(t, {}, (app) => {
    app.get('/login', async (request) => {
      loose(request).set('user', { name: 'ada', roles: ['user'] })
      return { ok: true }
    })
    // Mutates the object it was handed without saving: the next request must not see it.
    app.get('/scribble', async (request) => {
      const user = loose(request).get('user') as { name: string, roles: string[] }
      user.roles.push('admin')
      return { roles: user.roles }
    })
  })
  const cookie = cookiePair(await app.inject('/login')) as string
  const decryptions = countDecryptions(t)
  const first = await app.inject({ url: '/scribble', headers: { cookie } })
  t.same(first.json(), { roles: ['user', 'admin'] })
  const second = await app.inject({ url: '/scribble', headers: { cookie } })
  t.same(second.json(), { roles: ['user', 'admin'] }, 'the same cookie, the data as sealed: not the first request\'s object')
  t.equal(decryptions.keys.length, 1, 'opened once for both requests')
  const other = await app.inject({ url: '/scribble', headers: { cookie: `sid=${cookieValue(first) as string}` } })
  t.same(other.json(), { roles: ['user', 'admin', 'admin'] }, 'the cookie the first response set carries its change')
  t.equal(decryptions.keys.length, 2, 'a new cookie value is opened')
})

t.test('lifetimes are checked on every request, from the sealed times, also when the cookie is cached', async (t) => {
  const clock = fakeClock(t)
  const app = await build(t, { ttl: 60 }, counterRoutes)
  const cookie = cookiePair(await app.inject('/count')) as string
  t.same((await app.inject({ url: '/read', headers: { cookie } })).json(), { n: 1, isNew: false })
  const decryptions = countDecryptions(t)
  clock.tick(60_000)
  t.same((await app.inject({ url: '/read', headers: { cookie } })).json(), { n: null, isNew: true }, 'idle for the ttl: ended')
  t.equal(decryptions.keys.length, 0, 'known from the cache, and still refused')
})

t.test('validate runs on a cached cookie', async (t) => {
  let allow = true
  const app = await build(t, { validate: () => allow }, counterRoutes)
  const cookie = cookiePair(await app.inject('/count')) as string
  t.same((await app.inject({ url: '/read', headers: { cookie } })).json(), { n: 1, isNew: false })
  allow = false
  const decryptions = countDecryptions(t)
  const refused = await app.inject({ url: '/read', headers: { cookie } })
  t.same(refused.json(), { n: null, isNew: true })
  t.equal(decryptions.keys.length, 0, 'the cookie came from the cache')
})

t.test('an old-key cookie is re-sealed on every response it comes in with, cached or not', async (t) => {
  const before = await build(t, { secret: SECRET }, counterRoutes)
  const old = cookiePair(await before.inject('/count')) as string
  const after = await build(t, { secret: [OTHER_SECRET, SECRET] }, counterRoutes)
  const decryptions = countDecryptions(t)
  for (let i = 0; i < 2; i++) {
    const read = await after.inject({ url: '/read', headers: { cookie: old } })
    t.same(read.json(), { n: 1, isNew: false })
    const resealed = cookieValue(read) as string
    t.not(cookieBytes(resealed).readUInt32BE(1), cookieBytes(old.slice(4)).readUInt32BE(1), 're-sealed under the new key')
  }
  t.equal(decryptions.keys.length, 1)
})

t.test('wiping the keyring (the app closing) empties the cache: a cached cookie no longer opens', async (t) => {
  const d = directDriver()
  const { session, exchange } = await d.open()
  ;(session as unknown as { set (k: string, v: unknown): void }).set('n', 1)
  const cookie = await d.persist(session, exchange) as string
  t.equal((await d.open(cookie)).session.isNew, false)
  const opened = (d.driver as CookieDriver).opened
  t.equal(opened.size, 1)
  t.ok(opened.bytes > cookie.length)
  d.config.keyring.wipe()
  t.equal(opened.size, 0)
  t.equal(opened.bytes, 0)
  t.equal((await d.open(cookie)).session.isNew, true, 'opened again with the wiped key: refused')
})

t.test('a cookie that does not open is never cached', async (t) => {
  const d = directDriver()
  const { session, exchange } = await d.open()
  ;(session as unknown as { set (k: string, v: unknown): void }).set('n', 1)
  const cookie = await d.persist(session, exchange) as string
  // A character in the middle: still canonical base64url, so it gets as far as the decryption.
  const tampered = cookie.slice(0, 60) + (cookie[60] === 'A' ? 'B' : 'A') + cookie.slice(61)
  const decryptions = countDecryptions(t)
  for (let i = 0; i < 2; i++) t.equal((await d.open(tampered)).session.isNew, true)
  t.equal(decryptions.keys.length, 2, 'each attempt pays one decryption')
  t.equal((d.driver as CookieDriver).opened.size, 0)
})
