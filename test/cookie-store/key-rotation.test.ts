import t from 'tap'
import { Keyring } from '../../lib/keyring.js'
import { build, cookieBytes, cookiePair, cookieValue, counterRoutes, fakeClock, OTHER_SECRET, SECRET, sessionSetCookie } from '../helpers/index.js'

const keyIdOf = (secret: string): number => new Keyring([Buffer.from(secret)]).current.id
const keyIdIn = (value: string | undefined): number => cookieBytes(value as string).readUInt32BE(1)

t.test('secret [new, old] opens an old-key cookie and re-seals it under new on the same response', async (t) => {
  const clock = fakeClock(t)
  const before = await build(t, { secret: SECRET }, counterRoutes)
  const old = await before.inject('/count')
  t.equal(keyIdIn(cookieValue(old)), keyIdOf(SECRET))

  const after = await build(t, { secret: [OTHER_SECRET, SECRET] }, counterRoutes)
  clock.tick(1000)
  // A read-only request: nothing changed, yet the cookie is re-sealed because its key is old.
  const read = await after.inject({ url: '/read', headers: { cookie: cookiePair(old) } })
  t.same(read.json(), { n: 1, isNew: false }, 'the old cookie opens')
  const resealed = cookieValue(read)
  t.ok(resealed, 'a new cookie on the same response')
  t.equal(keyIdIn(resealed), keyIdOf(OTHER_SECRET), 'sealed under the new key')
  t.not(keyIdIn(resealed), keyIdIn(cookieValue(old)), 'the key id changed')

  const next = await after.inject({ url: '/count', headers: { cookie: cookiePair(read) } })
  t.same(next.json(), { n: 2 }, 'the re-sealed cookie carries the data')
  t.equal(keyIdIn(cookieValue(next)), keyIdOf(OTHER_SECRET))

  const onlyNew = await build(t, { secret: OTHER_SECRET }, counterRoutes)
  const stillOpens = await onlyNew.inject({ url: '/read', headers: { cookie: cookiePair(read) } })
  t.same(stillOpens.json(), { n: 1, isNew: false }, 'once re-sealed, the old secret can be dropped')
})

t.test('a current-key cookie is not re-sealed on a read-only request', async (t) => {
  const app = await build(t, { secret: [OTHER_SECRET, SECRET] }, counterRoutes)
  const first = await app.inject('/count')
  const read = await app.inject({ url: '/read', headers: { cookie: cookiePair(first) } })
  t.same(read.json(), { n: 1, isNew: false })
  t.equal(sessionSetCookie(read), undefined)
})

t.test('a cookie sealed by a key no longer configured gives a fresh session', async (t) => {
  const before = await build(t, { secret: SECRET }, counterRoutes)
  const old = await before.inject('/count')
  const after = await build(t, { secret: OTHER_SECRET }, counterRoutes)
  const res = await after.inject({ url: '/read', headers: { cookie: cookiePair(old) } })
  t.equal(res.statusCode, 200)
  t.same(res.json(), { n: null, isNew: true })
  t.match(sessionSetCookie(res), /^sid=; Max-Age=0;/, 'the stale cookie is cleared')
})
