import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { build, cookiePair, loose, sessionSetCookie, setCookies } from '../helpers/index.js'

function routes (app: FastifyInstance): void {
  app.get('/app/login', async (request) => {
    loose(request).set('userId', 'u-1')
    return { id: request.session.id }
  })
  app.get('/app/logout', async (request) => {
    const before = request.session.id
    await request.session.destroy()
    return { before, data: request.session.data(), has: loose(request).has('userId'), changed: request.session.changed }
  })
  app.get('/app/logout-and-set', async (request) => {
    const before = request.session.id
    await request.session.destroy()
    loose(request).set('flash', 'bye')
    return { before, after: request.session.id, isNew: request.session.isNew }
  })
  app.get('/app/me', async (request) => ({ data: request.session.data(), isNew: request.session.isNew, id: request.session.id }))
}

t.test('destroy() empties the data and clears the cookie with the same Path and Domain', async (t) => {
  const app = await build(t, { cookie: { path: '/app', domain: 'example.com' } }, routes)
  const login = await app.inject('/app/login')
  t.match(sessionSetCookie(login), /; Path=\/app; Domain=example\.com;/)
  const res = await app.inject({ url: '/app/logout', headers: { cookie: cookiePair(login) } })
  t.same(res.json().data, {})
  t.equal(res.json().has, false)
  t.equal(res.json().changed, true)
  t.equal(sessionSetCookie(res), 'sid=; Max-Age=0; Path=/app; Domain=example.com; HttpOnly; SameSite=Lax')
  t.equal(setCookies(res).length, 1)
})

t.test('destroy() of a session that never had a cookie sends a clear and nothing else', async (t) => {
  const app = await build(t, {}, routes)
  const res = await app.inject('/app/logout')
  t.equal(sessionSetCookie(res), 'sid=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax')
})

t.test('data set after destroy() starts a new session with a new id', async (t) => {
  const app = await build(t, {}, routes)
  const login = await app.inject('/app/login')
  const res = await app.inject({ url: '/app/logout-and-set', headers: { cookie: cookiePair(login) } })
  const body = res.json()
  t.not(body.after, body.before)
  t.equal(body.isNew, true)
  t.equal(setCookies(res).length, 1, 'one Set-Cookie: the new session, not a clear as well')
  const me = await app.inject({ url: '/app/me', headers: { cookie: cookiePair(res) } })
  t.same(me.json(), { data: { flash: 'bye' }, isNew: false, id: body.after })
})
