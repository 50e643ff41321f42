// Log in with @fastify/passport and passport-local on top of the session (a memory store): passport
// keeps the user's id in the session, gives the session a new id at login (no fixation) and at logout,
// and sets `request.user` on every request. Run: `npx tsx examples/passport.ts`, then
//   curl -c jar -b jar -H 'content-type: application/json' -d '{"username":"alice","password":"password"}' localhost:3000/login
//   curl -b jar localhost:3000/me
//   curl -c jar -b jar -X POST localhost:3000/logout && curl -b jar localhost:3000/me
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto'
import { realpathSync } from 'node:fs'
import { promisify } from 'node:util'
import { pathToFileURL } from 'node:url'
import passportModule from '@fastify/passport'
import Fastify, { type FastifyInstance } from 'fastify'
import fastifySession, { generateSecret, MemoryStore } from 'fastify-session-kit'
import { Strategy as LocalStrategy } from 'passport-local'

declare module 'fastify-session-kit' {
  interface SessionData {
    theme: 'light' | 'dark'
  }
}

/** What handlers see as `request.user`. */
export interface User { id: string, name: string }

const hash = promisify(scrypt) as (password: string, salt: Buffer, length: number) => Promise<Buffer>

/** A stand-in for your users table: `alice` / `password`, stored as an scrypt hash. */
async function usersTable (): Promise<{ verify: (name: string, password: string) => Promise<User | undefined>, byId: (id: string) => User | undefined }> {
  const salt = randomBytes(16)
  const rows = [{ id: 'u1', name: 'alice', salt, hash: await hash('password', salt, 32) }]
  const dummy = { salt: randomBytes(16), hash: randomBytes(32) }
  return {
    async verify (name, password) {
      const row = rows.find((r) => r.name === name)
      // Unknown names cost one hash too, so the response time does not tell which names exist.
      const target = row ?? dummy
      const match = timingSafeEqual(await hash(password, target.salt, 32), target.hash)
      return match && row !== undefined ? { id: row.id, name: row.name } : undefined
    },
    byId: (id) => {
      const row = rows.find((r) => r.id === id)
      return row === undefined ? undefined : { id: row.id, name: row.name }
    }
  }
}

/** The app, not listening. */
export async function build (secret = process.env.SESSION_SECRET ?? generateSecret()): Promise<FastifyInstance> {
  const users = await usersTable()
  // By default passport's login keeps no data (a new, empty session); clearSessionIgnoreFields lists
  // what a guest may carry over.
  const passport = new passportModule.Authenticator({ clearSessionIgnoreFields: ['theme'] })
  passport.use('local', new LocalStrategy((username, password, done) => {
    users.verify(username, password).then((user) => done(null, user ?? false), done)
  }))
  // The session keeps only the id; the user is read again on each request, so a deleted user is out.
  passport.registerUserSerializer(async (user: User) => user.id)
  passport.registerUserDeserializer(async (id: string) => users.byId(id) ?? null)

  const app = Fastify()
  // A server store, so that logout ends the session on the server: a copy of the logged-in cookie is
  // worthless afterwards (the cookie store would need `validate` for that, see examples/revocation.ts).
  await app.register(fastifySession, { secret, store: new MemoryStore() })
  // passport.initialize() registers @fastify/flash too; secureSession() is the mode for a session with
  // get/set/regenerate, which this one has.
  await app.register(passport.initialize())
  await app.register(passport.secureSession())

  app.post<{ Params: { theme: string } }>('/theme/:theme', async (request) => {
    request.session.set('theme', request.params.theme === 'dark' ? 'dark' : 'light')
    return { theme: request.session.get('theme') }
  })

  app.post('/login', { preValidation: passport.authenticate('local', { authInfo: false }) }, async (request) => ({ user: request.user }))

  app.get('/me', async (request) => ({ user: request.user ?? null, theme: request.session.get('theme') ?? 'light' }))

  app.post('/logout', async (request) => {
    await request.logout()
    return { user: null }
  })
  return app
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  const app = await build()
  await app.listen({ port: Number(process.env.PORT ?? 3000), host: process.env.HOST ?? '127.0.0.1' })
  console.log(`listening on http://${process.env.HOST ?? '127.0.0.1'}:${process.env.PORT ?? 3000}`)
}
