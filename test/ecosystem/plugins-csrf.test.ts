import csrf from '@fastify/csrf-protection'
import t, { type Test } from 'tap'
import { build } from '../helpers/index.js'
import { type AnyStore, Jar, LOCAL_STORES, redisStore } from '../helpers/plugin-stores.js'
import { redisSkip } from '../helpers/redis-server.js'

// With sessionPlugin '@fastify/secure-session', @fastify/csrf-protection keeps its secret through
// request.session.get/set('_csrf'): the API our Session shares with @fastify/secure-session.
async function csrfSuite (t: Test, store: AnyStore): Promise<void> {
  const app = await build(t, { store }, async (app) => {
    await app.register(csrf, { sessionPlugin: '@fastify/secure-session' })
    app.get('/form', async (_request, reply) => ({ token: reply.generateCsrf() }))
    // preHandler, not onRequest: the token may come in the body, parsed only after onRequest.
    app.post('/transfer', { preHandler: app.csrfProtection }, async () => ({ done: true }))
  })

  const noSession = await app.inject({ method: 'POST', url: '/transfer', payload: { amount: 1 } })
  t.equal(noSession.statusCode, 403, 'no session: no secret, refused')
  t.equal(noSession.json().code, 'FST_CSRF_MISSING_SECRET')

  const jar = new Jar()
  const form = jar.take(await app.inject({ url: '/form' }))
  const { token } = form.json() as { token: string }
  t.ok(jar.get('sid'), 'the csrf secret lives in the session')
  t.notOk(jar.get('_csrf'), 'no separate csrf cookie: the session carries the secret')

  const without = await app.inject({ method: 'POST', url: '/transfer', headers: jar.headers(), payload: { amount: 1 } })
  t.equal(without.statusCode, 403, 'a session without the token is refused')
  t.equal(without.json().code, 'FST_CSRF_INVALID_TOKEN')

  const forged = await app.inject({
    method: 'POST', url: '/transfer', headers: jar.headers(), payload: { amount: 1, _csrf: `${token.slice(0, -2)}xx` }
  })
  t.equal(forged.statusCode, 403, 'a forged token is refused')

  const withToken = await app.inject({
    method: 'POST', url: '/transfer', headers: jar.headers(), payload: { amount: 1, _csrf: token }
  })
  t.equal(withToken.statusCode, 200, 'the token of this session succeeds')
  t.same(withToken.json(), { done: true })

  const viaHeader = await app.inject({
    method: 'POST', url: '/transfer', headers: { ...jar.headers(), 'x-csrf-token': token }, payload: { amount: 1 }
  })
  t.equal(viaHeader.statusCode, 200, 'the token in a header succeeds too')

  const other = new Jar()
  other.take(await app.inject({ url: '/form' }))
  const stolen = await app.inject({
    method: 'POST', url: '/transfer', headers: other.headers(), payload: { amount: 1, _csrf: token }
  })
  t.equal(stolen.statusCode, 403, "another session's token is refused")
  t.equal(stolen.json().code, 'FST_CSRF_INVALID_TOKEN')
}

for (const [name, makeStore] of LOCAL_STORES) {
  t.test(`@fastify/csrf-protection (sessionPlugin '@fastify/secure-session') on the ${name}`, async (t) => {
    await csrfSuite(t, makeStore())
  })
}

t.test('@fastify/csrf-protection (sessionPlugin \'@fastify/secure-session\') on the redis store', { skip: redisSkip() }, async (t) => {
  await csrfSuite(t, await redisStore(t))
})
