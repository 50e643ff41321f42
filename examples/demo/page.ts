import type { FastifyReply, FastifyRequest } from 'fastify'
import { csrfField } from './csrf.js'
import { layout, type PageContext, type SafeHtml } from './html.js'
import './session-data.js'

// Inline styles only, forms post to this site only, and no framing: the pages need nothing else.
const CSP = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

/** Whether the client ranks text/html above JSON (a browser), by q-value and then by order. */
export function prefersHtml (accept: string | undefined): boolean {
  if (accept === undefined) return false
  const rank = (type: string): [number, number] => {
    const ranges = accept.split(',')
    for (let i = 0; i < ranges.length; i++) {
      const [media = '', ...params] = (ranges[i] as string).split(';').map((s) => s.trim().toLowerCase())
      if (media !== type) continue
      const q = params.find((p) => p.startsWith('q='))
      return [q === undefined ? 1 : Number(q.slice(2)) || 0, -i]
    }
    return [0, 0]
  }
  const [htmlQ, htmlAt] = rank('text/html')
  const [jsonQ, jsonAt] = rank('application/json')
  return htmlQ > jsonQ || (htmlQ > 0 && htmlQ === jsonQ && htmlAt > jsonAt)
}

/** Whether the client asked for JSON and not for HTML (an API client; curl's default is neither). */
export function wantsJson (accept: string | undefined): boolean {
  return accept !== undefined && /json/i.test(accept) && !prefersHtml(accept)
}

/**
 * The flash messages waiting in the session, removed as they are read. A session without any is
 * left untouched, so a guest reading a page still gets no cookie.
 */
function takeFlash (request: FastifyRequest, reply: FastifyReply): PageContext['flash'] {
  if (!request.session.has('flash')) return []
  const all = reply.flash() as Record<string, string[]>
  request.session.delete('flash')
  return Object.entries(all).flatMap(([type, messages]) => messages.map((message) => ({ type, message })))
}

/** Everything the layout needs from the request's session. */
export function pageContext (request: FastifyRequest, reply: FastifyReply): PageContext {
  const name = request.session.get('userId')
  const role = request.session.get('role')
  return {
    user: name === undefined ? undefined : { name, role: role ?? 'user' },
    theme: request.session.get('theme') ?? 'light',
    flash: takeFlash(request, reply),
    path: request.url.split('?')[0] as string,
    // A guest's page has no logout form, so it starts no session just for a token.
    csrf: name === undefined ? undefined : csrfField(reply)
  }
}

/** Sends one page of the demo in its layout. Pages depend on the session, so nothing caches them. */
export function sendPage (request: FastifyRequest, reply: FastifyReply, title: string, body: SafeHtml, status = 200): FastifyReply {
  return reply
    .code(status)
    .header('cache-control', 'no-store')
    .header('content-security-policy', CSP)
    .type('text/html; charset=utf-8')
    .send(layout(pageContext(request, reply), title, body))
}
