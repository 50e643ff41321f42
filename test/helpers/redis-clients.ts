import { Cluster, Redis } from 'ioredis'
import { Cluster as Cluster5, Redis as Redis5 } from 'ioredis-5'
import { Cluster as ValkeyCluster, Valkey } from 'iovalkey'
import { createClient, createCluster } from 'redis'
import { createClient as createClient5, createCluster as createCluster5 } from 'redis-5'
import type { RedisStoreOptions } from '../../lib/index.js'

type Teardown = { teardown (fn: () => unknown): void }
type Nodes = Array<{ host: string, port: number }>

/**
 * The client settings docs/several-instances.md recommends for fail-closed outages: no offline queue
 * and no per-command retries, so a command fails at once while Redis is down instead of waiting for it;
 * the connection itself keeps retrying in the background, so the app recovers on its own.
 */
export const FAIL_FAST = { enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => 100 } as const

/**
 * node-redis' equivalent (it queues commands while disconnected by default): reject commands while
 * the socket is down, and keep reconnecting in the background, quickly. Its default strategy also
 * never gives up, but backs off to 2 s; a strategy that returns an Error would close the client for good.
 */
export const NODE_REDIS_FAIL_FAST = {
  disableOfflineQueue: true,
  socket: { connectTimeout: 2000, reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, 500) }
} as const

/** A client as RedisStore takes it, with what a test does to it: connect it, close it as an app would. */
export interface RedisHandle {
  readonly client: RedisStoreOptions['client']
  connect (): Promise<void>
  /** Closes it for good, the way the application would at shutdown (quit/close). */
  close (): Promise<void>
  /** node-redis only: drops the connection at once, without waiting for replies. */
  destroy? (): void
}

/** One Redis client the store supports: each suite that iterates {@link REDIS_CLIENTS} runs on every row. */
export interface RedisClientRow {
  /** 'ioredis 6', 'node-redis 5 (RESP3)', ... */
  readonly name: string
  readonly family: 'ioredis' | 'node-redis'
  /** A client of one redis-server, made with the fail-fast settings, not connected yet; disconnected at teardown. */
  create (t: Teardown, port: number): RedisHandle
  /** The same on a cluster, for the rows the cluster suites run (undefined: single node only). */
  createCluster?: (t: Teardown, nodes: Nodes) => RedisHandle
}

// What the ioredis family (ioredis 5 and 6, iovalkey) has in common, for one row maker.
interface IoredisLike {
  connect (): Promise<void>
  quit (): Promise<unknown>
  disconnect (): void
  on (event: 'error', listener: () => void): unknown
}
type IoredisClient = IoredisLike & RedisStoreOptions['client']

function ioredisRow (name: string,
  RedisClass: new (options: object) => IoredisClient,
  ClusterClass: new (nodes: Nodes, options: object) => IoredisClient): RedisClientRow {
  const handle = (t: Teardown, client: IoredisClient): RedisHandle => {
    // Errors while Redis is down reach the commands that failed; the event itself is not news.
    client.on('error', () => {})
    t.teardown(() => client.disconnect())
    return { client, connect: async () => await client.connect(), close: async () => { await client.quit() } }
  }
  return {
    name,
    family: 'ioredis',
    create: (t, port) => handle(t, new RedisClass({ port, host: '127.0.0.1', lazyConnect: true, ...FAIL_FAST })),
    createCluster: (t, nodes) => handle(t, new ClusterClass(nodes, {
      lazyConnect: true, enableOfflineQueue: false, clusterRetryStrategy: () => 100, redisOptions: { maxRetriesPerRequest: 0 }
    }))
  }
}

// What node-redis 5 and 6 have in common.
interface NodeRedisLike {
  connect (): Promise<unknown>
  close (): Promise<void>
  destroy (): void
  isOpen: boolean
  on (event: 'error', listener: () => void): unknown
}
type NodeRedisClient = NodeRedisLike & RedisStoreOptions['client']

function nodeRedisHandle (t: Teardown, client: NodeRedisClient): RedisHandle {
  client.on('error', () => {})
  t.teardown(() => { if (client.isOpen) client.destroy() })
  return {
    client,
    connect: async () => { await client.connect() },
    close: async () => await client.close(),
    destroy: () => client.destroy()
  }
}

// RESP3 rows also ask for Maps, Sets and Buffers (RESP type codes %, ~ and $), as an app may: the
// store must read its replies the same whatever the client's type mapping.
const MAPPED = { typeMapping: { 37: Map, 126: Set, 36: Buffer } }

function nodeRedisRow (name: string, RESP: 2 | 3,
  create: (options: object) => NodeRedisClient,
  cluster?: (options: { rootNodes: Array<{ url: string }>, RESP: 2 | 3, defaults: object }) => NodeRedisClient): RedisClientRow {
  const row: RedisClientRow = {
    name: `${name} (RESP${RESP})`,
    family: 'node-redis',
    create: (t, port) => nodeRedisHandle(t, create({
      url: `redis://127.0.0.1:${port}`, RESP, ...NODE_REDIS_FAIL_FAST, ...(RESP === 3 ? { commandOptions: MAPPED } : {})
    }))
  }
  if (cluster === undefined) return row
  return {
    ...row,
    createCluster: (t, nodes) => nodeRedisHandle(t, cluster({
      rootNodes: nodes.map((n) => ({ url: `redis://${n.host}:${n.port}` })), RESP, defaults: NODE_REDIS_FAIL_FAST
    }))
  }
}

/**
 * Every client RedisStore supports, each with the fail-fast settings the docs recommend: the
 * conformance, outage, full-Redis and script-cache suites run on each row (the cluster suites on the
 * rows with `createCluster`). The plain package names are the registry's latest majors; the
 * `-5` names are npm aliases of the previous ones.
 */
export const REDIS_CLIENTS: readonly RedisClientRow[] = [
  ioredisRow('ioredis 6', Redis, Cluster),
  ioredisRow('ioredis 5', Redis5, Cluster5),
  ioredisRow('iovalkey', Valkey, ValkeyCluster),
  nodeRedisRow('node-redis 6', 2, createClient),
  nodeRedisRow('node-redis 6', 3, createClient, createCluster),
  nodeRedisRow('node-redis 5', 2, createClient5, createCluster5),
  nodeRedisRow('node-redis 5', 3, createClient5)
]

/** A connected client of `row` on one redis-server. */
export async function connectRow (t: Teardown, row: RedisClientRow, port: number): Promise<RedisStoreOptions['client']> {
  const handle = row.create(t, port)
  await handle.connect()
  return handle.client
}

/** A connected ioredis client with the fail-fast settings, disconnected at teardown. */
export async function connectRedis (t: Teardown, port: number): Promise<Redis> {
  const client = new Redis({ port, host: '127.0.0.1', lazyConnect: true, ...FAIL_FAST })
  client.on('error', () => {})
  t.teardown(() => client.disconnect())
  await client.connect()
  return client
}

/**
 * A connected ioredis client for a test's own look at Redis (dumps, SCRIPT FLUSH), disconnected at
 * teardown. Unlike the fail-fast clients it queues commands while it reconnects: after a test stops
 * and restarts redis-server, the next command waits for the connection instead of failing.
 */
export async function connectAdmin (t: Teardown, port: number): Promise<Redis> {
  const client = new Redis({ port, host: '127.0.0.1', lazyConnect: true, retryStrategy: () => 50 })
  client.on('error', () => {})
  t.teardown(() => client.disconnect())
  await client.connect()
  return client
}

/** A connected ioredis Cluster client with the fail-fast settings, disconnected at teardown. */
export async function connectCluster (t: Teardown, nodes: Nodes): Promise<Cluster> {
  const client = new Cluster(nodes, { lazyConnect: true, enableOfflineQueue: false, redisOptions: { maxRetriesPerRequest: 0 } })
  client.on('error', () => {})
  t.teardown(() => client.disconnect())
  await client.connect()
  return client
}

/** Every key of one Redis node with its contents, as text: what a dump of the server would show. */
export async function dumpRedis (client: Redis): Promise<string> {
  const out: string[] = []
  for (const key of await client.keys('*')) {
    const type = await client.type(key)
    const value = type === 'hash'
      ? await client.hgetall(key)
      : type === 'set' ? await client.smembers(key) : await client.get(key)
    out.push(`${key} ${JSON.stringify(value)}`)
  }
  return out.join('\n')
}

/** Every key of every master of a cluster: a session's hash and its user's set usually live on different nodes. */
export async function dumpCluster (t: Teardown, nodes: Nodes): Promise<string> {
  const client = await connectCluster(t, nodes)
  const parts = await Promise.all(client.nodes('master').map(async (node) => await dumpRedis(node)))
  return parts.join('\n')
}
