// Two sessions in one app: long-lived preferences in the encrypted cookie (the default session), and
// a short admin session kept on the server (request.adminSession), each with its own cookie, secret,
// store, lifetimes and data type. Run: `npx tsx examples/two-sessions.ts`, then
//   curl -c jar -b jar localhost:3000/theme/dark
//   curl -c jar -b jar -H 'content-type: application/json' -d '{"username":"root","password":"password"}' localhost:3000/admin/login
//   curl -b jar localhost:3000/admin
import { realpathSync } from 'node:fs'
import { pathToFileURL } from 'node:url'
import Fastify, { type FastifyInstance } from 'fastify'
import fastifySession, { generateSecret, MemoryStore, requireAdmin, type Session, type SessionManager, type SessionStore } from 'fastify-session-kit'

declare module 'fastify-session-kit' {
  interface SessionData {
    theme: 'light' | 'dark'
  }
}

/** What the admin session holds: its own type, not merged into SessionData. */
export interface AdminData {
  userId: string
  role: 'admin' | 'user'
}

declare module 'fastify' {
  interface FastifyRequest {
    adminSession: Session<AdminData>
  }
  interface FastifyInstance {
    adminSession: SessionManager
  }
}

const ADMINS = new Map([['root', 'password']])

/** The app, not listening. `adminStore` defaults to a MemoryStore; pass a RedisStore in production. */
export async function build (
  secrets: { preferences: string, admin: string } = { preferences: generateSecret(), admin: generateSecret() },
  adminStore: SessionStore = new MemoryStore()
): Promise<FastifyInstance> {
  const app = Fastify()
  await app.register(fastifySession, {
    secret: secrets.preferences,
    cookieName: 'prefs',
    ttl: 30 * 86_400,
    absoluteTtl: 365 * 86_400
  })
  await app.register(fastifySession, {
    sessionName: 'adminSession',
    secret: secrets.admin,
    store: adminStore,
    cookieName: 'admin',
    cookie: { sameSite: 'strict' },
    ttl: 15 * 60,
    absoluteTtl: 8 * 3600
  })

  app.get<{ Params: { theme: string } }>('/theme/:theme', async (request) => {
    const theme = request.params.theme === 'dark' ? 'dark' : 'light'
    request.session.set('theme', theme)
    return { theme }
  })

  app.post<{ Body: { username?: string, password?: string } }>('/admin/login', async (request, reply) => {
    const { username = '', password = '' } = request.body ?? {}
    if (ADMINS.get(username) !== password) return await reply.code(401).send({ error: 'wrong username or password' })
    await request.adminSession.regenerate()
    request.adminSession.set('userId', username)
    request.adminSession.set('role', 'admin')
    return { admin: username }
  })

  app.get('/admin', { preHandler: requireAdmin({ sessionName: 'adminSession' }) }, async (request) => ({
    admin: request.adminSession.get('userId'),
    theme: request.session.get('theme') ?? 'light'
  }))

  app.post('/admin/logout', async (request) => {
    await request.adminSession.destroy()
    return { loggedOut: true }
  })
  return app
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  const app = await build()
  await app.listen({ port: Number(process.env.PORT ?? 3000), host: process.env.HOST ?? '127.0.0.1' })
  console.log(`listening on http://${process.env.HOST ?? '127.0.0.1'}:${process.env.PORT ?? 3000}`)
}
