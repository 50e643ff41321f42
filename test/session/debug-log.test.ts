import t from 'tap'
import type { FastifyBaseLogger, FastifyInstance } from 'fastify'
import { build, captureLogs, cookiePair, cookieValue, loose } from '../helpers/index.js'

interface SessionLine { event: string, sessionHash?: string, reason?: string }

function routes (app: FastifyInstance): void {
  app.get('/login', async (request) => {
    loose(request).set('userId', 'u')
    return { id: request.session.id }
  })
  app.get('/regen', async (request) => {
    await loose(request).regenerate(true)
    return { id: request.session.id }
  })
  app.get('/logout', async (request) => {
    await request.session.destroy()
    return { ok: true }
  })
}

function sessionLines (lines: Array<Record<string, unknown>>): SessionLine[] {
  return lines.filter((l) => l.session !== undefined).map((l) => l.session as SessionLine)
}

t.test('lifecycle events are logged at debug with a keyed hash of the id, never the id or the cookie', async (t) => {
  const logs = captureLogs()
  const app = await build(t, {}, routes, logs.options)
  const login = await app.inject('/login')
  const regen = await app.inject({ url: '/regen', headers: { cookie: cookiePair(login) } })
  await app.inject({ url: '/logout', headers: { cookie: cookiePair(regen) } })
  await app.inject({ url: '/login', headers: { cookie: 'sid=A' } })

  const events = sessionLines(logs.lines)
  t.same(events.map((e) => e.event), ['created', 'regenerated', 'created', 'destroyed', 'rejected', 'created'])
  const [created, regenerated, recreated, destroyed, rejected] = events as [SessionLine, SessionLine, SessionLine, SessionLine, SessionLine]
  t.match(created.sessionHash, /^[A-Za-z0-9_-]{16}$/)
  t.equal(regenerated.sessionHash, undefined, 'no id to name at the moment of regeneration')
  t.not(recreated.sessionHash, created.sessionHash, 'the regenerated session has another id')
  t.equal(destroyed.sessionHash, recreated.sessionHash, 'destroy names the session it ended')
  t.equal(rejected.reason, 'malformed')
  t.equal(logs.lines.find((l) => l.session !== undefined)?.level, 20, 'debug level')

  const text = JSON.stringify(logs.lines)
  for (const id of [login.json().id, regen.json().id]) t.notOk(text.includes(id), 'no raw id in the logs')
  for (const value of [cookieValue(login), cookieValue(regen)]) t.notOk(text.includes((value as string).slice(0, 24)), 'no cookie in the logs')
})

t.test('nothing is logged at info level', async (t) => {
  const logs = captureLogs('info')
  const app = await build(t, {}, routes, logs.options)
  await app.inject('/login')
  await app.inject({ url: '/login', headers: { cookie: 'sid=AAAA' } })
  t.same(sessionLines(logs.lines), [])
})

// A logger without isLevelEnabled (some pino-compatible loggers lack it): its level decides.
function plainLogger (level: string, out: unknown[]): FastifyBaseLogger {
  const logger = {
    level,
    debug: (obj: unknown) => { out.push(obj) },
    info: () => {},
    warn: () => {},
    error: () => {},
    fatal: () => {},
    trace: () => {},
    silent: () => {},
    child: () => logger
  }
  return logger as unknown as FastifyBaseLogger
}

for (const [level, expected] of [['debug', 1], ['trace', 1], ['info', 0]] as const) {
  t.test(`a logger without isLevelEnabled at level ${level}`, async (t) => {
    const out: unknown[] = []
    const app = await build(t, {}, routes, { loggerInstance: plainLogger(level, out) })
    await app.inject('/login')
    const lines = out.filter((o) => typeof o === 'object' && o !== null && 'session' in o)
    t.equal(lines.length, expected)
  })
}

t.test('the no-op logger (logger: false) logs nothing and costs nothing', async (t) => {
  const app = await build(t, {}, routes)
  const res = await app.inject('/login')
  t.equal(res.statusCode, 200)
  t.ok(cookieValue(res))
})
