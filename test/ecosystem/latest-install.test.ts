import { copyFileSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { redisSkip, startRedis } from '../helpers/redis-server.js'
import { ROOT, installApp, installedVersion, packTarball, sh } from '../helpers/pack.js'

// The canary for the next major: the packed tarball installed into an empty app with the registry's
// latest Fastify and the latest of one Redis client, asked for as name@latest (so npm cannot quietly
// settle for an older major to satisfy our peer ranges), with no flags at all: a peer range that
// refuses the latest client fails here with ERESOLVE. Then a session round trip through RedisStore
// on a real redis-server. Nothing is pinned: when a new major lands, this test is the first to know.

const APP = join(ROOT, 'test', 'fixtures', 'latest-install', 'app.mjs')
const CLIENTS = ['ioredis', 'redis', 'iovalkey']

// Three installs from the registry, at once; a slow network can take a minute or two.
t.setTimeout(300_000)

t.test('the latest Fastify and Redis clients install with the package, without flags, and keep a session', { skip: redisSkip() }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fsk-latest-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const redis = await startRedis(t)
  const tarball = await packTarball(dir)
  // The installs are independent: each resolves on its own, so run them side by side.
  const apps = await Promise.all(CLIENTS.map(async (client) => [client, await installApp(join(dir, client), [tarball, 'fastify@latest', `${client}@latest`])] as const))

  for (const [client, app] of apps) {
    await t.test(`${client}@latest`, async (t) => {
      t.comment(`fastify ${installedVersion(app, 'fastify')}, ${client} ${installedVersion(app, client)}`)
      copyFileSync(APP, join(app, 'app.mjs'))
      const report = JSON.parse(await sh(app, process.execPath, ['app.mjs', client], { REDIS_URL: redis.url })) as unknown
      t.same(report, { set: 200, read: { cart: ['apple'], isNew: false } }, 'a value set on one request is read back with the cookie')
    })
  }
})
