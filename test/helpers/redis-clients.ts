import { Cluster, Redis } from 'ioredis'

/**
 * The client settings docs/several-instances.md recommends for fail-closed outages: no offline queue
 * and no per-command retries, so a command fails at once while Redis is down instead of waiting for it;
 * the connection itself keeps retrying in the background, so the app recovers on its own.
 */
export const FAIL_FAST = { enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => 100 } as const

/** A connected ioredis client with the fail-fast settings, disconnected at teardown. */
export async function connectRedis (t: { teardown (fn: () => unknown): void }, port: number): Promise<Redis> {
  const client = new Redis({ port, host: '127.0.0.1', lazyConnect: true, ...FAIL_FAST })
  // Errors while Redis is down reach the commands that failed; the event itself is not news.
  client.on('error', () => {})
  t.teardown(() => client.disconnect())
  await client.connect()
  return client
}

/** A connected ioredis Cluster client with the fail-fast settings, disconnected at teardown. */
export async function connectCluster (t: { teardown (fn: () => unknown): void }, nodes: Array<{ host: string, port: number }>): Promise<Cluster> {
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
