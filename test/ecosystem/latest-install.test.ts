import { copyFileSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { redisSkip, startRedis } from '../helpers/redis-server.js'
import { ROOT, installApp, installedVersion, packTarball, sh } from '../helpers/pack.js'

// The canary for the next major: the packed tarball installed into an empty app with the registry's
// latest Fastify and the latest of each Redis client, asked for as name@latest (so npm cannot quietly
// settle for an older major to satisfy our peer ranges), with no flags at all: a peer range that
// refuses the latest of any of them fails here with ERESOLVE. Then a session round trip through
// RedisStore on a real redis-server with each client. Nothing is pinned: when a new major lands, this
// test is the first to know. One install holds the three clients: the clients are optional peers of
// the package and have no peers of their own, so each resolves as it would alone, and one install costs
// a third of the CPU of three.

const APP = join(ROOT, 'test', 'fixtures', 'latest-install', 'app.mjs')
const CLIENTS = ['ioredis', 'redis', 'iovalkey']

// An install from the registry; a slow network can take a minute or two.
t.setTimeout(300_000)

t.test('the latest Fastify and Redis clients install with the package, without flags, and keep a session', { skip: redisSkip() }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fsk-latest-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const redis = await startRedis(t)
  const tarball = await packTarball(dir)
  const app = await installApp(join(dir, 'app'), [tarball, 'fastify@latest', ...CLIENTS.map((client) => `${client}@latest`)])
  copyFileSync(APP, join(app, 'app.mjs'))

  for (const client of CLIENTS) {
    await t.test(`${client}@latest`, async (t) => {
      t.comment(`fastify ${installedVersion(app, 'fastify')}, ${client} ${installedVersion(app, client)}`)
      const report = JSON.parse(await sh(app, process.execPath, ['app.mjs', client], { REDIS_URL: redis.url })) as unknown
      t.same(report, { set: 200, read: { cart: ['apple'], isNew: false } }, 'a value set on one request is read back with the cookie')
    })
  }
})
