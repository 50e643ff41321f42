import t from 'tap'
import { Keyring } from '../../lib/keyring.js'
import { Sealer } from '../../lib/seal.js'
import { generateId } from '../../lib/session-id.js'
import { build, captureLogs, loose, SECRET, sessionSetCookie } from '../helpers/index.js'

// Payloads sealed with the app's real key but not written by the plugin (a leaked key, a future
// format, a bug): the seal opens, the payload check must still refuse anything but our shape.
t.test('a sealed payload of the wrong shape gives a fresh session and is cleared', async (t) => {
  const logs = captureLogs()
  const app = await build(t, {}, (app) => {
    app.get('/me', async (request) => ({ userId: loose(request).get('userId') ?? null, isNew: request.session.isNew }))
  }, logs.options)
  const sealer = new Sealer(new Keyring([Buffer.from(SECRET)]), 'sid')
  const now = Date.now()
  const good = { id: generateId(), iat: now, seen: now, idAt: now, data: { userId: 'u-1' } }
  const seal = (payload: unknown): string => sealer.seal(typeof payload === 'string' ? payload : JSON.stringify(payload))

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
