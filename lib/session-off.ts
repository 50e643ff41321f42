import { SessionDisabledError } from './errors.js'
import type { Session } from './session.js'
import type { kState } from './symbols.js'

/**
 * Every public member of a Session. A member added to Session and missing from DisabledSession fails to
 * compile, so the session of a route without sessions cannot fall behind the real one.
 */
type PublicSession = Omit<Session<Record<string, unknown>>, typeof kState>

function refuse (method: string): never {
  throw new SessionDisabledError(method)
}

/**
 * The session of a route without sessions: empty, and every write refused with
 * `FST_SESSION_DISABLED`, so a handler that forgot the route opted out fails loudly instead of
 * losing data. Reads answer as an empty session would. Its own small class, not a Session with no
 * driver: nothing here can reach a store, a request or a reply.
 */
class DisabledSession implements PublicSession {
  get (): undefined { return undefined }
  has (): boolean { return false }
  data (): Record<string, never> { return {} }
  get id (): string { return '' }
  get isNew (): boolean { return true }
  get changed (): boolean { return false }
  lastAuthenticated (): undefined { return undefined }
  set (): void { refuse('set') }
  delete (): boolean { return refuse('delete') }
  clear (): void { refuse('clear') }
  touch (): void { refuse('touch') }
  options (): void { refuse('options') }
  markAuthenticated (): void { refuse('markAuthenticated') }
  async regenerate (): Promise<void> { refuse('regenerate') }
  async destroy (): Promise<void> { refuse('destroy') }
  async save (): Promise<void> { refuse('save') }
  async reload (): Promise<void> { refuse('reload') }
}

/**
 * @internal The one session every request to a route without sessions gets: shared and immutable,
 * so such a route allocates nothing for it. Typed as the Session it stands in for (`request.session`);
 * it is not an instance of Session, and the onSend hook skips it by identity.
 */
export const SESSION_OFF = Object.freeze(new DisabledSession()) as unknown as Session
