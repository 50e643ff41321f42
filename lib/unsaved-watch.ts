import type { ServerResponse } from 'node:http'
import { currentJson, type SessionState } from './session.js'

/**
 * The end of a response whose session was handed out, one job: a reply sent without onSend (hijacked,
 * written through `reply.raw`, a WebSocket) that left a change unsaved gets one warning naming the
 * route, never a silent loss. No id, cookie or data goes into the line.
 */
export class UnsavedWatch {
  /** Where `watch` leaves the session on the raw response: one key per plugin instance (several sessions). */
  readonly #key = Symbol('fastify-session-kit.watched')
  /** One listener for every watched response (made once, not per request). */
  readonly #onClose: (this: ServerResponse) => void

  constructor () {
    const key = this.#key
    this.#onClose = function checkUnsavedOnClose (this: ServerResponse): void {
      checkUnsaved((this as unknown as Record<symbol, SessionState>)[key] as SessionState)
    }
  }

  watch (state: SessionState): void {
    state.watched = true
    const raw = state.reply.raw
    ;(raw as unknown as Record<symbol, SessionState>)[this.#key] = state
    raw.on('close', this.#onClose)
  }
}

/** The response is over: warns when the session changed and was never written (onSend persists a normal reply). */
export function checkUnsaved (state: SessionState): void {
  if (state.persisted || !state.reply.sent) return
  const json = currentJson(state)
  if (json === state.loadedJson && !(state.destroyed && state.clearCookie)) return
  const request = state.request
  request.log.warn(
    { route: `${request.method} ${String(request.routeOptions.url)}` },
    'fastify-session-kit: a session change was never saved: the reply was sent without onSend (hijacked, written through reply.raw, or a WebSocket); call `await request.session.save()` before the response starts'
  )
}
