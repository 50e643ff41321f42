// More than one session: the plugin registered twice, with its own sessionName, cookie, secret,
// store and lifetimes each; guards that take { sessionName }; startup errors for a name or a cookie
// used twice; @fastify/cookie registered once.
import Fastify, { type FastifyInstance } from 'fastify'
import t from 'tap'
import fastifySession, { CookieStore, requireAdmin, requireLogin, type FastifySessionOptions, type SessionManager } from '../../lib/index.js'
import { OTHER_SECRET, SECRET, fakeClock, loose, type LooseSession } from '../helpers/index.js'
import { BrowserJar, listen } from '../helpers/http.js'
import { everyStore, type AnyStore } from '../helpers/plugin-stores.js'

function admin (request: unknown): LooseSession {
  return (request as { adminSession: LooseSession }).adminSession
}

async function twoSessions (t: { teardown (fn: () => unknown): void }, adminStore: AnyStore): Promise<{ app: FastifyInstance }> {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(fastifySession, { secret: SECRET, store: new CookieStore(), cookieName: 'prefs', ttl: 30 * 86_400, absoluteTtl: 365 * 86_400 })
  await app.register(fastifySession, { secret: OTHER_SECRET, store: adminStore, cookieName: 'admin', sessionName: 'adminSession', ttl: 900, absoluteTtl: 3600 } as FastifySessionOptions)
  app.get('/theme/:theme', async (request) => {
    loose(request).set('theme', (request.params as { theme: string }).theme)
    return { ok: true }
  })
  app.get('/admin-login/:role', async (request) => {
    await admin(request).regenerate()
    admin(request).set('userId', 'root')
    admin(request).set('role', (request.params as { role: string }).role)
    return { ok: true }
  })
  app.get('/user-login', async (request) => {
    loose(request).set('userId', 'alice')
    loose(request).set('role', 'admin')
    return { ok: true }
  })
  app.get('/both', async (request) => ({
    theme: loose(request).get('theme') ?? null,
    admin: admin(request).get('userId') ?? null,
    separate: request.session !== (request as unknown as { adminSession: unknown }).adminSession
  }))
  app.get('/console', { preHandler: requireAdmin({ sessionName: 'adminSession' }) }, async () => ({ console: true }))
  app.get('/off', { config: { session: false } }, async (request) => ({
    same: request.session === (request as unknown as { adminSession: unknown }).adminSession,
    isNew: request.session.isNew
  }))
  await app.ready()
  return { app }
}

everyStore(t, 'two sessions side by side, each with its own cookie, secret, store and lifetimes', async (t, store, name) => {
  const clock = fakeClock(t)
  const { app } = await twoSessions(t, store)
  const base = await listen(app)
  const jar = new BrowserJar()

  await jar.fetch(`${base}/theme/dark`)
  t.ok(jar.get('prefs'))
  t.equal(jar.get('admin'), undefined, 'setting a preference does not start an admin session')
  const denied = await jar.fetch(`${base}/console`)
  t.equal(denied.status, 401, 'the guard reads the admin session only')
  await jar.fetch(`${base}/user-login`)
  t.equal((await jar.fetch(`${base}/console`)).status, 401, 'an admin role in the other session does not count')

  await jar.fetch(`${base}/admin-login/user`)
  t.equal((await jar.fetch(`${base}/console`)).status, 403)
  await jar.fetch(`${base}/admin-login/admin`)
  t.same(await (await jar.fetch(`${base}/console`)).json(), { console: true })
  t.same(await (await jar.fetch(`${base}/both`)).json(), { theme: 'dark', admin: 'root', separate: true })

  const swapped = await fetch(`${base}/both`, { headers: { cookie: `prefs=${jar.get('admin') as string}; admin=${jar.get('prefs') as string}` } })
  t.same(await swapped.json(), { theme: null, admin: null, separate: true }, 'neither cookie opens under the other\'s name and secret')

  const off = await jar.fetch(`${base}/off`)
  t.same(await off.json(), { same: true, isNew: true }, 'config.session false switches every session off')
  t.same(off.headers.getSetCookie(), [])

  clock.tick(901_000)
  t.same(await (await jar.fetch(`${base}/both`)).json(), { theme: 'dark', admin: null, separate: true }, 'the admin session timed out on its own')

  const manager = (app as unknown as { adminSession: SessionManager }).adminSession
  if (name === 'cookie store') {
    await t.rejects(manager.revokeUser('root'), { code: 'FST_SESSION_NOT_SUPPORTED' })
  } else {
    await jar.fetch(`${base}/admin-login/admin`)
    // Redis still holds the timed-out record (its TTL runs on real time, the test's clock is fake).
    t.ok(await manager.revokeUser('root') >= 1, 'app.adminSession works on the admin store')
    t.equal((await jar.fetch(`${base}/console`)).status, 401)
  }
  await t.rejects(app.session.revokeUser('alice'), { code: 'FST_SESSION_NOT_SUPPORTED' }, 'app.session is the cookie store\'s')
})

t.test('hooks are named after the session they serve', async (t) => {
  const { app } = await twoSessions(t, new CookieStore())
  const hooks = app.printRoutes({ includeHooks: true, commonPrefix: false })
  for (const name of ['loadSession', 'persistSession', 'loadAdminSession', 'persistAdminSession']) t.match(hooks, name)
})

async function startup (register: (app: FastifyInstance) => Promise<void>): Promise<{ app: FastifyInstance }> {
  const app = Fastify()
  try {
    await register(app)
    await app.ready()
  } finally {
    await app.close()
  }
  return { app }
}

t.test('a second session with the same sessionName or cookieName fails startup with a coded error', async (t) => {
  await t.rejects(startup(async (app) => {
    await app.register(fastifySession, { secret: SECRET })
    await app.register(fastifySession, { secret: OTHER_SECRET, cookieName: 'other' })
  }), { code: 'FST_SESSION_DUPLICATE', message: /sessionName "session"/ })
  await t.rejects(startup(async (app) => {
    await app.register(fastifySession, { secret: SECRET })
    await app.register(fastifySession, { secret: OTHER_SECRET, sessionName: 'adminSession' })
  }), { code: 'FST_SESSION_DUPLICATE', message: /cookieName "sid"/ })
  await t.rejects(startup(async (app) => {
    await app.register(fastifySession, { secret: SECRET, sessionName: 'admin$1' })
    await app.register(async (child) => {
      await child.register(fastifySession, { secret: SECRET, sessionName: 'admin$1', cookieName: 'other' })
    })
  }), { code: 'FST_SESSION_DUPLICATE' }, 'a child scope sees its parent\'s sessions')
})

t.test('sibling scopes may each have their own session of the same name', async (t) => {
  const { app } = await startup(async (app) => {
    for (const prefix of ['/a', '/b']) {
      await app.register(async (scope) => {
        await scope.register(fastifySession, { secret: SECRET })
        scope.get('/', async (request) => ({ isNew: request.session.isNew }))
      }, { prefix })
    }
  })
  t.ok(app)
})

t.test('sessionName must be an identifier, and a guard must name a registered session', async (t) => {
  for (const sessionName of ['', '1st', 'admin-session', 'a b', 42]) {
    await t.rejects(startup(async (app) => {
      await app.register(fastifySession, { secret: SECRET, sessionName } as FastifySessionOptions)
    }), { code: 'FST_SESSION_INVALID_OPTION' }, JSON.stringify(sessionName))
  }
  await t.rejects(startup(async (app) => {
    await app.register(fastifySession, { secret: SECRET })
    app.get('/x', { preHandler: requireLogin({ sessionName: 'adminSession' }) }, async () => ({}))
  }), { code: 'FST_SESSION_INVALID_OPTION', message: /adminSession/ })
})
