import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { build, cookiePair, fakeClock, loose, setCookies } from '../helpers/index.js'

function routes (app: FastifyInstance): void {
  app.get('/login', async (request) => {
    loose(request).set('userId', 'u-1')
    return { id: request.session.id }
  })
  app.get('/me', async (request) => ({ id: request.session.id, userId: loose(request).get('userId') ?? null }))
}

t.test('the cookie store gives a session a new id after renewAfter, keeping its data', async (t) => {
  const clock = fakeClock(t)
  const app = await build(t, { renewAfter: 60 }, routes)
  const login = await app.inject('/login')
  const id = login.json().id

  clock.tick(59_999)
  const before = await app.inject({ url: '/me', headers: { cookie: cookiePair(login) } })
  t.same(before.json(), { id, userId: 'u-1' }, 'same id before renewAfter')
  t.same(setCookies(before), [], 'and no cookie')

  clock.tick(1)
  const due = await app.inject({ url: '/me', headers: { cookie: cookiePair(login) } })
  t.equal(setCookies(due).length, 1, 'a read-only request renews')
  const after = await app.inject({ url: '/me', headers: { cookie: cookiePair(due) } })
  t.equal(after.json().userId, 'u-1', 'data kept')
  t.not(after.json().id, id, 'new id')

  clock.tick(59_999)
  const quiet = await app.inject({ url: '/me', headers: { cookie: cookiePair(due) } })
  t.same(setCookies(quiet), [], 'renewAfter counts from the renewal')
  clock.tick(1)
  const again = await app.inject({ url: '/me', headers: { cookie: cookiePair(due) } })
  t.equal(setCookies(again).length, 1, 'and renews again')
})

t.test('renewal keeps the creation time: absoluteTtl still ends the session', async (t) => {
  const clock = fakeClock(t)
  const app = await build(t, { renewAfter: 60, ttl: 100, absoluteTtl: 150 }, routes)
  let res = await app.inject('/login')
  clock.tick(80_000)
  res = await app.inject({ url: '/me', headers: { cookie: cookiePair(res) } })
  t.equal(res.json().userId, 'u-1')
  clock.tick(70_000)
  res = await app.inject({ url: '/me', headers: { cookie: cookiePair(res) } })
  t.same(res.json().userId, null, 'gone 150 s after creation although renewed at 80 s')
})
