import t from 'tap'
import { build, cookiePair, counterRoutes, fakeClock, sessionSetCookie, setCookies } from '../helpers/index.js'

t.test('touch() refreshes the idle lifetime at once, inside the quiet window', async (t) => {
  const clock = fakeClock(t)
  const app = await build(t, { ttl: 1000, absoluteTtl: 5000 }, (app) => {
    counterRoutes(app)
    app.get('/touch', async (request) => {
      request.session.touch()
      return { ok: true }
    })
  })
  const first = await app.inject('/count')
  clock.tick(10_000)
  const quiet = await app.inject({ url: '/read', headers: { cookie: cookiePair(first) } })
  t.same(setCookies(quiet), [], 'control: no refresh 10 s in')
  const touched = await app.inject({ url: '/touch', headers: { cookie: cookiePair(first) } })
  t.match(sessionSetCookie(touched), /; Max-Age=1000;/)

  // The touched cookie counts idle time from the touch: 995 s after it, it is alive, while the
  // original cookie (1005 s idle) is not.
  clock.tick(995_000)
  const viaTouched = await app.inject({ url: '/read', headers: { cookie: cookiePair(touched) } })
  t.same(viaTouched.json(), { n: 1, isNew: false })
  const viaFirst = await app.inject({ url: '/read', headers: { cookie: cookiePair(first) } })
  t.same(viaFirst.json(), { n: null, isNew: true })
})

t.test('touch() on an anonymous session sets no cookie', async (t) => {
  const app = await build(t, {}, (app) => {
    app.get('/touch', async (request) => {
      request.session.touch()
      return { ok: true }
    })
  })
  const res = await app.inject('/touch')
  t.same(setCookies(res), [])
})
