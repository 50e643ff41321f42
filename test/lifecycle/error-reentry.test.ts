import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { build, cookiePair, loose, setCookies } from '../helpers/index.js'

function routes (counter: { onSendErrors: number }) {
  return function (app: FastifyInstance): void {
    app.get('/write', async (request) => {
      loose(request).set('n', 1)
      return { ok: true }
    })
    app.get('/write-then-throw', async (request) => {
      loose(request).set('n', 2)
      throw Object.assign(new Error('boom'), { statusCode: 418, code: 'E_TEAPOT' })
    })
    app.get('/read', async (request) => ({ n: loose(request).get('n') ?? null }))
    // Registered after the plugin: runs after our persist, and fails once per request.
    app.addHook('onSend', async (request, _reply, payload) => {
      if (request.headers['x-fail-once'] !== undefined && !(request as unknown as { failed?: true }).failed) {
        ;(request as unknown as { failed?: true }).failed = true
        counter.onSendErrors++
        throw Object.assign(new Error('late hook'), { code: 'E_LATE' })
      }
      return payload
    })
  }
}

// A persist that succeeded leaves nothing to write, so running it twice would not show here; the
// once-only guard is what oversize.test.ts sees (a second, failing persist would replace the app's
// error response). These tests pin what the client gets when the error comes after our persist.
for (const [label, extra] of [['sync hooks', {}], ['async hooks (validate)', { validate: () => true }]] as const) {
  t.test(`${label}: an error response after our onSend ran does not persist a second time`, async (t) => {
    const counter = { onSendErrors: 0 }
    const app = await build(t, extra, routes(counter))
    const res = await app.inject({ url: '/write', headers: { 'x-fail-once': '1' } })
    t.equal(counter.onSendErrors, 1)
    t.equal(res.statusCode, 500)
    t.equal(res.json().code, 'E_LATE')
    const sids = setCookies(res).filter((c) => c.startsWith('sid='))
    t.equal(sids.length, 1, 'one session cookie, not two')
    const read = await app.inject({ url: '/read', headers: { cookie: cookiePair(res) } })
    t.same(read.json(), { n: 1 })
  })

  t.test(`${label}: a handler error still persists what the handler wrote, once`, async (t) => {
    const app = await build(t, extra, routes({ onSendErrors: 0 }))
    const res = await app.inject('/write-then-throw')
    t.equal(res.statusCode, 418)
    t.equal(setCookies(res).length, 1)
    const read = await app.inject({ url: '/read', headers: { cookie: cookiePair(res) } })
    t.same(read.json(), { n: 2 })
  })
}
