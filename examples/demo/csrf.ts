import fastifyCsrf from '@fastify/csrf-protection'
import type { FastifyInstance, FastifyReply } from 'fastify'
import { html, type SafeHtml } from './html.js'

// Methods that change nothing; every other request must carry a token.
const SAFE = new Set(['GET', 'HEAD', 'OPTIONS'])

// One token per response, however many forms the page has (each generateCsrf() call makes a new one).
const tokens = new WeakMap<FastifyReply, string>()

/** This response's CSRF token; its secret lives in the session (the first call may start one). */
export function csrfToken (reply: FastifyReply): string {
  let token = tokens.get(reply)
  if (token === undefined) {
    token = reply.generateCsrf()
    tokens.set(reply, token)
  }
  return token
}

/** The hidden field every state-changing form of the demo carries. */
export function csrfField (reply: FastifyReply): SafeHtml {
  return html`<input type="hidden" name="_csrf" value="${csrfToken(reply)}">`
}

/**
 * CSRF protection for every state-changing request: a form sends the token in its `_csrf` field, an
 * API client in the `x-csrf-token` header, after reading it from `GET /csrf-token`. SameSite=Lax
 * cookies already stop most cross-site posts; the token also stops them from a sibling subdomain and
 * in browsers that ignore SameSite. The secret is in the session, so login, which starts a new
 * session, also gives new tokens: a form loaded before login must be loaded again.
 */
export async function csrfProtection (app: FastifyInstance, exempt: readonly string[] = []): Promise<void> {
  // The DBSC endpoints are posted by the browser itself, never by a page, and each post is a proof
  // signed with the device's key over a single-use challenge: no page of another site can forge one.
  const skip = new Set(exempt)
  // Called on the root instance, not registered as a plugin: the hook must cover every route.
  // '@fastify/secure-session' mode: the secret is kept with session.get/set, which this session has.
  await app.register(fastifyCsrf, { sessionPlugin: '@fastify/secure-session' })

  // A preHandler: a form's token is in the body, parsed only after onRequest.
  app.addHook('preHandler', function checkCsrf (request, reply, done) {
    if (SAFE.has(request.method) || skip.has(request.routeOptions.url ?? '')) return done()
    app.csrfProtection(request, reply, done)
  })

  // Plain text, so a shell can keep it in a file: `curl -o token .../csrf-token`. Another site's page
  // cannot read this response (same-origin policy), so it cannot learn the token.
  app.get('/csrf-token', async function csrfTokenRoute (_request, reply) {
    return reply.header('cache-control', 'no-store').type('text/plain; charset=utf-8').send(csrfToken(reply))
  })
}
