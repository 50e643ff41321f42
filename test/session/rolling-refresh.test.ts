import t from 'tap'
import { build, cookiePair, counterRoutes, fakeClock, sessionSetCookie, setCookies } from '../helpers/index.js'

t.test('an unchanged session gets no Set-Cookie until a tenth of ttl has passed, then exactly one', async (t) => {
  const clock = fakeClock(t)
  // ttl 1000 s: a refresh at most every 100 s.
  const app = await build(t, { ttl: 1000, absoluteTtl: 1500 }, counterRoutes)
  const first = await app.inject('/count')
  t.match(sessionSetCookie(first), /; Max-Age=1000;/, 'a new session lives ttl')

  clock.tick(99_999)
  const early = await app.inject({ url: '/read', headers: { cookie: cookiePair(first) } })
  t.same(early.json(), { n: 1, isNew: false })
  t.same(setCookies(early), [], 'no Set-Cookie before a tenth of ttl')

  clock.tick(1)
  const due = await app.inject({ url: '/read', headers: { cookie: cookiePair(first) } })
  t.equal(setCookies(due).length, 1, 'exactly one Set-Cookie once a tenth of ttl has passed')
  t.match(sessionSetCookie(due), /; Max-Age=1000;/, 'the idle lifetime starts over')

  const right = await app.inject({ url: '/read', headers: { cookie: cookiePair(due) } })
  t.same(setCookies(right), [], 'the refreshed cookie starts a new quiet window')
})

t.test('Max-Age is the remaining lifetime: the idle limit or the absolute one, whichever ends first', async (t) => {
  const clock = fakeClock(t)
  const app = await build(t, { ttl: 1000, absoluteTtl: 1500 }, counterRoutes)
  let res = await app.inject('/count')
  clock.tick(400_000)
  res = await app.inject({ url: '/count', headers: { cookie: cookiePair(res) } })
  t.match(sessionSetCookie(res), /; Max-Age=1000;/, 'at 400 s: idle (1000) ends before absolute (1100)')
  clock.tick(200_500)
  res = await app.inject({ url: '/read', headers: { cookie: cookiePair(res) } })
  t.match(sessionSetCookie(res), /; Max-Age=900;/, 'at 600.5 s: absolute ends in 899.5 s, rounded up')
})
