// require: 'guarded': only routes whose guard has { bound: true } need the bound cookie; a browser
// asking for HTML is sent to redirectTo, an API client gets 401 JSON.
import t from 'tap'
import { MemoryStore, requireAdmin, requireLogin, requireRole } from '../../lib/index.js'
import { boundBrowser, dbscApp } from '../helpers/dbsc-scenario.js'
import { build, fakeClock, loginRoutes, loose } from '../helpers/index.js'

t.test('guarded routes', async (t) => {
  const clock = fakeClock(t, Date.now())
  const store = new MemoryStore()
  t.teardown(() => store.close())
  const { base } = await dbscApp(t, store, { dbsc: { require: 'guarded' } }, (app) => {
    loginRoutes(app)
    app.get('/login-admin', async (request) => {
      await request.session.regenerate()
      loose(request).set('userId', 'alice')
      loose(request).set('role', 'admin')
      return { ok: true }
    })
    app.get('/private', { preHandler: requireLogin({ bound: true, redirectTo: '/login' }) }, async () => ({ ok: true }))
    app.get('/admin', { preHandler: requireAdmin({ bound: true }) }, async () => ({ ok: true }))
    app.get('/admin-page', { preHandler: requireAdmin({ bound: true, redirectTo: '/login' }) }, async () => ({ ok: true }))
    app.get('/editor-page', { preHandler: requireRole('editor', { bound: true, redirectTo: '/login' }) }, async () => ({ ok: true }))
    app.get('/editor', { preHandler: requireRole('editor', { bound: true }) }, async () => ({ ok: true }))
  })
  const browser = await boundBrowser(t, base)
  t.equal((await browser.fetch('/private')).status, 200, 'a bound route with the bound cookie')
  clock.tick(601_000)
  t.same(await (await browser.fetch('/me')).json(), { user: 'alice' }, 'an unguarded route does not ask for the bound cookie')
  const html = await browser.fetch('/private', { headers: { accept: 'text/html' } })
  t.equal(html.status, 303, 'a page request is redirected')
  t.equal(html.headers.get('location'), '/login')
  t.equal(html.headers.get('cache-control'), 'no-store')
  t.same(await (await browser.fetch('/me')).json(), { user: null }, 'and its session cookie was cleared')

  const admin = await boundBrowser(t, base)
  await admin.fetch('/login-admin')
  await admin.register()
  t.equal((await admin.fetch('/admin')).status, 200, 'requireAdmin with the bound cookie')
  t.equal((await admin.fetch('/editor')).status, 403, 'the role is still checked')
  clock.tick(601_000)
  const page = await fetch(`${base}/admin-page`, { redirect: 'manual', headers: { accept: 'text/html', cookie: `sid=${admin.jar.get('sid') as string}` } })
  t.equal(page.status, 303, 'requireAdmin redirects a page request too')
  t.equal(page.headers.get('location'), '/login')
  const editor = await fetch(`${base}/editor-page`, { redirect: 'manual', headers: { accept: 'text/html', cookie: `sid=${admin.jar.get('sid') as string}` } })
  t.equal(editor.status, 303, 'the redirect ends the guard: no role check (and no 403) after it')
  const api = await admin.fetch('/admin')
  t.equal(api.status, 401)
  t.match(await api.json(), { code: 'FST_SESSION_DBSC_UNBOUND' })
})

t.test('{ bound: true } on a session without dbsc is a coded error, not a pass', async (t) => {
  const app = await build(t, {}, (app) => {
    loginRoutes(app)
    app.get('/private', { preHandler: requireLogin({ bound: true }) }, async () => ({ ok: true }))
  })
  const login = await app.inject('/login')
  const res = await app.inject({ url: '/private', headers: { cookie: login.headers['set-cookie'] as string } })
  t.equal(res.statusCode, 500)
  t.equal(res.json().code, 'FST_SESSION_INVALID_OPTION')
})
