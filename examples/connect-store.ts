// An express-session store through `fromConnectStore`: connect-redis on a real Redis when REDIS_URL is
// set, otherwise express-session's own MemoryStore (no service needed; for trying it only: it never
// forgets an abandoned session). Any connect store (connect-mongo, connect-pg-simple, ...) plugs in the
// same way. Run: `npx tsx examples/connect-store.ts`, or against Redis
// `REDIS_URL=redis://127.0.0.1:6379 npx tsx examples/connect-store.ts`, then
//   curl -c jar -b jar -X POST localhost:3000/login/alice
//   curl -b jar localhost:3000/me
//   redis-cli --scan --pattern 'sess:*'      # with Redis: one key per session, a hash of the id
//   curl -c jar -b jar -X POST localhost:3000/logout && curl -b jar localhost:3000/me
import { realpathSync } from 'node:fs'
import { pathToFileURL } from 'node:url'
import { RedisStore as ConnectRedisStore } from 'connect-redis'
import { MemoryStore as ExpressMemoryStore } from 'express-session'
import Fastify, { type FastifyInstance } from 'fastify'
import fastifySession, { fromConnectStore, generateSecret, requireLogin, type ConnectStoreLike } from 'fastify-session-kit'
import { createClient } from 'redis'

declare module 'fastify-session-kit' {
  interface SessionData {
    userId: string
  }
}

const newClient = (url: string) => createClient({ url, disableOfflineQueue: true, socket: { connectTimeout: 2000 } })
type NodeRedisClient = ReturnType<typeof newClient>

/**
 * A connected node-redis client that fails fast while Redis is down (requests get a 503 at once) and
 * reconnects by itself. The caller closes it.
 */
export async function redisClient (url: string): Promise<NodeRedisClient> {
  const client = newClient(url)
  // node-redis reports a lost connection as an 'error' event; unheard, it would end the process.
  client.on('error', (err: Error) => console.error(`redis: ${err.message}`))
  await client.connect()
  return client
}

/** The app, not listening, on `connectStore` (any express-session store). */
export async function build (connectStore: ConnectStoreLike, secret = process.env.SESSION_SECRET ?? generateSecret()): Promise<FastifyInstance> {
  const app = Fastify()
  await app.register(fastifySession, { secret, store: fromConnectStore(connectStore) })

  app.post<{ Params: { user: string } }>('/login/:user', async (request) => {
    // A demo login: no password (see examples/login.ts for a real one).
    await request.session.regenerate()
    request.session.set('userId', request.params.user)
    return { user: request.params.user }
  })

  app.get('/me', { preHandler: requireLogin() }, async (request) => ({ user: request.session.get('userId') }))

  app.post('/logout', async (request) => {
    await request.session.destroy()
    return { loggedOut: true }
  })
  return app
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  const url = process.env.REDIS_URL
  const client = url === undefined ? undefined : await redisClient(url)
  const app = await build(client === undefined ? new ExpressMemoryStore() : new ConnectRedisStore({ client }))
  if (client !== undefined) app.addHook('onClose', async () => { await client.quit() })
  await app.listen({ port: Number(process.env.PORT ?? 3000), host: process.env.HOST ?? '127.0.0.1' })
  console.log(`listening on http://${process.env.HOST ?? '127.0.0.1'}:${process.env.PORT ?? 3000} (${url === undefined ? "express-session's MemoryStore" : `connect-redis on ${url}`})`)
}
