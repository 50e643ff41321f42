// The driver's parts, each on its own (lib/driver.ts keeps the state machine): the Set-Cookie header,
// the lifetime arithmetic, the debug log and the watch for unsaved changes. Unit tests with a small
// stand-in for the request and reply; the same behaviour over real HTTP is in test/cookie,
// test/session and test/lifecycle.
import { EventEmitter } from 'node:events'
import t from 'tap'
import { CookieHeader } from '../../lib/cookie-header.js'
import type { CookieAttributes, CookieOverrides } from '../../lib/cookie.js'
import { logLifecycle } from '../../lib/lifecycle-log.js'
import { Lifetime } from '../../lib/lifetime.js'
import type { SessionState } from '../../lib/session.js'
import { UnsavedWatch } from '../../lib/unsaved-watch.js'

const ATTRIBUTES: CookieAttributes = { path: '/', domain: undefined, secure: 'auto', httpOnly: true, sameSite: 'lax', partitioned: false }

/** A reply as CookieHeader and UnsavedWatch use it: headers on the reply and on the raw response. */
function fakeState (protocol = 'https', overrides?: CookieOverrides): { state: SessionState, headers: Map<string, unknown>, raw: EventEmitter & { headers: Map<string, unknown> }, warnings: unknown[][] } {
  const headers = new Map<string, unknown>()
  const raw = Object.assign(new EventEmitter(), {
    headers: new Map<string, unknown>(),
    getHeader (name: string) { return raw.headers.get(name) },
    setHeader (name: string, value: unknown) { raw.headers.set(name, value) }
  })
  const warnings: unknown[][] = []
  const reply = {
    raw,
    sent: true,
    getHeader: (name: string) => headers.get(name),
    header (name: string, value: unknown) {
      const current = headers.get(name)
      const values = Array.isArray(value) ? value : [value]
      headers.set(name, current === undefined ? (values.length === 1 ? values[0] : values) : [...(Array.isArray(current) ? current : [current]), ...values])
    },
    removeHeader (name: string) { headers.delete(name); raw.headers.delete(name) }
  }
  const request = { protocol, method: 'POST', routeOptions: { url: '/cart' }, log: { warn: (...args: unknown[]) => warnings.push(args) } }
  const state = { request, reply, overrides, data: {}, loadedJson: '{}', maybeDirty: false, persisted: false, destroyed: false, clearCookie: false } as unknown as SessionState
  return { state, headers, raw, warnings }
}

t.test('CookieHeader', async (t) => {
  t.test('a second send replaces the first and keeps the app\'s own cookies', async (t) => {
    const header = new CookieHeader({ cookieName: 'sid', cookie: ATTRIBUTES })
    const { state, headers, raw } = fakeState()
    header.send(state, 'one', 60_000)
    raw.headers.set('set-cookie', 'raw=1')
    headers.set('set-cookie', [headers.get('set-cookie'), 'theme=dark'])
    header.send(state, 'two', 60_000)
    const list = headers.get('set-cookie') as string[]
    t.same(list.map((h) => h.split(';')[0]), ['theme=dark', 'sid=two'], 'the first session cookie is gone, the app\'s stays')
    t.equal(raw.headers.get('set-cookie'), 'raw=1', 'what was on the raw response survives removeHeader')
    t.equal(state.setCookie, list[1], 'the state knows which header is the session\'s')
  })

  t.test('Max-Age is rounded up, and never below 0', async (t) => {
    const header = new CookieHeader({ cookieName: 'sid', cookie: ATTRIBUTES })
    const a = fakeState()
    header.send(a.state, 'v', 1_500)
    t.match(a.headers.get('set-cookie'), /Max-Age=2;/)
    const b = fakeState()
    header.send(b.state, 'v', -10)
    t.match(b.headers.get('set-cookie'), /Max-Age=0;/)
  })

  t.test('a header over 4096 bytes throws before the reply is touched', async (t) => {
    const header = new CookieHeader({ cookieName: 'sid', cookie: ATTRIBUTES })
    const { state, headers } = fakeState()
    state.clearCookie = true
    t.throws(() => header.send(state, 'x'.repeat(4096), 60_000), { code: 'FST_SESSION_COOKIE_TOO_LARGE' })
    t.equal(headers.size, 0, 'no header was set')
    t.equal(state.clearCookie, true, 'and a pending clear is still owed')
  })

  t.test('a Secure cookie over plain http is warned about once per plugin', async (t) => {
    const header = new CookieHeader({ cookieName: 'sid', cookie: { ...ATTRIBUTES, secure: true } })
    const a = fakeState('http')
    header.send(a.state, 'v', 1_000)
    header.send(a.state, 'v', 1_000)
    const b = fakeState('http')
    header.send(b.state, 'v', 1_000)
    t.equal(a.warnings.length + b.warnings.length, 1)
    t.match(String(a.warnings[0]?.[0]), /Secure session cookie is being set over plain http/)
    t.notMatch(String(a.warnings[0]?.[0]), /sid=v/, 'the cookie is not in the line')
    const c = fakeState('http', { secure: false })
    new CookieHeader({ cookieName: 'sid', cookie: { ...ATTRIBUTES, secure: true } }).send(c.state, 'v', 1_000)
    t.equal(c.warnings.length, 0, 'not when the request turned Secure off')
  })

  t.test('clear sends a deletion and settles a pending clear', async (t) => {
    const header = new CookieHeader({ cookieName: 'sid', cookie: ATTRIBUTES })
    const { state, headers } = fakeState()
    state.clearCookie = true
    header.clear(state)
    t.match(headers.get('set-cookie'), /^sid=; Max-Age=0/)
    t.equal(state.clearCookie, false)
  })

  t.test('overrides are checked against the attributes and the name\'s prefix', async (t) => {
    const plain = new CookieHeader({ cookieName: 'sid', cookie: ATTRIBUTES })
    t.throws(() => plain.checkOverrides({ sameSite: 'none' }), { code: 'FST_SESSION_SAMESITE_NONE_INSECURE' })
    t.doesNotThrow(() => plain.checkOverrides({ sameSite: 'none', secure: true }))
    const host = new CookieHeader({ cookieName: '__Host-sid', cookie: { ...ATTRIBUTES, secure: true } })
    for (const o of [{ secure: false }, { domain: 'example.com' }, { path: '/app' }]) {
      t.throws(() => host.checkOverrides(o), { code: 'FST_SESSION_INVALID_COOKIE_PREFIX' }, JSON.stringify(o))
    }
    t.doesNotThrow(() => host.checkOverrides({ path: '/', maxAge: 60 }))
    const secure = new CookieHeader({ cookieName: '__Secure-sid', cookie: { ...ATTRIBUTES, secure: true } })
    t.throws(() => secure.checkOverrides({ secure: false }), { code: 'FST_SESSION_INVALID_COOKIE_PREFIX' })
    t.doesNotThrow(() => secure.checkOverrides({ domain: 'example.com' }))
  })
})

t.test('Lifetime', async (t) => {
  const life = new Lifetime({ ttlMs: 1_000, absoluteTtlMs: 10_000, renewAfterMs: 500 })
  t.equal(life.expiry(0, 0, 999), undefined, 'idle for less than ttl')
  t.equal(life.expiry(0, 0, 1_000), 'expired-idle', 'idle for exactly ttl is over')
  t.equal(life.expiry(0, 9_500, 9_999), undefined, 'active, inside the absolute limit')
  t.equal(life.expiry(0, 9_500, 10_000), 'expired-absolute', 'the absolute limit, however active')
  t.equal(life.expiry(0, 0, 20_000), 'expired-idle', 'idle is reported first when both are over')
  t.equal(life.remainingMs(0, 0), 1_000, 'a fresh session: the idle limit')
  t.equal(life.remainingMs(0, 9_400), 600, 'near the absolute limit: what is left of it')
  t.ok(life.remainingMs(0, 11_000) < 0, 'past it: negative, which a store takes as gone')
  t.equal(life.renewalDue(1_000, 1_499), false)
  t.equal(life.renewalDue(1_000, 1_500), true, 'renewAfter reached')
  t.equal(new Lifetime({ ttlMs: 1_000, absoluteTtlMs: 10_000, renewAfterMs: undefined }).renewalDue(0, 1e12), false, 'never without renewAfter')
})

t.test('logLifecycle', async (t) => {
  const lines: unknown[][] = []
  let hashed = 0
  const keyring = { logId: (id: string) => { hashed++; return `h(${id.length})` } }
  const logger = (enabled: boolean | string): never => ({
    ...(typeof enabled === 'boolean' ? { isLevelEnabled: (level: string) => level === 'debug' && enabled } : { level: enabled }),
    debug: (...args: unknown[]) => lines.push(args)
  }) as never

  logLifecycle(logger(false), keyring, 'created', 'abc')
  logLifecycle(logger('info'), keyring, 'created', 'abc')
  t.equal(lines.length, 0, 'nothing below debug')
  t.equal(hashed, 0, 'and no id hashed for nothing')

  logLifecycle(logger(true), keyring, 'rejected', undefined, 'decryption-failed')
  logLifecycle(logger('trace'), keyring, 'destroyed', 'secret-id')
  logLifecycle(logger('debug'), keyring, 'regenerated', '')
  t.same(lines, [
    [{ session: { event: 'rejected', reason: 'decryption-failed' } }, 'session rejected'],
    [{ session: { event: 'destroyed', sessionHash: 'h(9)' } }, 'session destroyed'],
    [{ session: { event: 'regenerated' } }, 'session regenerated']
  ], 'the id only as its keyed hash, and none for an empty id')
  t.notMatch(JSON.stringify(lines), /secret-id/)
})

t.test('UnsavedWatch', async (t) => {
  t.test('a reply sent without onSend, with a change never written: one warning naming the route', async (t) => {
    const { state, raw, warnings } = fakeState()
    new UnsavedWatch().watch(state)
    t.equal(state.watched, true)
    ;(state as { data: object }).data = { cart: ['a'] }
    state.maybeDirty = true
    raw.emit('close')
    t.equal(warnings.length, 1)
    t.same(warnings[0]?.[0], { route: 'POST /cart' })
    t.notMatch(JSON.stringify(warnings), /cart"?:\s*\[/, 'no data in the line')
  })

  t.test('no warning when it was persisted, not sent, or unchanged', async (t) => {
    for (const [what, change] of [
      ['persisted', (s: SessionState) => { s.persisted = true }],
      ['not sent (the handler is still at work: onSend will write it)', (s: SessionState) => { (s.reply as { sent: boolean }).sent = false }],
      ['unchanged', (s: SessionState) => { s.maybeDirty = false }]
    ] as const) {
      const { state, raw, warnings } = fakeState()
      new UnsavedWatch().watch(state)
      ;(state as { data: object }).data = { n: 1 }
      state.maybeDirty = true
      change(state)
      raw.emit('close')
      t.equal(warnings.length, 0, what)
    }
  })

  t.test('a destroyed session whose clearing never went out is a change', async (t) => {
    const { state, raw, warnings } = fakeState()
    new UnsavedWatch().watch(state)
    state.destroyed = true
    state.clearCookie = true
    raw.emit('close')
    t.equal(warnings.length, 1)
  })

  t.test('two plugin instances watching one response each check their own session', async (t) => {
    const a = fakeState()
    const b = fakeState()
    const shared = a.raw
    ;(b.state.reply as { raw: unknown }).raw = shared
    new UnsavedWatch().watch(a.state)
    new UnsavedWatch().watch(b.state)
    ;(b.state as { data: object }).data = { n: 1 }
    b.state.maybeDirty = true
    shared.emit('close')
    t.equal(a.warnings.length, 0, 'the unchanged one is quiet')
    t.equal(b.warnings.length, 1, 'the changed one warns')
  })
})
