// Routes without sessions: `config: { session: false }` on one route, or `withoutSessions` for a whole
// scope (static files, a health check under a prefix). Such a route reads no cookie, opens nothing,
// reads no store and sets no cookie, whatever comes in; its request.session is one shared empty
// session that refuses writes with FST_SESSION_DISABLED.
import type { FastifyInstance } from 'fastify'
import t from 'tap'
import { withoutSessions, type SessionStore } from '../../lib/index.js'
import { build, captureLogs, cookiePair, loginRoutes, loose, setCookies } from '../helpers/index.js'
import { BrowserJar, listen } from '../helpers/http.js'
import { countReads, everyStore, type CountingStore } from '../helpers/plugin-stores.js'

function routes (app: FastifyInstance): void {
  loginRoutes(app)
  app.get('/plain', { config: { session: false } }, async (request) => ({
    user: loose(request).get('userId') ?? null,
    off: request.routeOptions.config.session === false
  }))
  app.get('/write', { config: { session: false } }, async (request) => {
    loose(request).set('userId', 'mallory')
    return { unreachable: true }
  })
  app.register(async (scope) => {
    await scope.register(withoutSessions)
    scope.get('/live', async (request) => ({ ok: true, off: request.routeOptions.config.session === false, isNew: request.session.isNew }))
  }, { prefix: '/health' })
}

everyStore(t, 'a route without sessions does no session work, whatever cookie comes in', async (t, store, name) => {
  const counting: CountingStore | undefined = name === 'cookie store' ? undefined : countReads(store as SessionStore)
  const logs = captureLogs()
  const app = await build(t, { store: counting ?? store, saveUninitialized: true }, routes, logs.options)
  const base = await listen(app)
  const jar = new BrowserJar()
  await jar.fetch(`${base}/login`)
  const cookie = jar.header() as string
  const readsBefore = counting?.reads ?? 0
  const linesBefore = logs.lines.length

  for (const url of ['/plain', '/health/live']) {
    for (const sent of [cookie, 'sid=garbage', undefined]) {
      const res = await fetch(`${base}${url}`, { headers: sent === undefined ? {} : { cookie: sent } })
      t.equal(res.status, 200, `${url} with ${sent === undefined ? 'no cookie' : 'a cookie'}`)
      t.same(res.headers.getSetCookie(), [], 'no Set-Cookie, not even a clear or saveUninitialized\'s new cookie')
      const body = await res.json() as { off: boolean }
      t.equal(body.off, true, 'request.routeOptions.config.session is false')
    }
  }
  t.same(await (await fetch(`${base}/plain`, { headers: { cookie } })).json(), { user: null, off: true }, 'the session is not loaded')
  t.equal(counting?.reads ?? 0, readsBefore, 'no store read')
  t.same(logs.lines.slice(linesBefore).filter((l) => l.session !== undefined), [], 'no session was opened or rejected')

  const write = await fetch(`${base}/write`, { headers: { cookie } })
  t.equal(write.status, 500)
  t.equal((await write.json() as { code: string }).code, 'FST_SESSION_DISABLED')
  t.same(await (await jar.fetch(`${base}/me`)).json(), { user: 'alice' }, 'session routes beside them work as before')
})

t.test('the session of a route without sessions: one shared, empty, read-only object', async (t) => {
  const seen: unknown[] = []
  const app = await build(t, {}, (app) => {
    app.get('/off', { config: { session: false } }, async (request) => {
      const s = request.session
      seen.push(s)
      const refused: Record<string, string> = {}
      const attempts: Record<string, () => unknown> = {
        set: () => { loose(request).set('k', 1) },
        delete: () => loose(request).delete('k'),
        clear: () => { s.clear() },
        touch: () => { s.touch() },
        options: () => { s.options({ maxAge: 1 }) },
        regenerate: async () => { await s.regenerate() },
        destroy: async () => { await s.destroy() },
        save: async () => { await s.save() },
        reload: async () => { await s.reload() }
      }
      for (const [method, attempt] of Object.entries(attempts)) {
        try {
          await attempt()
        } catch (err) {
          refused[method] = (err as { code: string }).code
        }
      }
      return {
        refused,
        get: loose(request).get('userId') ?? null,
        has: loose(request).has('userId'),
        data: s.data(),
        id: s.id,
        isNew: s.isNew,
        changed: s.changed,
        keys: Object.keys(s)
      }
    })
  })
  const cookie = 'sid=whatever'
  const res = await app.inject({ url: '/off', headers: { cookie } })
  const body = res.json()
  const code = 'FST_SESSION_DISABLED'
  t.same(body.refused, { set: code, delete: code, clear: code, touch: code, options: code, regenerate: code, destroy: code, save: code, reload: code })
  t.same(body, { refused: body.refused, get: null, has: false, data: {}, id: '', isNew: true, changed: false, keys: [] })
  await app.inject('/off')
  t.equal(seen.length, 2)
  t.equal(seen[0], seen[1], 'the same object on every request: nothing allocated per request')
  t.ok(Object.isFrozen(seen[0]))
})

t.test('a session route beside a route that opted out, in the same scope, keeps its session', async (t) => {
  const app = await build(t, {}, (app) => {
    loginRoutes(app)
    app.get('/off', { config: { session: false } }, async () => ({ ok: true }))
    app.get('/on', { config: { session: true } }, async (request) => ({ user: loose(request).get('userId') ?? null }))
  })
  const cookie = cookiePair(await app.inject('/login')) as string
  t.same((await app.inject({ url: '/me', headers: { cookie } })).json(), { user: 'alice' })
  t.same((await app.inject({ url: '/on', headers: { cookie } })).json(), { user: 'alice' }, 'session: true is the default')
  t.same(setCookies(await app.inject({ url: '/off', headers: { cookie } })), [])
})
