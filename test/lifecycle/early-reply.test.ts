import Fastify from 'fastify'
import t from 'tap'
import fastifySession, { type FastifySessionOptions } from '../../lib/index.js'
import { SECRET, setCookies } from '../helpers/index.js'

for (const [label, extra] of [['sync hooks', {}], ['async hooks (validate)', { validate: () => true }]] as const) {
  t.test(`${label}: an onRequest hook that replies before ours leaves the session null and onSend alone`, async (t) => {
    const app = Fastify()
    t.teardown(() => app.close())
    // Added before the plugin, so it runs first and answers before the session is loaded.
    app.addHook('onRequest', async (request, reply) => {
      if (request.url === '/blocked') return reply.code(429).send({ blocked: true })
    })
    await app.register(fastifySession, { secret: SECRET, ...extra } as FastifySessionOptions)
    let sessionSeen: unknown = 'unset'
    app.addHook('onSend', async (request, _reply, payload) => {
      sessionSeen = request.session
      return payload
    })
    app.get('/blocked', async () => ({ never: true }))
    await app.ready()

    const res = await app.inject({ url: '/blocked', headers: { cookie: 'sid=whatever' } })
    t.equal(res.statusCode, 429)
    t.same(res.json(), { blocked: true })
    t.same(setCookies(res), [], 'no Set-Cookie, not even a clear')
    t.equal(sessionSeen, null, 'the request never got a session')
  })
}
