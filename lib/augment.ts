import type { Session } from './session.js'
import type { SessionSummary } from './stores/types.js'

/** `app.session`: instance-wide operations on a server store's sessions. */
export interface SessionManager {
  /**
   * Ends every session of a user, on every instance sharing the store ("log out all devices").
   * Resolves to how many sessions ended.
   *
   * @throws `FST_SESSION_NOT_SUPPORTED` on a store without a per-user index (the cookie store).
   */
  revokeUser (userId: string | number): Promise<number>
  /**
   * A user's live sessions, for a "your devices" page: times only, never ids.
   *
   * @throws `FST_SESSION_NOT_SUPPORTED` on a store without a per-user index (the cookie store).
   */
  listUserSessions (userId: string | number): Promise<SessionSummary[]>
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * `false`: this route does no session work at all (no cookie read, no store read, no
     * `Set-Cookie`); its `request.session` is an empty session that refuses writes.
     */
    session?: boolean
  }
  interface FastifyRequest {
    /** The session of this request: a Session object from onRequest on, never null. */
    session: Session
  }
  interface FastifyInstance {
    /** Instance-wide session operations (server stores). */
    session: SessionManager
  }
}
