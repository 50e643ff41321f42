// Two tabs refresh one bound session at once with the same cached challenge: the challenge is used
// once, so one wins; the other gets 403 with a fresh challenge, retries, and succeeds too.
import t from 'tap'
import { MemoryStore, RedisStore } from '../../lib/index.js'
import type { SessionStore } from '../../lib/index.js'
import type { Test } from 'tap'
import { boundBrowser, dbscApp } from '../helpers/dbsc-scenario.js'
import { connectRedis } from '../helpers/redis-clients.js'
import { redisSkip, startRedis } from '../helpers/redis-server.js'

async function twoTabs (t: Test, store: SessionStore): Promise<void> {
  const { base } = await dbscApp(t, store)
  const browser = await boundBrowser(t, base)
  const challenge = browser.challenge as string
  const [a, b] = await Promise.all([
    browser.refreshOnce(browser.key.proof(challenge, false)),
    browser.refreshOnce(browser.key.proof(challenge, false))
  ])
  t.same([a.status, b.status].sort(), [200, 403], 'one tab wins, the other is asked to sign a fresh challenge')
  const loser = a.status === 403 ? a : b
  const fresh = /^"([^"]+)"/.exec(loser.headers.get('secure-session-challenge') as string)?.[1] as string
  t.equal((await browser.refreshOnce(browser.key.proof(fresh, false))).status, 200, 'its retry succeeds')
  t.same(await (await browser.fetch('/me')).json(), { user: 'alice' })
}

t.test('MemoryStore', async (t) => {
  const store = new MemoryStore()
  t.teardown(() => store.close())
  await twoTabs(t, store)
})

t.test('RedisStore', { skip: redisSkip() }, async (t) => {
  const redis = await startRedis(t)
  await twoTabs(t, new RedisStore({ client: await connectRedis(t, redis.port) }))
})
