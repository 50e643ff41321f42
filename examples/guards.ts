// The three guards: requireLogin (401, or a 303 to the login page for browsers), requireRole and
// requireAdmin (403 for the wrong role, 401 first without a login). Run: `npx tsx examples/guards.ts`,
// then `curl localhost:3000/admin` (401), and with a cookie from POST /login/admin, 200.
import { realpathSync } from 'node:fs'
import { pathToFileURL } from 'node:url'
import Fastify, { type FastifyInstance } from 'fastify'
import fastifySession, { generateSecret, requireAdmin, requireLogin, requireRole } from 'fastify-session-kit'

declare module 'fastify-session-kit' {
  interface SessionData {
    userId: string
    role: 'admin' | 'user'
  }
}

/** The app, not listening. */
export async function build (secret = process.env.SESSION_SECRET ?? generateSecret()): Promise<FastifyInstance> {
  const app = Fastify()
  await app.register(fastifySession, { secret })

  // A stand-in for a real login (see examples/login.ts): logs in as "someone" with the given role.
  app.post<{ Params: { role: string } }>('/login/:role', async (request, reply) => {
    const role = request.params.role
    if (role !== 'admin' && role !== 'user') return reply.code(400).send({ error: 'role must be admin or user' })
    await request.session.regenerate()
    request.session.set('userId', 'someone')
    request.session.set('role', role)
    return { role }
  })
  app.get('/login', async () => ({ page: 'the login form' }))

  app.get('/profile', { preHandler: requireLogin({ redirectTo: '/login' }) }, async (request) => {
    return { user: request.session.get('userId') }
  })
  app.get('/staff', { preHandler: requireRole(['admin', 'user']) }, async (request) => {
    return { role: request.session.get('role') }
  })
  app.get('/admin', { preHandler: requireAdmin() }, async () => ({ admin: true }))
  return app
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  const app = await build()
  await app.listen({ port: Number(process.env.PORT ?? 3000), host: process.env.HOST ?? '127.0.0.1' })
  console.log(`listening on http://${process.env.HOST ?? '127.0.0.1'}:${process.env.PORT ?? 3000}`)
}
