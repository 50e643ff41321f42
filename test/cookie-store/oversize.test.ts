import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { build, cookiePair, cookieValue, counterRoutes, loose, sessionSetCookie } from '../helpers/index.js'

function routes (seen: unknown[]) {
  return function (app: FastifyInstance): void {
    counterRoutes(app)
    app.get('/big', async (request) => {
      loose(request).set('blob', 'x'.repeat(Number((request.query as { n: string }).n)))
      return { ok: true }
    })
    app.get('/big-save', async (request) => {
      loose(request).set('blob', 'x'.repeat(5000))
      await request.session.save()
      return { ok: true }
    })
    app.setErrorHandler((err: { code?: string }, _request, reply) => {
      seen.push(err.code)
      return reply.code(500).send({ code: err.code })
    })
  }
}

for (const [label, options] of [['sync hooks', {}], ['async hooks (validate)', { validate: () => true }]] as const) {
  t.test(`${label}: a write over 4096 bytes reaches the app's error handler, no cookie set`, async (t) => {
    const seen: unknown[] = []
    const app = await build(t, options, routes(seen))
    const res = await app.inject('/big?n=4000')
    t.equal(res.statusCode, 500)
    t.same(res.json(), { code: 'FST_SESSION_COOKIE_TOO_LARGE' })
    t.same(seen, ['FST_SESSION_COOKIE_TOO_LARGE'], 'the error handler ran once')
    t.equal(sessionSetCookie(res), undefined, 'no session cookie, not even a truncated one')
  })

  t.test(`${label}: an existing session is left as it was when a write is too large`, async (t) => {
    const seen: unknown[] = []
    const app = await build(t, options, routes(seen))
    const first = await app.inject('/count')
    const res = await app.inject({ url: '/big?n=4000', headers: { cookie: cookiePair(first) } })
    t.same(res.json(), { code: 'FST_SESSION_COOKIE_TOO_LARGE' })
    t.equal(sessionSetCookie(res), undefined)
    const after = await app.inject({ url: '/read', headers: { cookie: cookiePair(first) } })
    t.same(after.json(), { n: 1, isNew: false }, 'the old cookie still works')
  })
}

t.test('save() of a too-large session rejects in the handler with the code', async (t) => {
  const seen: unknown[] = []
  const app = await build(t, {}, routes(seen))
  const res = await app.inject('/big-save')
  t.equal(res.statusCode, 500)
  t.equal(res.json().code, 'FST_SESSION_COOKIE_TOO_LARGE')
  t.same(seen, ['FST_SESSION_COOKIE_TOO_LARGE'], 'the app error handler saw it')
  t.equal(sessionSetCookie(res), undefined)
})

t.test('the limit is on the whole Set-Cookie header: every accepted one fits in 4096 bytes', async (t) => {
  const seen: unknown[] = []
  const app = await build(t, {}, routes(seen))
  const accepted: number[] = []
  let refused = 0
  // Around the boundary: 4096 header bytes minus the attributes, as base64url of the sealed bytes.
  for (let n = 2900; n < 2960; n++) {
    const res = await app.inject(`/big?n=${n}`)
    const header = sessionSetCookie(res)
    if (res.statusCode === 200) accepted.push((header as string).length)
    else refused++
  }
  t.ok(accepted.length > 0 && refused > 0, 'the range straddles the limit')
  t.ok(accepted.every((len) => len <= 4096), 'no accepted header over 4096')
  t.ok(Math.max(...accepted) > 4090, 'the limit is not set lower than it has to be')
  t.equal(seen.length, refused)
})

t.test('an incoming cookie over 4096 bytes gives a fresh session', async (t) => {
  const app = await build(t, {}, routes([]))
  const value = cookieValue(await app.inject('/count')) as string
  const huge = value + 'A'.repeat(4097 - value.length + (4 - ((4097 - value.length) % 4)) % 4)
  t.ok(huge.length > 4096)
  const res = await app.inject({ url: '/read', headers: { cookie: `sid=${huge}` } })
  t.same(res.json(), { n: null, isNew: true })
  t.match(sessionSetCookie(res), /^sid=; Max-Age=0;/)
})

t.test('a Cookie header over 8 KB gives a fresh session, even with a valid cookie in it', async (t) => {
  const app = await build(t, {}, routes([]))
  const pair = cookiePair(await app.inject('/count')) as string
  const ok = await app.inject({ url: '/read', headers: { cookie: `${pair}; pad=${'p'.repeat(4000)}` } })
  t.same(ok.json(), { n: 1, isNew: false }, 'control: a large header under 8 KB is read')
  const res = await app.inject({ url: '/read', headers: { cookie: `${pair}; pad=${'p'.repeat(8192)}` } })
  t.equal(res.statusCode, 200)
  t.same(res.json(), { n: null, isNew: true })
  t.match(sessionSetCookie(res), /^sid=; Max-Age=0;/, 'our cookie was in it, so it is cleared')
})

t.test('a Cookie header over 8 KB without our cookie clears nothing', async (t) => {
  const app = await build(t, {}, routes([]))
  const res = await app.inject({ url: '/read', headers: { cookie: `pad=${'p'.repeat(9000)}` } })
  t.same(res.json(), { n: null, isNew: true })
  t.equal(sessionSetCookie(res), undefined)
})
