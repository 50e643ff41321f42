import t from 'tap'
import type { FastifyInstance } from 'fastify'
import type { CookieOverrides } from '../../lib/index.js'
import { build, captureLogs, sessionSetCookie } from '../helpers/index.js'

// Per-request overrides are held to the same rules as the registered cookie options: browsers drop
// a SameSite=None cookie without Secure, and a prefixed cookie without its prefix's attributes.
function routes (app: FastifyInstance): void {
  app.post('/override', async (request) => {
    try {
      request.session.options(request.body as CookieOverrides)
    } catch (err) {
      return { code: (err as { code: string }).code }
    }
    ;(request.session as unknown as { set (k: string, v: unknown): void }).set('n', 1)
    return { code: null }
  })
}

t.test('sameSite none per request needs secure', async (t) => {
  const app = await build(t, {}, routes)
  const bad = await app.inject({ method: 'POST', url: '/override', payload: { sameSite: 'none' } })
  t.same(bad.json(), { code: 'FST_SESSION_SAMESITE_NONE_INSECURE' })
  t.equal(sessionSetCookie(bad), undefined)
  const good = await app.inject({ method: 'POST', url: '/override', payload: { sameSite: 'none', secure: true } })
  t.same(good.json(), { code: null })
  t.match(sessionSetCookie(good), /; Secure; SameSite=None/)
})

t.test('a registered sameSite none (with secure) cannot be made insecure per request', async (t) => {
  const app = await build(t, { cookie: { sameSite: 'none', secure: true } }, routes)
  const bad = await app.inject({ method: 'POST', url: '/override', payload: { secure: false } })
  t.same(bad.json(), { code: 'FST_SESSION_SAMESITE_NONE_INSECURE' })
})

t.test('__Host- cookies refuse a Domain, another Path or secure: false per request', async (t) => {
  const app = await build(t, { cookieName: '__Host-sid', cookie: { secure: true } }, routes)
  for (const payload of [{ domain: 'example.com' }, { path: '/app' }, { secure: false }]) {
    const res = await app.inject({ method: 'POST', url: '/override', payload })
    t.same(res.json(), { code: 'FST_SESSION_INVALID_COOKIE_PREFIX' }, JSON.stringify(payload))
  }
  const ok = await app.inject({ method: 'POST', url: '/override', payload: { path: '/', maxAge: 60 } })
  t.same(ok.json(), { code: null })
  t.match(sessionSetCookie(ok, '__Host-sid'), /Max-Age=60; Path=\/; HttpOnly; Secure/)
})

t.test('__Secure- cookies refuse secure: false per request', async (t) => {
  const app = await build(t, { cookieName: '__Secure-sid', cookie: { secure: true } }, routes)
  const res = await app.inject({ method: 'POST', url: '/override', payload: { secure: false } })
  t.same(res.json(), { code: 'FST_SESSION_INVALID_COOKIE_PREFIX' })
  const ok = await app.inject({ method: 'POST', url: '/override', payload: { domain: 'example.com' } })
  t.same(ok.json(), { code: null })
})

t.test('a Secure cookie asked for per request over plain http logs the one warning', async (t) => {
  const logs = captureLogs('warn')
  const app = await build(t, {}, routes, logs.options)
  await app.inject({ method: 'POST', url: '/override', payload: { secure: true } })
  await app.inject({ method: 'POST', url: '/override', payload: { secure: true } })
  const warnings = logs.lines.filter((l) => /Secure session cookie is being set over plain http/.test(String(l.msg)))
  t.equal(warnings.length, 1)
})
