// Log in and out with a JSON API: the session id changes on login (regenerate), logout destroys the
// session. Run: `npx tsx examples/login.ts`, then
//   curl -c jar -b jar -H 'content-type: application/json' -d '{"username":"alice","password":"password"}' localhost:3000/login
//   curl -b jar localhost:3000/me
import { realpathSync } from 'node:fs'
import { pathToFileURL } from 'node:url'
import Fastify, { type FastifyInstance } from 'fastify'
import fastifySession, { generateSecret, requireLogin } from 'fastify-session-kit'
import { createUserDirectory } from './demo/users.js'

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
  const users = await createUserDirectory()

  app.post<{ Body: { username?: string, password?: string } }>('/login', async (request, reply) => {
    const user = await users.verify(String(request.body?.username ?? ''), String(request.body?.password ?? ''))
    if (user === undefined) return reply.code(401).send({ error: 'wrong username or password' })
    await request.session.regenerate()
    request.session.set('userId', user.name)
    request.session.set('role', user.role)
    return { user: user.name, role: user.role }
  })

  app.get('/me', { preHandler: requireLogin() }, async (request) => {
    return { user: request.session.get('userId'), role: request.session.get('role') }
  })

  app.post('/logout', async (request) => {
    await request.session.destroy()
    return { loggedOut: true }
  })
  return app
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  const app = await build()
  await app.listen({ port: Number(process.env.PORT ?? 3000), host: process.env.HOST ?? '127.0.0.1' })
  console.log(`listening on http://${process.env.HOST ?? '127.0.0.1'}:${process.env.PORT ?? 3000}`)
}
