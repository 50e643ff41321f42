// Revoking sessions on the cookie store with `validate`: the whole session is in the cookie, so a copy
// taken before logout would keep working until it expires. Two checks close that: a deny-list of the
// session ids that logged out (kept as long as a cookie can live), and a per-user "sessions valid
// after" time that "log out everywhere" moves forward. Run: `npx tsx examples/revocation.ts`, then
//   curl -c jar -b jar -X POST localhost:3000/login/alice && cp jar copy
//   curl -c jar -b jar -X POST localhost:3000/logout
//   curl -b copy localhost:3000/me                      # {"user":null}: the copied cookie is dead
//   curl -c a -X POST localhost:3000/login/alice && curl -c b -X POST localhost:3000/login/alice
//   curl -b a -X POST localhost:3000/logout-everywhere && curl -b b localhost:3000/me   # {"user":null}
import { realpathSync } from 'node:fs'
import { pathToFileURL } from 'node:url'
import Fastify, { type FastifyInstance } from 'fastify'
import fastifySession, { generateSecret, requireLogin } from 'fastify-session-kit'

declare module 'fastify-session-kit' {
  interface SessionData {
    userId: string
    /** When this session logged in (ms), compared with the user's "valid after" time. */
    loginAt: number
  }
}

const TTL = 86_400
const ABSOLUTE_TTL = 7 * 86_400

/**
 * Your database or Redis in a real app (every instance must see the same lists); two Maps here.
 * Deny-list entries are kept for the absolute lifetime: after it the cookie is refused anyway.
 */
export class Revocations {
  readonly #denied = new Map<string, number>()
  readonly #validAfter = new Map<string, number>()

  deny (sessionId: string): void {
    this.#denied.set(sessionId, Date.now() + ABSOLUTE_TTL * 1000)
  }

  isDenied (sessionId: string): boolean {
    const until = this.#denied.get(sessionId)
    if (until !== undefined && until <= Date.now()) this.#denied.delete(sessionId)
    return until !== undefined && until > Date.now()
  }

  /** Ends every session of `user` that logged in until now. */
  revokeUser (user: string): void {
    this.#validAfter.set(user, Date.now())
  }

  validAfter (user: string): number {
    return this.#validAfter.get(user) ?? 0
  }
}

/** The app, not listening. */
export async function build (secret = process.env.SESSION_SECRET ?? generateSecret(), revocations = new Revocations()): Promise<FastifyInstance> {
  const app = Fastify()
  await app.register(fastifySession, {
    secret,
    ttl: TTL,
    absoluteTtl: ABSOLUTE_TTL,
    // Runs for every request that brings a session cookie; anything but true makes the request
    // anonymous and clears the cookie.
    validate: (session) => {
      if (revocations.isDenied(session.id)) return false
      const user = session.get('userId')
      return user === undefined || (session.get('loginAt') ?? 0) > revocations.validAfter(user)
    }
  })

  app.post<{ Params: { user: string } }>('/login/:user', async (request) => {
    // A demo login: no password (see examples/login.ts for a real one).
    const user = request.params.user
    await request.session.regenerate()
    request.session.set('userId', user)
    // Strictly after the user's last "log out everywhere", even within the same millisecond.
    request.session.set('loginAt', Math.max(Date.now(), revocations.validAfter(user) + 1))
    return { user }
  })

  app.get('/me', async (request) => ({ user: request.session.get('userId') ?? null }))

  app.post('/logout', async (request) => {
    revocations.deny(request.session.id)
    await request.session.destroy()
    return { loggedOut: true }
  })

  app.post('/logout-everywhere', { preHandler: requireLogin() }, async (request) => {
    revocations.revokeUser(request.session.get('userId') as string)
    await request.session.destroy()
    return { loggedOut: 'everywhere' }
  })
  return app
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  const app = await build()
  await app.listen({ port: Number(process.env.PORT ?? 3000), host: process.env.HOST ?? '127.0.0.1' })
  console.log(`listening on http://${process.env.HOST ?? '127.0.0.1'}:${process.env.PORT ?? 3000}`)
}
