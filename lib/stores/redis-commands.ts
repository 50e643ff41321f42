import { InvalidOptionError } from '../errors.js'
import type { Script } from './redis-scripts.js'

/**
 * An ioredis or iovalkey client (`new Redis()`, `new Valkey()` or a `Cluster`), by the commands
 * RedisStore sends. Typed by shape so that the client library stays the application's choice and
 * never becomes a dependency of this package.
 */
export interface RedisClientLike {
  evalsha (sha1: string, numkeys: number, ...args: string[]): Promise<unknown>
  eval (script: string, numkeys: number, ...args: string[]): Promise<unknown>
  hgetall (key: string): Promise<Record<string, string>>
  hmget (key: string, ...fields: string[]): Promise<Array<string | null>>
  smembers (key: string): Promise<string[]>
  srem (key: string, ...members: string[]): Promise<number>
  del (...keys: string[]): Promise<number>
}

/** The keys and arguments of a node-redis `eval`/`evalSha` call. */
export interface NodeRedisEvalOptions {
  keys: string[]
  arguments: string[]
}

/** The commands RedisStore sends through a node-redis client, by shape (replies are checked at run time). */
export interface NodeRedisCommandsLike {
  evalSha (sha1: string, options: NodeRedisEvalOptions): Promise<unknown>
  eval (script: string, options: NodeRedisEvalOptions): Promise<unknown>
  hGetAll (key: string): Promise<unknown>
  hmGet (key: string, fields: string[]): Promise<unknown>
  sMembers (key: string): Promise<unknown>
  sRem (key: string, members: string[]): Promise<unknown>
  del (key: string): Promise<unknown>
}

/**
 * A node-redis 5 or 6 client (`createClient()` or `createCluster()` of the `redis` package or
 * `@redis/client`), RESP2 or RESP3, by shape.
 */
export interface NodeRedisClientLike extends NodeRedisCommandsLike {
  withTypeMapping (typeMapping: Record<never, never>): NodeRedisCommandsLike
}

/** The few commands RedisStore sends, the same whichever client carries them. */
export interface RedisCommands {
  /** Runs a one-key script by its SHA1, sending its source once more if the server lost it. */
  script (s: Script, key: string, args: string[]): Promise<unknown>
  hgetall (key: string): Promise<Record<string, string>>
  hmget (key: string, fields: string[]): Promise<Array<string | null>>
  smembers (key: string): Promise<string[]>
  srem (key: string, members: string[]): Promise<unknown>
  del (key: string): Promise<unknown>
}

const EXPECTED = 'must be a Redis client: ioredis or iovalkey (a Redis/Valkey or a Cluster instance), ' +
  'or node-redis 5 or later (createClient() or createCluster())'

/**
 * The adapter for `client`, chosen once, when the store is made.
 *
 * @throws `FST_SESSION_INVALID_OPTION` for anything that is neither client family.
 */
export function redisCommands (client: unknown): RedisCommands {
  if (typeof client === 'object' && client !== null) {
    const c = client as Partial<Record<keyof RedisClientLike | keyof NodeRedisClientLike, unknown>>
    if (typeof c.evalsha === 'function' && typeof c.hgetall === 'function') return ioredis(client as RedisClientLike)
    if (typeof c.evalSha === 'function' && typeof c.withTypeMapping === 'function') return nodeRedis(client as NodeRedisClientLike)
  }
  throw new InvalidOptionError('client', EXPECTED)
}

function isNoScript (err: unknown): boolean {
  return err instanceof Error && err.message.startsWith('NOSCRIPT')
}

/**
 * EVALSHA, and EVAL when the server's script cache is empty (a restart, SCRIPT FLUSH, a new cluster
 * node): EVAL sends the source once and caches it again.
 */
async function evalShaOrEval (bySha: () => Promise<unknown>, bySource: () => Promise<unknown>): Promise<unknown> {
  try {
    return await bySha()
  } catch (err) {
    if (!isNoScript(err)) throw err
    return await bySource()
  }
}

function ioredis (client: RedisClientLike): RedisCommands {
  return {
    script: async (s, key, args) => await evalShaOrEval(
      async () => await client.evalsha(s.sha, 1, key, ...args),
      async () => await client.eval(s.source, 1, key, ...args)),
    hgetall: async (key) => await client.hgetall(key),
    hmget: async (key, fields) => await client.hmget(key, ...fields),
    smembers: async (key) => await client.smembers(key),
    srem: async (key, members) => await client.srem(key, ...members),
    del: async (key) => await client.del(key)
  }
}

function nodeRedis (client: NodeRedisClientLike): RedisCommands {
  // The app may have asked for Maps, Sets or Buffers (a typeMapping, often with RESP3). This view of
  // the same connection answers in the default types whatever the client's settings: a hash as a
  // plain object, a set as an array, strings as strings, on RESP2 and RESP3 alike. On a cluster,
  // evalSha and eval are routed by their first key, like every other command here.
  const plain = client.withTypeMapping({})
  return {
    script: async (s, key, args) => {
      const options = { keys: [key], arguments: args }
      return await evalShaOrEval(async () => await plain.evalSha(s.sha, options), async () => await plain.eval(s.source, options))
    },
    hgetall: async (key) => await plain.hGetAll(key) as Record<string, string>,
    hmget: async (key, fields) => await plain.hmGet(key, fields) as Array<string | null>,
    smembers: async (key) => await plain.sMembers(key) as string[],
    srem: async (key, members) => await plain.sRem(key, members),
    del: async (key) => await plain.del(key)
  }
}
