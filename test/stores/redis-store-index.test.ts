// RedisStore's per-user index set lives as long as the longest of its user's sessions: a session
// indexed later with a shorter life must not shorten the set, or revokeUser would miss the longer one.
import t from 'tap'
import { RedisStore, type SessionRecord } from '../../lib/index.js'
import { redisSkip, startRedis } from '../helpers/redis-server.js'
import { connectRedis, connectAdmin } from '../helpers/redis-clients.js'

const record = (user: string): SessionRecord => ({ data: { userId: user }, createdAt: Date.now(), lastSeenAt: Date.now(), user })

await t.test('RedisStore per-user index', { skip: redisSkip() }, async (t) => {
  const redis = await startRedis(t)
  const admin = await connectAdmin(t, redis.port)

  await t.test('a short-lived session indexed after a long-lived one does not shorten the set', async (t) => {
    const store = new RedisStore({ client: await connectRedis(t, redis.port), prefix: 'ix1:' })
    await store.set('long', record('alice'), 3_600_000)
    await store.set('short', record('alice'), 200)
    const setTtl = await admin.pttl('ix1:user:alice')
    const longTtl = await admin.pttl('ix1:long')
    t.ok(setTtl >= longTtl - 1_000, `the set (${setTtl} ms) lives as long as the long session (${longTtl} ms)`)

    // Redis ends the short one by itself; wait for that rather than guess how long it takes.
    const until = Date.now() + 10_000
    while (await admin.exists('ix1:short') === 1 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 50))
    t.equal(await admin.exists('ix1:short'), 0, 'the short-lived session expired')
    t.equal(await admin.exists('ix1:user:alice'), 1, 'the index set outlived it')
    t.same((await store.listUserSessions('alice')).length, 1, 'the long-lived session is still listed')
    t.equal(await store.revokeUser('alice'), 1, 'revokeUser ends the long-lived session')
    t.equal(await admin.exists('ix1:long'), 0, 'which is gone from Redis')
  })

  await t.test('a longer-lived session indexed later lengthens the set', async (t) => {
    const store = new RedisStore({ client: await connectRedis(t, redis.port), prefix: 'ix2:' })
    await store.set('first', record('bob'), 60_000)
    await store.set('second', record('bob'), 3_600_000)
    t.ok(await admin.pttl('ix2:user:bob') > 60_000, 'the set takes the longer lifetime')
  })
})
