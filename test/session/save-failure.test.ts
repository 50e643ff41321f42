import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { MemoryStore } from '../../lib/index.js'
import { build, cookiePair, loose, setCookies } from '../helpers/index.js'

// A failed save() must reach the app's error handler once, and the error response must not repeat
// (and fail) the same write; a handler that catches the error and fixes its data still gets it saved.
function routes (app: FastifyInstance): void {
  app.setErrorHandler(async (err: Error & { code?: string }, _request, reply) => {
    return await reply.code(507).send({ handled: err.code })
  })
  app.get('/uncaught', async (request) => {
    loose(request).set('blob', 'x'.repeat(5000))
    await request.session.save()
    return { unreachable: true }
  })
  app.get('/caught', async (request) => {
    loose(request).set('blob', 'x'.repeat(5000))
    let code: string | undefined
    try {
      await request.session.save()
    } catch (err) {
      code = (err as { code: string }).code
    }
    loose(request).set('blob', 'small')
    return { code }
  })
  app.get('/read', async (request) => ({ blob: loose(request).get('blob') ?? null }))
}

for (const [name, options] of [
  ['cookie store', {}],
  ['memory store', { store: new MemoryStore(), maxDataBytes: 1000 }]
] as const) {
  t.test(`${name}: an uncaught failed save() is answered by the app's error handler, once`, async (t) => {
    const app = await build(t, options, routes)
    const res = await app.inject('/uncaught')
    t.equal(res.statusCode, 507, 'the app\'s handler answered, not Fastify\'s fallback')
    const expected = name === 'cookie store' ? 'FST_SESSION_COOKIE_TOO_LARGE' : 'FST_SESSION_TOO_LARGE'
    t.same(res.json(), { handled: expected })
    t.equal(setCookies(res).length, 0, 'no session cookie for data that was not saved')
  })

  t.test(`${name}: a handler that catches a failed save() and shrinks its data gets it saved`, async (t) => {
    const app = await build(t, options, routes)
    const res = await app.inject('/caught')
    t.equal(res.statusCode, 200)
    t.same(res.json(), { code: name === 'cookie store' ? 'FST_SESSION_COOKIE_TOO_LARGE' : 'FST_SESSION_TOO_LARGE' })
    const read = await app.inject({ url: '/read', headers: { cookie: cookiePair(res) } })
    t.same(read.json(), { blob: 'small' })
  })
}
