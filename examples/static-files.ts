// Static files and a health check without sessions: @fastify/static registered in a scope with
// `withoutSessions` reads no cookie, decrypts nothing, touches no store and never sets a cookie, while
// the app's other routes keep their sessions. Run: `npx tsx examples/static-files.ts`, then
//   curl -i -c jar -b jar localhost:3000/visits          # Set-Cookie: sid=...
//   curl -i -b jar localhost:3000/assets/style.css       # no Set-Cookie, even with the cookie
//   curl -i localhost:3000/health                        # no Set-Cookie
import { realpathSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import fastifyStatic from '@fastify/static'
import Fastify, { type FastifyInstance } from 'fastify'
import fastifySession, { generateSecret, withoutSessions } from 'fastify-session-kit'

declare module 'fastify-session-kit' {
  interface SessionData {
    visits: number
  }
}

/** The app, not listening. */
export async function build (secret = process.env.SESSION_SECRET ?? generateSecret()): Promise<FastifyInstance> {
  const app = Fastify()
  await app.register(fastifySession, { secret })

  // Everything registered in this scope (here the routes @fastify/static adds) has no session.
  await app.register(async function assets (scope) {
    await scope.register(withoutSessions)
    await scope.register(fastifyStatic, { root: join(import.meta.dirname, 'public'), prefix: '/assets/' })
  })

  // One route can opt out on its own.
  app.get('/health', { config: { session: false } }, async () => ({ ok: true }))

  app.get('/visits', async (request) => {
    const visits = (request.session.get('visits') ?? 0) + 1
    request.session.set('visits', visits)
    return { visits }
  })
  return app
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  const app = await build()
  await app.listen({ port: Number(process.env.PORT ?? 3000), host: process.env.HOST ?? '127.0.0.1' })
  console.log(`listening on http://${process.env.HOST ?? '127.0.0.1'}:${process.env.PORT ?? 3000}`)
}
