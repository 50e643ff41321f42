// Sessions in Redis, shared by every instance of the app: run two of these on two ports against one
// Redis and a login on one is a login on both. Run: `npx tsx examples/redis.ts` (REDIS_URL, default
// redis://127.0.0.1:6379; PORT, default 3000), then
//   curl -c jar -b jar -X POST localhost:3000/login/alice
//   curl -b jar localhost:3000/devices
//   curl -b jar -X POST localhost:3000/logout-everywhere
import { realpathSync } from 'node:fs'
import { pathToFileURL } from 'node:url'
import Fastify, { type FastifyInstance } from 'fastify'
import fastifySession, { generateSecret, RedisStore, requireLogin } from 'fastify-session-kit'
import { Redis } from 'ioredis'

declare module 'fastify-session-kit' {
  interface SessionData {
    userId: string
    visits: number
  }
}

/**
 * A connected Redis client that fails fast while Redis is down, so requests get a 503 at once
 * instead of waiting; it keeps reconnecting in the background and the app recovers on its own.
 * Without an offline queue a command sent before the connection is up fails too: connect first.
 */
export async function redisClient (url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'): Promise<Redis> {
  const client = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 0, lazyConnect: true })
  client.on('error', (err) => console.error(`redis: ${err.message}`))
  await client.connect()
  return client
}

/** The app, not listening; the caller owns (and closes) the client. */
export async function build (client: Redis, secret = process.env.SESSION_SECRET ?? generateSecret()): Promise<FastifyInstance> {
  const app = Fastify()
  await app.register(fastifySession, { secret, store: new RedisStore({ client }) })

  app.post<{ Params: { user: string } }>('/login/:user', async (request) => {
    // A demo login: no password. See examples/login.ts for a real one.
    await request.session.regenerate()
    request.session.set('userId', request.params.user)
    return { user: request.params.user }
  })

  app.get('/', async (request) => {
    const visits = (request.session.get('visits') ?? 0) + 1
    request.session.set('visits', visits)
    return { user: request.session.get('userId') ?? null, visits }
  })

  // "Your devices": when each of this user's sessions began and was last used (never their ids).
  app.get('/devices', { preHandler: requireLogin() }, async (request) => {
    return await app.session.listUserSessions(request.session.get('userId') as string)
  })

  // Password changed, phone lost: end every session of this user, on every instance.
  app.post('/logout-everywhere', { preHandler: requireLogin() }, async (request) => {
    return { ended: await app.session.revokeUser(request.session.get('userId') as string) }
  })

  app.post('/logout', async (request) => {
    await request.session.destroy()
    return { loggedOut: true }
  })
  return app
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  const client = await redisClient()
  const app = await build(client)
  app.addHook('onClose', async () => { await client.quit() })
  await app.listen({ port: Number(process.env.PORT ?? 3000), host: process.env.HOST ?? '127.0.0.1' })
  console.log(`listening on http://${process.env.HOST ?? '127.0.0.1'}:${process.env.PORT ?? 3000}`)
}
