// The store fails during a refresh: the refresh answers 5xx (the browser backs off and marks its
// requests Secure-Session-Skipped), nothing is ended, and once the store is back the refresh works.
import t from 'tap'
import { MemoryStore, RedisStore, type SessionStore } from '../../lib/index.js'
import { boundBrowser, dbscApp } from '../helpers/dbsc-scenario.js'
import { captureLogs, fakeClock } from '../helpers/index.js'
import { connectRedis } from '../helpers/redis-clients.js'
import { redisSkip, startRedis } from '../helpers/redis-server.js'

t.test('a real redis-server stopped during a refresh', { skip: redisSkip() }, async (t) => {
  const clock = fakeClock(t, Date.now())
  // Persisted, so that a restart is an outage and not a wipe of every session.
  const redis = await startRedis(t, ['--appendonly', 'yes', '--appendfsync', 'always'])
  const { base } = await dbscApp(t, new RedisStore({ client: await connectRedis(t, redis.port) }))
  const browser = await boundBrowser(t, base)
  clock.tick(601_000)
  await redis.stop()
  const failed = await browser.refreshOnce()
  t.equal(failed.status, 503, 'the refresh fails with a 5xx, which makes the browser back off')
  t.equal((await failed.json() as { code: string }).code, 'FST_SESSION_STORE_UNAVAILABLE')
  t.ok(browser.jar.get('sid'), 'the session cookie stays')
  await redis.start()
  let res = await browser.refresh()
  for (let i = 0; i < 50 && res.status !== 200; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100))
    res = await browser.refresh()
  }
  t.equal(res.status, 200, 'once the store is back the refresh succeeds')
  t.same(await (await browser.fetch('/me')).json(), { user: 'alice' }, 'and the session was not ended')
})

/** A MemoryStore whose DBSC operations (challenge and binding reads, consuming) fail while `down`. */
function flakyStore (): SessionStore & { down: boolean, sent: string[] } {
  const store = new MemoryStore()
  const flaky = Object.assign(Object.create(store) as MemoryStore, { down: false })
  // As ioredis fails: the command's arguments on the error, the key quoted in its message.
  const fail = (name: string, args: unknown[]): never => {
    sent.push(String(args[0]))
    throw Object.assign(new Error(`store down while running "${String(args[0])}"`), { command: { name, args } })
  }
  const sent: string[] = []
  flaky.revokeUser = async (user) => flaky.down ? fail('revokeUser', [user]) : await store.revokeUser(user)
  flaky.get = async (key) => flaky.down && key !== keyOfSession ? fail('get', [key]) : await store.get(key)
  let keyOfSession = ''
  flaky.set = async (key, record, ttl) => {
    if (record.data.userId !== undefined && record.lastSeenAt !== 0) keyOfSession = key
    return flaky.down && key !== keyOfSession ? fail('set', [key, JSON.stringify(record), ttl]) : await store.set(key, record, ttl)
  }
  return Object.assign(flaky, { sent })
}

t.test('the binding lookup fails while the session loads fine', async (t) => {
  const clock = fakeClock(t, Date.now())
  const store = flakyStore()
  const logs = captureLogs('error')
  const { base } = await dbscApp(t, store, {}, undefined, logs.options)
  const browser = await boundBrowser(t, base)
  clock.tick(601_000)
  store.down = true
  const failed = await browser.refreshOnce()
  t.equal(failed.status, 503, 'the refresh answers 503')
  t.equal((await failed.json() as { code: string }).code, 'FST_SESSION_STORE_UNAVAILABLE')
  const id = (browser.instructions as { session_identifier: string }).session_identifier
  const skipped = await browser.fetch('/me', { headers: { 'secure-session-skipped': `server_error;session_identifier="${id}"` } })
  t.equal(skipped.status, 503, 'a request that cannot look its binding up fails closed, never as unbound')
  t.ok(logs.lines.some((l) => String(l.msg).includes('failed during a device-bound session check')), 'each failure is logged')
  const logged = JSON.stringify(logs.lines)
  t.ok(store.sent.length > 0, 'the store calls that failed were DBSC records')
  t.notOk(logged.includes('"command"') || store.sent.some((key) => logged.includes(key)), 'with nothing the store client was sent')
  store.down = false
  const marked = await browser.fetch('/me', { headers: { 'secure-session-skipped': `server_error;session_identifier="${id}"` } })
  t.equal(marked.status, 401, 'a request the browser sent without refreshing is refused...')
  t.match(await marked.json(), { code: 'FST_SESSION_DBSC_UNBOUND', message: /\(refresh-skipped\)/ })
  t.equal(marked.headers.getSetCookie().length, 0, '...and its session cookie is left alone: the browser is still bound')
  t.equal((await browser.refresh()).status, 200, 'the next refresh works')
  t.same(await (await browser.fetch('/me')).json(), { user: 'alice' }, 'the session was not ended')
})
