import { readFileSync } from 'node:fs'
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { build, captureLogs, cookieValue, fakeClock, loose, sessionSetCookie } from '../helpers/index.js'
import { openV2 } from '../helpers/sealed-cookies.js'

// A cookie sealed by 0.1 (format 1: JSON {id, iat, seen, idAt, data}), made with the tests' secret
// by the old code path, not by this code: format 2 must still read it, and re-seal it on its next
// response.
const fixture = JSON.parse(readFileSync(new URL('../fixtures/cookie-v1.json', import.meta.url), 'utf8')) as {
  sealedAt: number
  id: string
  data: Record<string, unknown>
  cookie: string
}
const HOUR = 3_600_000

function routes (app: FastifyInstance): void {
  app.get('/read', async (request) => ({ id: request.session.id, isNew: request.session.isNew, n: loose(request).get('n') ?? null, note: loose(request).get('note') ?? null }))
  app.get('/count', async (request) => {
    const n = (loose(request).get('n') as number) + 1
    loose(request).set('n', n)
    return { id: request.session.id, n }
  })
}

t.test('a format-1 cookie loads, and the response re-seals it in format 2 with the same id, data and lifetimes', async (t) => {
  const clock = fakeClock(t, fixture.sealedAt)
  clock.tick(HOUR)
  const app = await build(t, {}, routes)
  const res = await app.inject({ url: '/read', headers: { cookie: `sid=${fixture.cookie}` } })
  t.same(res.json(), { id: fixture.id, isNew: false, n: 3, note: 'wörld' }, 'the old cookie loads')
  const value = cookieValue(res)
  t.ok(value, 'a read-only request still re-seals it')
  t.same(openV2(value as string), {
    version: 2,
    id: fixture.id,
    createdAt: fixture.sealedAt,
    lastSeenAt: fixture.sealedAt + HOUR,
    idIssuedAt: fixture.sealedAt,
    data: fixture.data
  }, 'format 2: the same id and data, created and id issued kept to the millisecond')
  const again = await app.inject({ url: '/read', headers: { cookie: `sid=${value as string}` } })
  t.same(again.json(), { id: fixture.id, isNew: false, n: 3, note: 'wörld' }, 'the re-sealed cookie loads')
  t.equal(sessionSetCookie(again), undefined, 'and, being current, is not re-sealed again')
})

t.test('a format-1 cookie written to is re-sealed in format 2 with the change', async (t) => {
  const clock = fakeClock(t, fixture.sealedAt)
  clock.tick(1000)
  const app = await build(t, {}, routes)
  const res = await app.inject({ url: '/count', headers: { cookie: `sid=${fixture.cookie}` } })
  t.same(res.json(), { id: fixture.id, n: 4 })
  t.same(openV2(cookieValue(res) as string).data, { ...fixture.data, n: 4 })
})

t.test('a format-1 cookie past its idle lifetime expires like any other', async (t) => {
  const logs = captureLogs()
  const clock = fakeClock(t, fixture.sealedAt)
  clock.tick(25 * HOUR)
  const app = await build(t, { ttl: 86_400 }, routes, logs.options)
  const res = await app.inject({ url: '/read', headers: { cookie: `sid=${fixture.cookie}` } })
  t.equal(res.json().isNew, true)
  t.not(res.json().id, fixture.id)
  t.match(sessionSetCookie(res), /^sid=; Max-Age=0;/, 'cleared')
  t.ok(logs.lines.some((l) => (l.session as { reason?: string } | undefined)?.reason === 'expired-idle'))
})

t.test('a format-1 cookie is bound to its cookie name and secret like before', async (t) => {
  fakeClock(t, fixture.sealedAt)
  const other = await build(t, { cookieName: 'other' }, routes)
  const res = await other.inject({ url: '/read', headers: { cookie: `other=${fixture.cookie}` } })
  t.equal(res.json().isNew, true, 'another cookie name')
  const otherSecret = await build(t, { secret: 'yet-another-secret-0123456789abcdefghijklmnop' }, routes)
  t.equal((await otherSecret.inject({ url: '/read', headers: { cookie: `sid=${fixture.cookie}` } })).json().isNew, true, 'another secret')
})
