import t from 'tap'
import type { FastifyInstance } from 'fastify'
import type { CookieOverrides } from '../../lib/index.js'
import { build, cookiePair, loose, sessionSetCookie, setCookies } from '../helpers/index.js'

function routes (app: FastifyInstance): void {
  app.get('/login', async (request) => {
    loose(request).set('userId', 'u-1')
    if ((request.query as { remember?: string }).remember !== undefined) request.session.options({ maxAge: 30 * 86_400 })
    return { ok: true }
  })
  app.post('/override', async (request) => {
    request.session.options(request.body as CookieOverrides)
    return { ok: true }
  })
  app.post('/override-and-logout', async (request) => {
    request.session.options(request.body as CookieOverrides)
    await request.session.destroy()
    return { ok: true }
  })
  app.post('/bad', async (request) => {
    try {
      request.session.options(request.body as CookieOverrides)
      return { code: null }
    } catch (err) {
      return { code: (err as { code: string }).code }
    }
  })
  app.get('/me', async (request) => ({ userId: loose(request).get('userId') ?? null }))
}

t.test('options({ maxAge }) gives a remember-me cookie its longer Max-Age', async (t) => {
  const app = await build(t, {}, routes)
  const plain = await app.inject('/login')
  t.match(sessionSetCookie(plain), /; Max-Age=86400;/)
  const remembered = await app.inject('/login?remember')
  t.equal(sessionSetCookie(remembered), `${cookiePair(remembered) as string}; Max-Age=2592000; Path=/; HttpOnly; SameSite=Lax`)
  const me = await app.inject({ url: '/me', headers: { cookie: cookiePair(remembered) } })
  t.same(me.json(), { userId: 'u-1' })
})

t.test('options() re-sends the cookie of a live session with the new attributes', async (t) => {
  const app = await build(t, {}, routes)
  const login = await app.inject('/login')
  const res = await app.inject({
    method: 'POST',
    url: '/override',
    headers: { cookie: cookiePair(login) },
    payload: { path: '/app', domain: 'example.com', secure: true, httpOnly: false, sameSite: 'strict', partitioned: true }
  })
  t.equal(sessionSetCookie(res), `${cookiePair(res) as string}; Max-Age=86400; Path=/app; Domain=example.com; Secure; SameSite=Strict; Partitioned`)
})

t.test('options() merges: later calls add to earlier ones', async (t) => {
  const app = await build(t, {}, (app) => {
    routes(app)
    app.get('/twice', async (request) => {
      loose(request).set('a', 1)
      request.session.options({ maxAge: 60 })
      request.session.options({ sameSite: 'strict' })
      return { ok: true }
    })
  })
  const res = await app.inject('/twice')
  t.match(sessionSetCookie(res), /; Max-Age=60; Path=\/; HttpOnly; SameSite=Strict$/)
})

t.test('options() on an anonymous session sets no cookie', async (t) => {
  const app = await build(t, {}, routes)
  const res = await app.inject({ method: 'POST', url: '/override', payload: { maxAge: 60 } })
  t.same(setCookies(res), [])
})

t.test('a cleared cookie uses the overridden Path and Domain, with Max-Age=0', async (t) => {
  const app = await build(t, {}, routes)
  const login = await app.inject('/login')
  const res = await app.inject({
    method: 'POST',
    url: '/override-and-logout',
    headers: { cookie: cookiePair(login) },
    payload: { path: '/app', domain: 'example.com', maxAge: 999 }
  })
  t.equal(sessionSetCookie(res), 'sid=; Max-Age=0; Path=/app; Domain=example.com; HttpOnly; SameSite=Lax')
})

t.test('bad overrides throw FST_SESSION_INVALID_OPTION', async (t) => {
  const app = await build(t, {}, routes)
  const bad = [
    { maxAge: -1 }, { maxAge: 1.5 }, { maxAge: '60' }, { maxAge: Number.NaN },
    { path: 'app' }, { path: '/a;b' }, { path: 7 }, { domain: 'a;b' }, { domain: '' }, { domain: 1 },
    { secure: 'yes' }, { httpOnly: 1 }, { partitioned: 'no' }, { sameSite: 'Lax' }, { sameSite: 1 }
  ]
  for (const payload of bad) {
    const res = await app.inject({ method: 'POST', url: '/bad', payload })
    t.same(res.json(), { code: 'FST_SESSION_INVALID_OPTION' }, JSON.stringify(payload))
  }
  const good = await app.inject({ method: 'POST', url: '/bad', payload: { maxAge: 0, path: '/', domain: 'a.b', secure: false, httpOnly: true, partitioned: false, sameSite: 'strict' } })
  t.same(good.json(), { code: null }, 'every attribute at a valid value is accepted')
})
