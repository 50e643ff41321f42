import t from 'tap'
import type { FastifyInstance } from 'fastify'
import type { Session } from '../../lib/index.js'
import { build, cookiePair, loose, sessionSetCookie } from '../helpers/index.js'

// A revocation list by session id, the use the option is made for.
function routes (app: FastifyInstance): void {
  app.get('/login', async (request) => {
    loose(request).set('userId', (request.query as { u: string }).u)
    return { id: request.session.id }
  })
  app.get('/me', async (request) => ({ userId: loose(request).get('userId') ?? null, isNew: request.session.isNew }))
  app.get('/me-write', async (request) => {
    loose(request).set('visits', 1)
    return { userId: loose(request).get('userId') ?? null, isNew: request.session.isNew }
  })
}

t.test('validate returning false makes the request anonymous and clears the cookie', async (t) => {
  const revoked = new Set<string>()
  const calls: string[] = []
  const app = await build(t, {
    validate: (session: Session) => {
      calls.push(session.id)
      return !revoked.has(session.id)
    }
  }, routes)
  const alice = await app.inject('/login?u=alice')
  t.same(calls, [], 'not called for a request without a cookie')
  const ok = await app.inject({ url: '/me', headers: { cookie: cookiePair(alice) } })
  t.same(ok.json(), { userId: 'alice', isNew: false })
  t.same(calls, [alice.json().id], 'called with the loaded session')

  revoked.add(alice.json().id)
  const denied = await app.inject({ url: '/me', headers: { cookie: cookiePair(alice) } })
  t.same(denied.json(), { userId: null, isNew: true })
  t.match(sessionSetCookie(denied), /^sid=; Max-Age=0;/)

  const rewritten = await app.inject({ url: '/me-write', headers: { cookie: cookiePair(alice) } })
  t.same(rewritten.json(), { userId: null, isNew: true }, 'a revoked session is not resurrected by a write')
  const next = await app.inject({ url: '/me', headers: { cookie: cookiePair(rewritten) } })
  t.same(next.json(), { userId: null, isNew: false })
})

t.test('an async validate is awaited, and sees the session data and the request', async (t) => {
  const app = await build(t, {
    validate: async (session: Session, request) => {
      await new Promise((resolve) => setTimeout(resolve, 5))
      return (session as unknown as { get (k: string): unknown }).get('userId') !== 'mallory' && request.headers['x-deny'] === undefined
    }
  }, routes)
  const alice = await app.inject('/login?u=alice')
  const mallory = await app.inject('/login?u=mallory')
  t.same((await app.inject({ url: '/me', headers: { cookie: cookiePair(alice) } })).json(), { userId: 'alice', isNew: false })
  t.same((await app.inject({ url: '/me', headers: { cookie: cookiePair(mallory) } })).json(), { userId: null, isNew: true })
  t.same((await app.inject({ url: '/me', headers: { cookie: cookiePair(alice), 'x-deny': '1' } })).json(), { userId: null, isNew: true })
})

t.test('validate answering a truthy non-boolean is not a pass', async (t) => {
  const app = await build(t, { validate: (() => 'yes') as unknown as () => boolean }, routes)
  const alice = await app.inject('/login?u=alice')
  t.same((await app.inject({ url: '/me', headers: { cookie: cookiePair(alice) } })).json(), { userId: null, isNew: true })
})

t.test('validate is not called for a cookie that did not open', async (t) => {
  let calls = 0
  const app = await build(t, { validate: () => { calls++; return true } }, routes)
  const res = await app.inject({ url: '/me', headers: { cookie: 'sid=AAAAAAAA' } })
  t.same(res.json(), { userId: null, isNew: true })
  t.equal(calls, 0)
})

t.test('a validate that throws answers 500 for that request, with no session leak', async (t) => {
  const app = await build(t, { validate: () => { throw Object.assign(new Error('down'), { code: 'E_DENYLIST' }) } }, routes)
  const alice = await app.inject('/login?u=alice')
  const res = await app.inject({ url: '/me', headers: { cookie: cookiePair(alice) } })
  t.equal(res.statusCode, 500)
  t.equal(res.json().code, 'E_DENYLIST')
  t.equal(sessionSetCookie(res), undefined, 'the cookie is neither cleared nor rewritten')
})
