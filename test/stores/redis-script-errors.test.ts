// A script that fails for any reason but a lost script cache fails once: EVALSHA is followed by EVAL
// only on NOSCRIPT. Retrying every error would send the script's source again after each failure and,
// during an outage, double how long a request waits for its timeout.
import { createHash } from 'node:crypto'
import t from 'tap'
import { redisCommands } from '../../lib/stores/redis-commands.js'
import type { Script } from '../../lib/stores/redis-scripts.js'
import { connectAdmin, connectRow, REDIS_CLIENTS } from '../helpers/redis-clients.js'
import { redisSkip, startRedis } from '../helpers/redis-server.js'

t.setTimeout(120_000)

const SCRIPT_NAMES = new Set<string | symbol>(['evalsha', 'evalSha', 'eval'])

/** `client`, with each script call it receives (and those of its typed views, node-redis) noted in `calls`. */
function counting<C extends object> (client: C, calls: string[]): C {
  return new Proxy(client, {
    get (target, prop) {
      const value: unknown = Reflect.get(target, prop, target)
      if (typeof value !== 'function') return value
      const fn = value as (...args: unknown[]) => unknown
      if (prop === 'withTypeMapping') return (...args: unknown[]) => counting(fn.apply(target, args) as object, calls)
      if (SCRIPT_NAMES.has(prop)) {
        return (...args: unknown[]) => {
          calls.push(String(prop).toLowerCase())
          return fn.apply(target, args)
        }
      }
      return fn.bind(target)
    }
  })
}

function script (source: string): Script {
  return { source, sha: createHash('sha1').update(source).digest('hex') }
}

await t.test('EVALSHA failing with an error other than NOSCRIPT is not sent again as EVAL', { skip: redisSkip() }, async (t) => {
  const redis = await startRedis(t)
  const admin = await connectAdmin(t, redis.port)
  const hset = script("return redis.call('HSET', KEYS[1], 'f', 'v')")
  await admin.set('a-string', 'x')

  for (const row of REDIS_CLIENTS) {
    await t.test(row.name, async (t) => {
      const calls: string[] = []
      const commands = redisCommands(counting(await connectRow(t, row, redis.port), calls))
      await admin.script('FLUSH')

      await commands.script(hset, `hash:${row.name}`, [])
      t.same(calls, ['evalsha', 'eval'], 'NOSCRIPT: the source is sent once, and cached again')

      calls.length = 0
      await t.rejects(commands.script(hset, 'a-string', []), { message: /WRONGTYPE/ })
      t.same(calls, ['evalsha'], 'WRONGTYPE: one call, no EVAL')
    })
  }
})
