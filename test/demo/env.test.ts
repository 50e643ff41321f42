import { Writable } from 'node:stream'
import t from 'tap'
import { buildDemo, demoOptionsFromEnv } from '../../examples/demo-server.js'
import { Browser } from '../helpers/demo-client.js'
import { SECRET } from '../helpers/index.js'

t.test('the environment: defaults, each store, and a bad SESSION_STORE refused', async (t) => {
  const defaults = { redisUrl: 'redis://127.0.0.1:6379', databaseUrl: 'postgres://127.0.0.1:5432/postgres' }
  t.same(demoOptionsFromEnv({}), { secret: undefined, store: 'cookie', ...defaults })
  t.same(demoOptionsFromEnv({ SESSION_SECRET: SECRET, SESSION_STORE: 'memory' }), { secret: SECRET, store: 'memory', ...defaults })
  t.same(demoOptionsFromEnv({ SESSION_STORE: 'redis', REDIS_URL: 'redis://10.0.0.1:6380' }).redisUrl, 'redis://10.0.0.1:6380')
  const postgres = demoOptionsFromEnv({ SESSION_STORE: 'postgres', DATABASE_URL: 'postgres://db.internal/app' })
  t.same([postgres.store, postgres.databaseUrl], ['postgres', 'postgres://db.internal/app'])
  t.equal(demoOptionsFromEnv({ SESSION_SECRET: '' }).secret, undefined, 'an empty secret counts as missing')
  t.throws(() => demoOptionsFromEnv({ SESSION_STORE: 'mongo' }), /SESSION_STORE/)
})

t.test('without SESSION_SECRET: a random secret, a logged warning, and the demo still works', async (t) => {
  const lines: Array<{ level: number, msg: string }> = []
  const stream = new Writable({
    write (chunk, _enc, done) {
      lines.push(JSON.parse(String(chunk)))
      done()
    }
  })
  const app = await buildDemo({ logger: { level: 'info', stream } })
  t.teardown(() => app.close())
  const warning = lines.find((l) => l.level === 40)
  t.match(warning?.msg, /SESSION_SECRET is not set.*sessions? end/)
  const browser = new Browser(app)
  t.equal((await browser.login('alice')).statusCode, 303)
  t.equal((await browser.get('/dashboard')).statusCode, 200)
  const other = await buildDemo({ logger: false })
  t.teardown(() => other.close())
  const elsewhere = await other.inject({ url: '/dashboard', headers: { cookie: browser.cookieHeader as string, accept: 'application/json' } })
  t.equal(elsewhere.statusCode, 401, 'another random secret does not open the session')
})

t.test('with SESSION_SECRET: no warning, and a session survives a restart on the cookie store', async (t) => {
  const lines: Array<{ level: number }> = []
  const stream = new Writable({
    write (chunk, _enc, done) {
      lines.push(JSON.parse(String(chunk)))
      done()
    }
  })
  const first = await buildDemo({ secret: SECRET, logger: { level: 'info', stream } })
  t.teardown(() => first.close())
  t.notOk(lines.some((l) => l.level >= 40), 'nothing to warn about')
  const browser = new Browser(first)
  await browser.login('alice')
  await first.close()
  const second = await buildDemo({ secret: SECRET, logger: false })
  t.teardown(() => second.close())
  const res = await second.inject({ url: '/dashboard', headers: { cookie: browser.cookieHeader as string, accept: 'text/html' } })
  t.equal(res.statusCode, 200)
})
