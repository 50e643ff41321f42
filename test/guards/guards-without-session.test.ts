// A guard on a route without sessions could never pass: it fails at startup, with a coded error,
// rather than answering 401 to everyone at run time.
import Fastify, { type FastifyInstance } from 'fastify'
import t from 'tap'
import fastifySession, { requireAdmin, requireLogin, requireRole, withoutSessions } from '../../lib/index.js'
import { SECRET } from '../helpers/index.js'

/** Starts an app with `routes` in a scope of their own; resolves to it once ready. */
async function start (t: { teardown (fn: () => unknown): void }, routes: (app: FastifyInstance) => void | Promise<void>): Promise<{ app: FastifyInstance }> {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(fastifySession, { secret: SECRET })
  await app.register(async (scope) => { await routes(scope) })
  await app.ready()
  // Wrapped: a Fastify instance is thenable, and awaiting it would mean ready() again.
  return { app }
}

const CODE = 'FST_SESSION_GUARD_WITHOUT_SESSION'

for (const [name, make] of [
  ['requireLogin', () => requireLogin()],
  ['requireRole', () => requireRole('editor')],
  ['requireAdmin', () => requireAdmin()]
] as const) {
  t.test(`${name} on a route with config.session false fails startup`, async (t) => {
    await t.rejects(start(t, (app) => {
      app.get('/x', { config: { session: false }, preHandler: make() }, async () => ({}))
    }), { code: CODE })
  })

  t.test(`${name} on a route of a withoutSessions scope fails startup, in a list of hooks too`, async (t) => {
    await t.rejects(start(t, async (app) => {
      await app.register(withoutSessions)
      app.get('/x', { preHandler: [async () => {}, make()] }, async () => ({}))
    }), { code: CODE })
  })
}

t.test('a guard put in onRequest is caught too', async (t) => {
  await t.rejects(start(t, (app) => {
    app.get('/x', { config: { session: false }, onRequest: requireLogin() }, async () => ({}))
  }), { code: CODE })
})

t.test('guards on session routes, and plain hooks on routes without sessions, start fine', async (t) => {
  const { app: a } = await start(t, (app) => {
    app.get('/guarded', { preHandler: requireLogin() }, async () => ({}))
    app.get('/open', { config: { session: false }, preHandler: async () => {}, onRequest: [async () => {}] }, async () => ({ ok: true }))
  })
  t.equal((await a.inject('/guarded')).statusCode, 401)
  t.equal((await a.inject('/open')).statusCode, 200)
})

// A guard added with addHook belongs to a scope, and Fastify shows no route a scope's hooks at
// startup: such a guard fails on the request instead, with the same code, never as a 401 that looks
// like a logged-out user, and never as an uncaught TypeError.
for (const [name, make] of [
  ['requireLogin', () => requireLogin()],
  ['requireRole', () => requireRole('editor')]
] as const) {
  t.test(`${name} added with addHook to a withoutSessions scope answers 500 ${CODE}`, async (t) => {
    const { app } = await start(t, async (scope) => {
      await scope.register(withoutSessions)
      scope.addHook('preHandler', make())
      scope.get('/health', async () => ({ ok: true }))
    })
    const res = await app.inject('/health')
    t.equal(res.statusCode, 500)
    t.equal(res.json().code, CODE)
    t.match(res.json().message, 'GET /health')
  })
}

t.test('an app-wide guard reaching a route with config.session false names that route', async (t) => {
  const { app } = await start(t, (scope) => {
    scope.addHook('preHandler', requireLogin())
    scope.get('/health', { config: { session: false } }, async () => ({ ok: true }))
    scope.get('/me', async () => ({ ok: true }))
  })
  const health = await app.inject('/health')
  t.equal(health.statusCode, 500)
  t.equal(health.json().code, CODE)
  t.match(health.json().message, 'GET /health')
  // The same guard on an ordinary route of the scope still answers as a guard does.
  t.equal((await app.inject('/me')).statusCode, 401)
})

t.test('a guard added with addHook that names no registered session answers 500 FST_SESSION_INVALID_OPTION', async (t) => {
  const { app } = await start(t, (scope) => {
    scope.addHook('preHandler', requireLogin({ sessionName: 'adminSession' }))
    scope.get('/admin', async () => ({ ok: true }))
  })
  const res = await app.inject('/admin')
  t.equal(res.statusCode, 500)
  t.equal(res.json().code, 'FST_SESSION_INVALID_OPTION')
  t.match(res.json().message, 'reads the session "adminSession"')
})
