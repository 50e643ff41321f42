// Log in and out with a JSON API: the session id changes on login (regenerate), logout destroys the
// session. Run: `npx tsx examples/login.ts`, then
//   curl -c jar -b jar -H 'content-type: application/json' -d '{"username":"alice","password":"password"}' localhost:3000/login
//   curl -b jar localhost:3000/me
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto'
import { realpathSync } from 'node:fs'
import { promisify } from 'node:util'
import { pathToFileURL } from 'node:url'
import Fastify, { type FastifyInstance } from 'fastify'
import fastifySession, { generateSecret, requireLogin } from 'fastify-session-kit'

declare module 'fastify-session-kit' {
  interface SessionData {
    userId: string
    role: 'admin' | 'user'
  }
}

const hash = promisify(scrypt) as (password: string, salt: Buffer, length: number) => Promise<Buffer>

interface User { name: string, role: 'admin' | 'user' }

/**
 * Two accounts, `alice` and `admin`, both with the password `password`: a stand-in for your users
 * table. Passwords are stored as scrypt hashes and compared in constant time; an unknown name is
 * checked against a dummy hash, so the response time does not tell which names exist.
 */
async function userList (): Promise<(name: string, password: string) => Promise<User | undefined>> {
  const accounts = new Map<string, User & { salt: Buffer, hash: Buffer }>()
  for (const [name, role] of [['alice', 'user'], ['admin', 'admin']] as const) {
    const salt = randomBytes(16)
    accounts.set(name, { name, role, salt, hash: await hash('password', salt, 32) })
  }
  const dummy = { salt: randomBytes(16), hash: randomBytes(32) }
  return async (name, password) => {
    const account = accounts.get(name)
    const target = account ?? dummy
    const match = timingSafeEqual(await hash(password, target.salt, 32), target.hash)
    return match && account !== undefined ? { name: account.name, role: account.role } : undefined
  }
}

/** The app, not listening. */
export async function build (secret = process.env.SESSION_SECRET ?? generateSecret()): Promise<FastifyInstance> {
  const app = Fastify()
  await app.register(fastifySession, { secret })
  const verify = await userList()

  app.post<{ Body: { username?: string, password?: string } }>('/login', async (request, reply) => {
    const user = await verify(String(request.body?.username ?? ''), String(request.body?.password ?? ''))
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
