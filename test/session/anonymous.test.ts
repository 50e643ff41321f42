import t from 'tap'
import { build, cookiePair, counterRoutes, sessionSetCookie, setCookies } from '../helpers/index.js'

t.test('anonymous read-only requests get no cookie', async (t) => {
  const app = await build(t, {}, (app) => {
    counterRoutes(app)
    app.get('/id', async (request) => ({ hasId: request.session.id.length > 0 }))
    app.get('/has', async (request) => ({ has: request.session.has('userId' as never), data: request.session.data() }))
  })
  for (const url of ['/read', '/nothing', '/id', '/has', '/missing-route']) {
    const res = await app.inject(url)
    t.same(setCookies(res), [], url)
  }
})

t.test('saveUninitialized: true sets a cookie for a session nobody wrote to', async (t) => {
  const app = await build(t, { saveUninitialized: true }, counterRoutes)
  const res = await app.inject('/nothing')
  t.match(sessionSetCookie(res), /^sid=[A-Za-z0-9_-]+; Max-Age=86400;/)
  const again = await app.inject({ url: '/read', headers: { cookie: cookiePair(res) } })
  t.same(again.json(), { n: null, isNew: false }, 'the empty session comes back as an existing one')
  t.same(setCookies(again), [], 'and is not re-sent while unchanged')
})

t.test('saveUninitialized: false (default) with a rejected cookie only clears it', async (t) => {
  const app = await build(t, {}, counterRoutes)
  const res = await app.inject({ url: '/nothing', headers: { cookie: 'sid=AAAA' } })
  t.same(setCookies(res), ['sid=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax'])
})

t.test('saveUninitialized: true with a rejected cookie replaces it with a new session', async (t) => {
  const app = await build(t, { saveUninitialized: true }, counterRoutes)
  const res = await app.inject({ url: '/nothing', headers: { cookie: 'sid=AAAA' } })
  t.equal(setCookies(res).length, 1)
  t.match(sessionSetCookie(res), /^sid=[A-Za-z0-9_-]+; Max-Age=86400;/)
})
