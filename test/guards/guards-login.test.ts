import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { requireLogin } from '../../lib/index.js'
import { prefersHtml } from '../../lib/guards.js'
import { build, cookiePair, loose } from '../helpers/index.js'

function routes (app: FastifyInstance): void {
  app.get('/login', async (request) => {
    loose(request).set('userId', 'u-1')
    return { ok: true }
  })
  app.get('/login-zero', async (request) => {
    loose(request).set('userId', 0)
    return { ok: true }
  })
  app.get('/login-null', async (request) => {
    loose(request).set('userId', null)
    return { ok: true }
  })
  app.get('/dashboard', { preHandler: requireLogin({ redirectTo: '/login' }) }, async () => ({ secret: 'dashboard' }))
  app.get('/api/data', { preHandler: requireLogin() }, async () => ({ secret: 'data' }))
  app.get('/with-query', { preHandler: requireLogin({ redirectTo: '/auth?tenant=a' }) }, async () => ({ secret: 'q' }))
}

t.test('requireLogin: 401 JSON with FST_SESSION_UNAUTHORIZED and no-store for API clients', async (t) => {
  const app = await build(t, {}, routes)
  for (const url of ['/api/data', '/dashboard']) {
    const res = await app.inject({ url, headers: { accept: 'application/json' } })
    t.equal(res.statusCode, 401, url)
    t.match(res.headers['content-type'], /^application\/json/)
    t.same(Object.keys(res.json()).sort(), ['code', 'error', 'message', 'statusCode'])
    t.equal(res.json().statusCode, 401)
    t.equal(res.json().code, 'FST_SESSION_UNAUTHORIZED')
    t.equal(res.headers['cache-control'], 'no-store')
  }
})

t.test('requireLogin: 303 to redirectTo?next= for a request that prefers HTML', async (t) => {
  const app = await build(t, {}, routes)
  const res = await app.inject({ url: '/dashboard?tab=2', headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' } })
  t.equal(res.statusCode, 303)
  t.equal(res.headers.location, `/login?next=${encodeURIComponent('/dashboard?tab=2')}`)
  t.equal(res.headers['cache-control'], 'no-store')
  t.notOk(res.body.includes('dashboard"'), 'the page is not in the body')
})

t.test('requireLogin without redirectTo answers 401 even to HTML', async (t) => {
  const app = await build(t, {}, routes)
  const res = await app.inject({ url: '/api/data', headers: { accept: 'text/html' } })
  t.equal(res.statusCode, 401)
  t.equal(res.json().code, 'FST_SESSION_UNAUTHORIZED')
})

t.test('a redirectTo with a query string gets next appended with &', async (t) => {
  const app = await build(t, {}, routes)
  const res = await app.inject({ url: '/with-query', headers: { accept: 'text/html' } })
  t.equal(res.headers.location, '/auth?tenant=a&next=%2Fwith-query')
})

t.test('logged in: the handler runs, no no-store added', async (t) => {
  const app = await build(t, {}, routes)
  for (const login of ['/login', '/login-zero']) {
    const cookie = cookiePair(await app.inject(login))
    const res = await app.inject({ url: '/api/data', headers: { cookie } })
    t.same(res.json(), { secret: 'data' }, `${login}: userId set (0 counts)`)
    t.equal(res.headers['cache-control'], undefined)
  }
  const nullCookie = cookiePair(await app.inject('/login-null'))
  const res = await app.inject({ url: '/api/data', headers: { cookie: nullCookie } })
  t.equal(res.statusCode, 401, 'userId null is not a login')
})

t.test('Accept negotiation: HTML only when text/html ranks above JSON', async (t) => {
  const app = await build(t, {}, routes)
  const cases: Array<[string | undefined, number]> = [
    [undefined, 401],
    ['text/html', 303],
    ['TEXT/HTML', 303],
    ['application/json', 401],
    ['*/*', 401],
    ['text/html, application/json', 303],
    ['application/json, text/html', 401],
    ['text/html;q=0.5, application/json', 401],
    ['application/json;q=0.5, text/html', 303],
    ['text/html;q=0.9, application/json;q=0.8', 303],
    ['text/html; q=0.8, application/json; q=0.9', 401],
    ['text/html;q=0', 401],
    ['text/html;q=0, application/json;q=0', 401],
    ['text/html;q=abc', 401],
    ['application/problem+json, text/html;q=0.9', 401],
    ['application/json;q=0, text/html;q=0.1', 303],
    ['text/plain, text/html;level=1', 303]
  ]
  for (const [accept, status] of cases) {
    const headers: Record<string, string> = accept === undefined ? {} : { accept }
    const res = await app.inject({ url: '/dashboard', headers })
    t.equal(res.statusCode, status, `Accept: ${accept ?? '(none)'}`)
    t.equal(prefersHtml(accept), status === 303, `prefersHtml(${accept ?? 'undefined'})`)
  }
})
