// The guards' default check reads the session's own `userKey`, per named session: an app that names
// its user `accountId` must not get 401 on every guarded route.
import Fastify, { type FastifyInstance } from 'fastify'
import t from 'tap'
import fastifySession, { requireLogin, requireRole, type FastifySessionOptions } from '../../lib/index.js'
import { build, cookiePair, loose, OTHER_SECRET, SECRET } from '../helpers/index.js'

function routes (app: FastifyInstance): void {
  app.post('/login', async (request) => {
    for (const [k, v] of Object.entries(request.body as Record<string, unknown>)) loose(request).set(k, v)
    return { ok: true }
  })
  app.get('/me', { preHandler: requireLogin() }, async () => ({ me: true }))
  app.get('/admin', { preHandler: requireRole('admin') }, async () => ({ admin: true }))
}

async function login (app: FastifyInstance, data: Record<string, unknown>, name = 'sid'): Promise<string> {
  return cookiePair(await app.inject({ method: 'POST', url: '/login', payload: data }), name) as string
}

t.test('requireLogin with userKey accountId: 200 logged in, 401 not, and userId is not a login', async (t) => {
  const app = await build(t, { userKey: 'accountId' }, routes)
  const ok = await app.inject({ url: '/me', headers: { cookie: await login(app, { accountId: 'a-1' }) } })
  t.equal(ok.statusCode, 200)
  t.same(ok.json(), { me: true })
  const anonymous = await app.inject('/me')
  t.equal(anonymous.statusCode, 401)
  t.equal(anonymous.json().code, 'FST_SESSION_UNAUTHORIZED')
  const otherKey = await app.inject({ url: '/me', headers: { cookie: await login(app, { userId: 'u-1' }) } })
  t.equal(otherKey.statusCode, 401, 'the default key no longer counts')
})

t.test('requireRole implies login with the configured userKey: 401, then 403, then 200', async (t) => {
  const app = await build(t, { userKey: 'accountId' }, routes)
  const roleOnly = await app.inject({ url: '/admin', headers: { cookie: await login(app, { userId: 'u-1', role: 'admin' }) } })
  t.equal(roleOnly.statusCode, 401, 'a role without the user key is not logged in')
  t.equal(roleOnly.json().code, 'FST_SESSION_UNAUTHORIZED')
  const wrongRole = await app.inject({ url: '/admin', headers: { cookie: await login(app, { accountId: 'a-1', role: 'user' }) } })
  t.equal(wrongRole.statusCode, 403)
  t.equal(wrongRole.json().code, 'FST_SESSION_FORBIDDEN')
  const admin = await app.inject({ url: '/admin', headers: { cookie: await login(app, { accountId: 'a-1', role: 'admin' }) } })
  t.equal(admin.statusCode, 200)
})

t.test('two named sessions with different userKeys: each guard reads its own session\'s key', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(fastifySession, { secret: SECRET, userKey: 'accountId' })
  await app.register(fastifySession, { secret: OTHER_SECRET, sessionName: 'adminSession', cookieName: 'admin', userKey: 'staffId' } as FastifySessionOptions)
  app.post('/login', async (request) => {
    const { user, staff } = request.body as { user?: string, staff?: string }
    if (user !== undefined) loose(request).set('accountId', user)
    if (staff !== undefined) (request.adminSession as unknown as { set (k: string, v: unknown): void }).set('staffId', staff)
    return { ok: true }
  })
  app.get('/me', { preHandler: requireLogin() }, async () => ({ me: true }))
  app.get('/console', { preHandler: requireLogin({ sessionName: 'adminSession' }) }, async () => ({ console: true }))
  await app.ready()

  const user = await app.inject({ method: 'POST', url: '/login', payload: { user: 'a-1' } })
  const userCookie = cookiePair(user, 'sid') as string
  t.equal((await app.inject({ url: '/me', headers: { cookie: userCookie } })).statusCode, 200)
  t.equal((await app.inject({ url: '/console', headers: { cookie: userCookie } })).statusCode, 401, 'accountId is no staff login')

  const staff = await app.inject({ method: 'POST', url: '/login', payload: { staff: 's-1' } })
  const staffCookie = cookiePair(staff, 'admin') as string
  t.equal((await app.inject({ url: '/console', headers: { cookie: staffCookie } })).statusCode, 200)
  t.equal((await app.inject({ url: '/me', headers: { cookie: staffCookie } })).statusCode, 401, 'staffId is no user login')
})

t.test('one guard shared by sibling scopes reads the userKey of each route\'s own session', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  const guard = requireLogin()
  for (const [prefix, userKey] of [['/a', 'accountId'], ['/b', 'memberId']] as const) {
    await app.register(async (scope) => {
      await scope.register(fastifySession, { secret: SECRET, userKey, cookieName: prefix.slice(1) })
      scope.post('/login', async (request) => {
        loose(request).set(userKey, 'x')
        return { ok: true }
      })
      scope.get('/me', { preHandler: guard }, async () => ({ prefix }))
    }, { prefix })
  }
  await app.ready()
  const a = cookiePair(await app.inject({ method: 'POST', url: '/a/login' }), 'a') as string
  const b = cookiePair(await app.inject({ method: 'POST', url: '/b/login' }), 'b') as string
  t.equal((await app.inject({ url: '/a/me', headers: { cookie: a } })).statusCode, 200)
  t.equal((await app.inject({ url: '/b/me', headers: { cookie: b } })).statusCode, 200)
})

// Another plugin's request decorator (request.user of @fastify/jwt, say; `auth` here) is no session:
// a guard naming it must not call .get() on a token payload.
t.test('a guard naming another plugin\'s request decorator is no session: at startup, or 500 with a code', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(fastifySession, { secret: SECRET })
  app.decorateRequest('auth', null)
  app.addHook('onRequest', async (request) => { (request as unknown as { auth: unknown }).auth = { sub: 'u-1' } })
  app.get('/x', { preHandler: requireLogin({ sessionName: 'auth' }) }, async () => ({}))
  await t.rejects(async () => { await app.ready() }, { code: 'FST_SESSION_INVALID_OPTION', message: /"auth"/ })

  const hooked = Fastify()
  t.teardown(() => hooked.close())
  await hooked.register(fastifySession, { secret: SECRET })
  hooked.decorateRequest('auth', null)
  hooked.addHook('onRequest', async (request) => { (request as unknown as { auth: unknown }).auth = { sub: 'u-1' } })
  hooked.addHook('preHandler', requireLogin({ sessionName: 'auth' }))
  hooked.get('/x', async () => ({}))
  const res = await hooked.inject('/x')
  t.equal(res.statusCode, 500)
  t.equal(res.json().code, 'FST_SESSION_INVALID_OPTION')
})
