import type { SessionState } from './session.js'

// The raw response, for replies that never pass through onSend (hijacked, written through
// reply.raw, a WebSocket): where a cookie can still go, and putting it there.

/**
 * Why no Set-Cookie can reach the browser on this response any more, or undefined when one can. A
 * WebSocket upgrade dispatched by @fastify/websocket (`request.ws`) never sends these headers: `ws`
 * writes the handshake itself.
 */
export function unsendable (state: SessionState): string | undefined {
  if ((state.request as { ws?: unknown }).ws === true) return 'on a WebSocket'
  if (state.reply.raw.headersSent) return 'after the response headers were sent'
  return undefined
}

/**
 * Puts the session's current Set-Cookie on the raw response, replacing the one an earlier `save()` put
 * there and keeping the app's own. A normal reply is unaffected: Fastify writes its headers over the
 * raw ones (`writeHead`/`setHeader` replace, never append), and they hold the same cookie.
 */
export function mirrorCookie (state: SessionState): void {
  const header = state.setCookie
  const previous = state.rawSetCookie
  if (header === undefined || header === previous) return
  const raw = state.reply.raw
  const current = raw.getHeader('set-cookie')
  const list = (current === undefined ? [] : Array.isArray(current) ? current : [String(current)]).filter((v) => v !== previous)
  list.push(header)
  raw.setHeader('set-cookie', list)
  state.rawSetCookie = header
}
