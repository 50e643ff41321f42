// `config: { session: false }` and `withoutSessions` mean the same whatever the order in which the
// plugin, the routes and `withoutSessions` were declared: the route's session is decided per request
// from the route as it is, and guarded routes are checked once the app is ready.
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify'
import t, { type Test } from 'tap'
import fastifySession, { requireLogin, withoutSessions } from '../../lib/index.js'
import { loose, SECRET, setCookies } from '../helpers/index.js'

const OPTIONS = { secret: SECRET, saveUninitialized: true }
const CODE = 'FST_SESSION_GUARD_WITHOUT_SESSION'

/** A handler telling whether its request has a session: a session-less one refuses writes. */
async function probe (request: FastifyRequest): Promise<{ session: boolean }> {
  try {
    loose(request).set('seen', true)
    return { session: true }
  } catch (err) {
    if ((err as { code?: string }).code === 'FST_SESSION_DISABLED') return { session: false }
    throw err
  }
}

/** Asks `url` and checks that its answer agrees with its Set-Cookie (saveUninitialized sets one). */
async function hasSession (t: Test, app: FastifyInstance, url: string): Promise<boolean> {
  const res = await app.inject(url)
  t.equal(res.statusCode, 200, url)
  const { session } = res.json<{ session: boolean }>()
  t.equal(setCookies(res).length, session ? 1 : 0, `${url}: a cookie only with a session`)
  return session
}

function fresh (t: Test): FastifyInstance {
  const app = Fastify()
  t.teardown(() => app.close())
  return app
}

t.test('a route declared while the plugin is still loading (register not awaited) has no session', async (t) => {
  const app = fresh(t)
  app.register(fastifySession, OPTIONS) // not awaited: the route below is declared before the plugin loads
  app.get('/health', { config: { session: false } }, probe)
  app.get('/page', probe)
  t.equal(await hasSession(t, app, '/health'), false)
  t.equal(await hasSession(t, app, '/page'), true, 'its neighbour declared the same way keeps its session')
})

t.test('a route declared before the plugin is registered in its scope has no session', async (t) => {
  const app = fresh(t)
  await app.register(async (child) => {
    child.get('/health', { config: { session: false } }, probe)
    child.get('/page', probe)
    await child.register(fastifySession, OPTIONS)
  })
  t.equal(await hasSession(t, app, '/health'), false)
  t.equal(await hasSession(t, app, '/page'), true)
})

t.test('withoutSessions registered after the routes of its scope still takes their session away', async (t) => {
  const app = fresh(t)
  await app.register(fastifySession, OPTIONS)
  await app.register(async (scope) => {
    scope.get('/live', probe)
    await scope.register(async (inner) => { inner.get('/ready', probe) })
    await scope.register(withoutSessions)
  }, { prefix: '/health' })
  app.get('/page', probe)
  t.equal(await hasSession(t, app, '/health/live'), false)
  t.equal(await hasSession(t, app, '/health/ready'), false, 'in a child scope made before it too')
  t.equal(await hasSession(t, app, '/page'), true, 'outside the scope, sessions stay')
})

t.test('a guarded route, then withoutSessions in its scope: startup fails', async (t) => {
  const app = fresh(t)
  await app.register(fastifySession, OPTIONS)
  await app.register(async (scope) => {
    scope.get('/admin', { preHandler: requireLogin() }, probe)
    await scope.register(withoutSessions)
  })
  await t.rejects(async () => { await app.ready() }, { code: CODE })
})

t.test('in a withoutSessions scope, a route opting out by itself does not hide a guarded one after it', async (t) => {
  const app = fresh(t)
  await app.register(fastifySession, OPTIONS)
  await app.register(async (scope) => {
    await scope.register(withoutSessions)
    scope.get('/plain', { config: { session: false } }, probe)
    scope.get('/admin', { preHandler: requireLogin() }, probe)
  })
  await t.rejects(async () => { await app.ready() }, { code: CODE })
})

t.test('a guard reading a session registered after its route starts fine', async (t) => {
  const app = fresh(t)
  await app.register(fastifySession, OPTIONS)
  app.get('/admin', { preHandler: requireLogin({ sessionName: 'adminSession' }) }, probe)
  await app.register(fastifySession, { ...OPTIONS, sessionName: 'adminSession', cookieName: 'admin' })
  await app.ready()
  t.equal((await app.inject('/admin')).statusCode, 401)
})

t.test('a guarded route without sessions declared before the plugin answers 500 with the code', async (t) => {
  // Fastify shows a route only to the onRoute hooks in place when it is declared, so startup cannot see
  // this one; its guard refuses each request with the startup check's code rather than a 401.
  const app = fresh(t)
  app.register(fastifySession, OPTIONS) // not awaited: the route below is declared before the plugin loads
  app.get('/admin', { config: { session: false }, preHandler: requireLogin() }, probe)
  const res = await app.inject('/admin')
  t.equal(res.statusCode, 500)
  t.equal(res.json<{ code: string }>().code, CODE)
})
