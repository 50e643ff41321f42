import t from 'tap'
import { generateId } from '../../lib/session-id.js'
import { build, captureLogs, loose, sessionSetCookie } from '../helpers/index.js'
import { head, sealV1, sealV2 } from '../helpers/sealed-cookies.js'

// Payloads sealed with the app's real key but not written by the plugin (a leaked key, a future
// format, a bug): the seal opens, the payload check must still refuse anything but our shape.
t.test('format 1: a sealed payload of the wrong shape gives a fresh session and is cleared', async (t) => {
  const logs = captureLogs()
  const app = await build(t, {}, (app) => {
    app.get('/me', async (request) => ({ userId: loose(request).get('userId') ?? null, isNew: request.session.isNew }))
  }, logs.options)
  const now = Date.now()
  const good = { id: generateId(), iat: now, seen: now, idAt: now, data: { userId: 'u-1' } }
  const seal = (payload: unknown): string => sealV1(typeof payload === 'string' ? payload : JSON.stringify(payload))

  const control = await app.inject({ url: '/me', headers: { cookie: `sid=${seal(good)}` } })
  t.same(control.json(), { userId: 'u-1', isNew: false }, 'control: a hand-sealed payload of our shape loads')

  const bad: Record<string, unknown> = {
    'not JSON': '{"id":',
    'JSON null': 'null',
    'a number': '42',
    'an array': '[1,2]',
    'id missing': { ...good, id: undefined },
    'id not a string': { ...good, id: 42 },
    'id of the wrong shape': { ...good, id: 'short' },
    'iat missing': { ...good, iat: undefined },
    'iat fractional': { ...good, iat: now + 0.5 },
    'seen a string': { ...good, seen: String(now) },
    'idAt missing': { ...good, idAt: undefined },
    'data missing': { ...good, data: undefined },
    'data null': { ...good, data: null },
    'data an array': { ...good, data: ['u-1'] },
    'data a string': { ...good, data: 'u-1' }
  }
  for (const [name, payload] of Object.entries(bad)) {
    const res = await app.inject({ url: '/me', headers: { cookie: `sid=${seal(payload)}` } })
    t.equal(res.statusCode, 200, name)
    t.same(res.json(), { userId: null, isNew: true }, `${name}: fresh session`)
    t.match(sessionSetCookie(res), /^sid=; Max-Age=0;/, `${name}: cleared`)
  }
  const reasons = logs.lines.map((l) => (l.session as { reason?: string } | undefined)?.reason).filter((r) => r !== undefined)
  t.same(reasons, Object.keys(bad).map(() => 'malformed-payload'))
})

t.test('format 2: a sealed payload of the wrong shape gives a fresh session and is cleared', async (t) => {
  const logs = captureLogs()
  const app = await build(t, {}, (app) => {
    app.get('/me', async (request) => ({ userId: loose(request).get('userId') ?? null, isNew: request.session.isNew, id: request.session.id }))
  }, logs.options)
  const now = Date.now()
  const id = generateId()
  const good = head({ id, createdAt: now, lastSeenAt: now, idIssuedAt: now })
  const control = await app.inject({ url: '/me', headers: { cookie: `sid=${sealV2(good, '{"userId":"u-1"}')}` } })
  t.same(control.json(), { userId: 'u-1', isNew: false, id }, 'control: a hand-sealed format-2 cookie loads, with the id of its head')

  const bad: Record<string, [Uint8Array, string]> = {
    'shorter than the head': [good.subarray(0, 49), ''],
    'a head and no data': [good, ''],
    'data not JSON': [good, '{"userId":'],
    'data JSON null': [good, 'null'],
    'data an array': [good, '["u-1"]'],
    'data a string': [good, '"u-1"'],
    'data a number': [good, '42']
  }
  for (const [name, [h, text]] of Object.entries(bad)) {
    const res = await app.inject({ url: '/me', headers: { cookie: `sid=${sealV2(h, text)}` } })
    t.equal(res.statusCode, 200, name)
    t.equal(res.json().isNew, true, `${name}: fresh session`)
    t.not(res.json().id, id, `${name}: not the sealed id`)
    t.match(sessionSetCookie(res), /^sid=; Max-Age=0;/, `${name}: cleared`)
  }
  const reasons = logs.lines.map((l) => (l.session as { reason?: string } | undefined)?.reason).filter((r) => r !== undefined)
  t.same(reasons, Object.keys(bad).map(() => 'malformed-payload'))
})
