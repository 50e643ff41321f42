// CSRF protection with @fastify/csrf-protection, its secret kept in the session (no extra cookie):
// a form page carries a token in a hidden field, API clients send it in the `x-csrf-token` header, and
// a POST without a valid token is refused with 403. Run: `npx tsx examples/csrf.ts`, open
// http://127.0.0.1:3000 for the form, or with curl:
//   curl -c jar -b jar localhost:3000/csrf-token                                 # {"token":"..."}
//   curl -b jar -d amount=5 localhost:3000/transfer                              # 403 FST_CSRF_INVALID_TOKEN
//   curl -b jar -H "x-csrf-token: <the token>" -d amount=5 localhost:3000/transfer   # {"sent":5}
import { realpathSync } from 'node:fs'
import { pathToFileURL } from 'node:url'
import fastifyCsrf from '@fastify/csrf-protection'
import fastifyFormbody from '@fastify/formbody'
import Fastify, { type FastifyInstance } from 'fastify'
import fastifySession, { generateSecret } from 'fastify-session-kit'

const escapeAttribute = (text: string): string => text.replace(/[&"<>]/g, (c) => `&#${c.charCodeAt(0)};`)

/** The app, not listening. */
export async function build (secret = process.env.SESSION_SECRET ?? generateSecret()): Promise<FastifyInstance> {
  const app = Fastify()
  await app.register(fastifyFormbody)
  await app.register(fastifySession, { secret })
  // '@fastify/secure-session' mode: it keeps its secret with session.get/set, which this session has.
  await app.register(fastifyCsrf, { sessionPlugin: '@fastify/secure-session' })

  app.get('/', async (_request, reply) => {
    const token = reply.generateCsrf()
    return reply.type('text/html; charset=utf-8').send(`<!doctype html><title>Transfer</title>
<form method="post" action="/transfer">
  <input type="hidden" name="_csrf" value="${escapeAttribute(token)}">
  <label>Amount <input name="amount" value="5"></label> <button>Send</button>
</form>`)
  })

  // For API clients: a page of another site cannot read this response (same-origin policy), so it
  // cannot learn the token.
  app.get('/csrf-token', async (_request, reply) => ({ token: reply.generateCsrf() }))

  // A preHandler, not an onRequest hook: a form's token is in the body, parsed after onRequest.
  app.post<{ Body: { amount?: string } }>('/transfer', { preHandler: app.csrfProtection }, async (request) => {
    return { sent: Number(request.body?.amount ?? 0) }
  })
  return app
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  const app = await build()
  await app.listen({ port: Number(process.env.PORT ?? 3000), host: process.env.HOST ?? '127.0.0.1' })
  console.log(`listening on http://${process.env.HOST ?? '127.0.0.1'}:${process.env.PORT ?? 3000}`)
}
