// RedisStore's per-user index set lives as long as the longest of its user's sessions: a session
// indexed later with a shorter life must not shorten the set, or revokeUser would miss the longer one.
// And whatever the order of a login's commands against a revokeUser or listUserSessions, a session of
// the user stays in the set.
import type { Redis } from 'ioredis'
import t, { type Test } from 'tap'
import { RedisStore, type SessionRecord } from '../../lib/index.js'
import { SCRIPTS } from '../../lib/stores/redis-scripts.js'
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

/**
 * The client as the store sees it, with one command held at a gate until the test opens it: `evalsha`
 * of one script, or `srem`. Resolves `reached` when the store sends that command.
 */
function gated (client: Redis, command: 'evalsha' | 'srem', sha?: string): { client: Redis, reached: Promise<void>, open: () => void } {
  let reach!: () => void
  let open!: () => void
  const reached = new Promise<void>((resolve) => { reach = resolve })
  const gate = new Promise<void>((resolve) => { open = resolve })
  let armed = true
  const proxy = new Proxy(client, {
    get (target, name) {
      const value = Reflect.get(target, name, target) as unknown
      if (typeof value !== 'function') return value
      if (name !== command) return value.bind(target)
      return async (...args: unknown[]) => {
        if (armed && (sha === undefined || args[0] === sha)) {
          armed = false
          reach()
          await gate
        }
        return await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args)
      }
    }
  })
  return { client: proxy, reached, open }
}

await t.test('RedisStore per-user index under overlap: a login is never left out of its user\'s set', { skip: redisSkip() }, async (t) => {
  const redis = await startRedis(t)
  const admin = await connectAdmin(t, redis.port)
  const anonymous = (): SessionRecord => ({ data: {}, createdAt: Date.now(), lastSeenAt: Date.now() })
  const login = { set: { userId: 'alice' }, unset: [], lastSeenAt: Date.now(), user: 'alice' }
  let n = 0
  /** An anonymous session 's' on its own prefix, and a login of alice to it, held before its write. */
  const loginHeld = async (t: Test): Promise<{ prefix: string, plain: RedisStore, written: Promise<boolean | string>, open: () => void }> => {
    const prefix = `ov${n++}:`
    const plain = new RedisStore({ client: await connectRedis(t, redis.port), prefix })
    await plain.set('s', anonymous(), 60_000)
    const writer = gated(await connectRedis(t, redis.port), 'evalsha', SCRIPTS.patch.sha)
    const written = new RedisStore({ client: writer.client, prefix }).patch('s', login, 60_000)
    await writer.reached
    return { prefix, plain, written, open: writer.open }
  }

  // The shrunk counterexample of the model test (seed 2033735554): a revokeUser that runs while a login
  // has indexed its session but not yet written its user found the session not alice's and dropped it
  // from her set; the login then landed, and the next revokeUser missed it: it kept authenticating.
  await t.test('a revokeUser between a login\'s index and its write', async (t) => {
    const { prefix, plain, written, open } = await loginHeld(t)
    t.equal(await plain.revokeUser('alice'), 0, 'the session is not alice\'s yet: nothing to revoke')
    open()
    t.equal(await written, true, 'the login lands')
    t.same(await admin.smembers(`${prefix}user:alice`), ['s'], 'and its session is in alice\'s set')
    t.equal(await plain.revokeUser('alice'), 1, 'so the next revokeUser ends it')
    t.equal(await admin.exists(`${prefix}s`), 0, 'it is gone')
  })

  await t.test('a new session created for the user, with a revokeUser before its write', async (t) => {
    const prefix = `ov${n++}:`
    const plain = new RedisStore({ client: await connectRedis(t, redis.port), prefix })
    const writer = gated(await connectRedis(t, redis.port), 'evalsha', SCRIPTS.set.sha)
    const store = new RedisStore({ client: writer.client, prefix })
    const written = store.set('s', record('alice'), 60_000)
    await writer.reached
    t.equal(await plain.revokeUser('alice'), 0, 'nothing written yet')
    writer.open()
    await written
    t.equal(await plain.revokeUser('alice'), 1, 'the session written after it is still found')
  })

  // The other order: the revokeUser looks before the login writes, and removes the member only after the
  // login has written and indexed itself again; its second look puts the member back.
  await t.test('a revokeUser whose removal comes after the login\'s write', async (t) => {
    const { prefix, plain, written, open } = await loginHeld(t)
    const revoker = gated(await connectRedis(t, redis.port), 'srem')
    const revoked = new RedisStore({ client: revoker.client, prefix }).revokeUser('alice')
    await revoker.reached
    open()
    t.equal(await written, true, 'the login lands while the revokeUser is held before its removal')
    revoker.open()
    t.equal(await revoked, 0, 'the revokeUser began before the login: it ended nothing')
    t.same(await admin.smembers(`${prefix}user:alice`), ['s'], 'the member it removed is back')
    t.ok(await admin.pttl(`${prefix}user:alice`) > 50_000, 'with the set\'s lifetime')
    t.equal(await plain.revokeUser('alice'), 1, 'the next revokeUser ends the session')
  })

  await t.test('listUserSessions between a login\'s index and its write', async (t) => {
    const { plain, written, open } = await loginHeld(t)
    t.same(await plain.listUserSessions('alice'), [], 'not alice\'s yet')
    open()
    await written
    t.equal((await plain.listUserSessions('alice')).length, 1, 'listed once the login lands')
    t.equal(await plain.revokeUser('alice'), 1, 'and revoked')
  })

  await t.test('a stale member stays out: a session that is someone else\'s is not put back', async (t) => {
    const prefix = `ov${n++}:`
    const plain = new RedisStore({ client: await connectRedis(t, redis.port), prefix })
    await plain.set('s', record('bob'), 60_000)
    await admin.sadd(`${prefix}user:alice`, 's', 'gone')
    t.equal(await plain.revokeUser('alice'), 0, 'bob\'s session is not alice\'s to revoke')
    t.equal(await admin.exists(`${prefix}user:alice`), 0, 'both stale members are dropped')
    t.equal(await admin.exists(`${prefix}s`), 1, 'bob\'s session lives on')
  })
})
