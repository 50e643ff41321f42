// No leaks in logs: with every level on (pino at trace, Fastify's request logging included), a full
// login -> use -> logout -> reuse-the-old-cookie run (plus tampered cookies, an oversized header and
// errors thrown by the session API) writes no cookie value, no raw session id and no secret or key
// in any form. The lifecycle events are there, each with a keyed hash instead of the id.
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import t, { type Test } from 'tap'
import { MemoryStore, requireLogin, type FastifySessionOptions } from '../../lib/index.js'
import type { Session } from '../../lib/session.js'
import { build, fakeClock, OTHER_SECRET, SECRET, setCookies } from '../helpers/index.js'
import { watchKeyringWipes } from '../helpers/security-support.js'

type Untyped = { set (k: string, v: unknown): void, get (k: string): unknown }
const untyped = (s: Session): Untyped => s as unknown as Untyped

/** Every form a secret or key could take in a log line. */
function forms (bytes: Buffer): string[] {
  return [bytes.toString('hex'), bytes.toString('base64'), bytes.toString('base64url'), bytes.toString('latin1'),
    // A JSON-serialised Buffer: {"type":"Buffer","data":[1,2,...]}
    JSON.stringify([...bytes]).slice(1, -1)]
}

async function fullRun (
  t: Test, options: Partial<FastifySessionOptions>
): Promise<{ text: string, lines: Array<Record<string, unknown>>, secrets: string[] }> {
  const clock = fakeClock(t)
  const wipes = watchKeyringWipes(t)
  const chunks: string[] = []
  const ids = new Set<string>()
  const routes = (app: FastifyInstance): void => {
    app.addHook('onResponse', async (request) => {
      // session.id on a session that has one (reading it on a new session would make one).
      if (!request.session.isNew) ids.add(request.session.id)
    })
    app.post('/login', async (request) => {
      await request.session.regenerate()
      untyped(request.session).set('userId', 'alice')
      ids.add(request.session.id)
      return { ok: true }
    })
    app.get('/me', { preHandler: requireLogin() }, async (request) => ({ user: untyped(request.session).get('userId') }))
    app.post('/logout', async (request) => {
      ids.add(request.session.id)
      await request.session.destroy()
      return { ok: true }
    })
    app.get('/bad-value', async (request) => {
      untyped(request.session).set('fn', () => 1)
      return { ok: true }
    })
    app.get('/too-big', async (request) => {
      untyped(request.session).set('blob', 'x'.repeat(80_000))
      return { ok: true }
    })
  }
  const secret = [SECRET, Buffer.from(OTHER_SECRET)]
  const app = await build(t, { secret, ttl: 60, cookie: { secure: true }, ...options }, routes, {
    logger: { level: 'trace', stream: { write (line: string) { chunks.push(line) } } }
  })
  const values: string[] = []
  const keep = (res: LightMyRequestResponse): LightMyRequestResponse => {
    for (const c of setCookies(res)) {
      const value = (c.split(';')[0] as string).slice('sid='.length)
      if (value !== '') values.push(value)
    }
    return res
  }
  const cookie = (): string => `sid=${values[values.length - 1] as string}`

  const login = keep(await app.inject({ method: 'POST', url: '/login', payload: {} }))
  t.equal(login.statusCode, 200)
  const loginCookie = cookie()
  t.equal(keep(await app.inject({ url: '/me', headers: { cookie: loginCookie } })).statusCode, 200)
  // A second login from a session: regenerated.
  keep(await app.inject({ method: 'POST', url: '/login', headers: { cookie: loginCookie }, payload: {} }))
  const current = cookie()
  keep(await app.inject({ method: 'POST', url: '/logout', headers: { cookie: current } }))
  // Reusing the old cookies after logout, tampering with one, an oversized header, errors.
  keep(await app.inject({ url: '/me', headers: { cookie: current } }))
  keep(await app.inject({ url: '/me', headers: { cookie: `${current.slice(0, -2)}xx` } }))
  keep(await app.inject({ url: '/me', headers: { cookie: `${current}; pad=${'p'.repeat(9000)}` } }))
  t.equal(keep(await app.inject('/bad-value')).statusCode, 500)
  t.equal(keep(await app.inject('/too-big')).statusCode, 500)
  // And an expired one.
  const late = keep(await app.inject({ method: 'POST', url: '/login', payload: {} }))
  t.equal(late.statusCode, 200)
  const lateCookie = cookie()
  clock.tick(61_000)
  keep(await app.inject({ url: '/me', headers: { cookie: lateCookie } }))
  await app.close()

  t.ok(wipes.copies.length >= 4, 'key material captured for the check')
  const secrets = [SECRET, OTHER_SECRET, ...forms(Buffer.from(SECRET)), ...forms(Buffer.from(OTHER_SECRET)),
    ...wipes.copies.flatMap(forms), ...values, ...ids]
  t.ok(values.length >= 3 && ids.size >= 3, `${values.length} cookie values and ${ids.size} ids collected`)
  const text = chunks.join('')
  return { text, lines: chunks.map((c) => JSON.parse(c) as Record<string, unknown>), secrets }
}

const events = (lines: Array<Record<string, unknown>>): string[] =>
  lines.map((l) => (l.session as { event?: string } | undefined)?.event).filter((e): e is string => e !== undefined)

for (const storeName of ['cookie', 'memory'] as const) {
  t.test(`${storeName} store: no cookie, id or secret in any log line`, async (t) => {
    const store = storeName === 'memory' ? new MemoryStore() : undefined
    if (store !== undefined) t.teardown(() => store.close())
    const { text, lines, secrets } = await fullRun(t, store === undefined ? {} : { store })
    for (const s of secrets) {
      if (!text.includes(s)) continue
      t.fail(`a log line holds a secret value (${s.length} characters)`)
    }
    t.ok(secrets.every((s) => !text.includes(s)), `none of ${secrets.length} secret strings in ${lines.length} log lines`)

    // The logs are not silent: every lifecycle event is there, hashed.
    const seen = new Set(events(lines))
    // A memory-store session past its ttl is gone from the store (its own TTL): an unknown id then.
    const expected = ['created', 'regenerated', 'destroyed', 'rejected', ...(store === undefined ? ['expired'] : [])]
    for (const e of expected) t.ok(seen.has(e), `logged: ${e}`)
    const hashed = lines.map((l) => (l.session as { sessionHash?: string } | undefined)?.sessionHash).filter((h) => h !== undefined)
    t.ok(hashed.length >= 3 && hashed.every((h) => /^[A-Za-z0-9_-]{16}$/.test(h)), 'events carry a 16-character keyed hash')
    t.ok(lines.some((l) => l.msg === 'incoming request') && lines.some((l) => l.level === 10 || l.level === 20), 'request logging and debug lines were captured')
    t.ok(lines.some((l) => (l.err as { code?: string } | undefined)?.code === 'FST_SESSION_INVALID_VALUE'), 'errors were logged')
  })
}
