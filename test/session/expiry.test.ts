import t from 'tap'
import { build, captureLogs, cookiePair, counterRoutes, fakeClock, sessionSetCookie } from '../helpers/index.js'

function reasons (lines: Array<Record<string, unknown>>): unknown[] {
  return lines.map((l) => (l.session as { reason?: string } | undefined)?.reason).filter((r) => r !== undefined)
}

t.test('idle expiry: a cookie unused for ttl seconds gives a fresh session', async (t) => {
  const clock = fakeClock(t)
  const logs = captureLogs()
  const app = await build(t, { ttl: 60, absoluteTtl: 600 }, counterRoutes, logs.options)
  const first = await app.inject('/count')

  clock.tick(59_999)
  const justBefore = await app.inject({ url: '/read', headers: { cookie: cookiePair(first) } })
  t.same(justBefore.json(), { n: 1, isNew: false }, 'still alive 1 ms before the idle limit')

  clock.tick(1)
  const at = await app.inject({ url: '/read', headers: { cookie: cookiePair(first) } })
  t.same(at.json(), { n: null, isNew: true }, 'gone at the idle limit')
  t.match(sessionSetCookie(at), /^sid=; Max-Age=0;/, 'the expired cookie is cleared')
  t.same(reasons(logs.lines), ['expired-idle'])
})

t.test('use keeps a session alive past ttl (sliding idle timeout)', async (t) => {
  const clock = fakeClock(t)
  const app = await build(t, { ttl: 60, absoluteTtl: 600 }, counterRoutes)
  let res = await app.inject('/count')
  for (let i = 0; i < 5; i++) {
    clock.tick(50_000)
    res = await app.inject({ url: '/count', headers: { cookie: cookiePair(res) } })
  }
  t.same(res.json(), { n: 6 }, '250 s of use with a 60 s idle timeout')
})

t.test('absolute expiry: a session ends absoluteTtl after creation however often it is used', async (t) => {
  const clock = fakeClock(t)
  const logs = captureLogs()
  const app = await build(t, { ttl: 60, absoluteTtl: 120 }, counterRoutes, logs.options)
  let res = await app.inject('/count')
  clock.tick(50_000)
  res = await app.inject({ url: '/count', headers: { cookie: cookiePair(res) } })
  clock.tick(50_000)
  res = await app.inject({ url: '/count', headers: { cookie: cookiePair(res) } })
  t.same(res.json(), { n: 3 })
  t.match(sessionSetCookie(res), /; Max-Age=20;/, 'Max-Age is what is left of the absolute lifetime')

  clock.tick(19_999)
  const justBefore = await app.inject({ url: '/read', headers: { cookie: cookiePair(res) } })
  t.same(justBefore.json(), { n: 3, isNew: false }, 'alive 1 ms before the absolute limit')
  t.match(sessionSetCookie(justBefore), /; Max-Age=1;/, 'a refresh this late keeps the cookie to the end (rounded up)')

  clock.tick(1)
  const at = await app.inject({ url: '/read', headers: { cookie: cookiePair(res) } })
  t.same(at.json(), { n: null, isNew: true }, 'gone at the absolute limit')
  t.match(sessionSetCookie(at), /^sid=; Max-Age=0;/)
  t.same(reasons(logs.lines), ['expired-absolute'])
})

t.test('an expired session written to again starts over with a new id and fresh lifetimes', async (t) => {
  const clock = fakeClock(t)
  const app = await build(t, { ttl: 60, absoluteTtl: 120 }, (app) => {
    app.get('/id', async (request) => {
      request.session.touch()
      ;(request.session as unknown as { set (k: string, v: unknown): void }).set('x', 1)
      return { id: request.session.id, isNew: request.session.isNew }
    })
  })
  const first = await app.inject('/id')
  clock.tick(60_000)
  const again = await app.inject({ url: '/id', headers: { cookie: cookiePair(first) } })
  t.equal(again.json().isNew, true)
  t.not(again.json().id, first.json().id)
  t.match(sessionSetCookie(again), /^sid=[A-Za-z0-9_-]+; Max-Age=60;/, 'a new cookie replaces the clearing one')
})
