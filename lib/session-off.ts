import type { FastifyReply, FastifyRequest } from 'fastify'
import { SessionDisabledError } from './errors.js'
import { Session, type SessionDriver } from './session.js'
import { kState } from './symbols.js'

function refuse (method: string): never {
  throw new SessionDisabledError(method)
}

/**
 * The session of a route without sessions: empty, and every write refused with
 * `FST_SESSION_DISABLED`, so a handler that forgot the route opted out fails loudly instead of
 * losing data. Reads answer as an empty session would.
 */
class DisabledSession extends Session {
  constructor () {
    // No driver, request or reply: every method that would use them is overridden below.
    super(null as unknown as SessionDriver, null as unknown as FastifyRequest, null as unknown as FastifyReply, 0)
    // The onSend hook skips a session that counts as persisted: no per-request check for this one.
    const state = this[kState]
    state.persisted = true
    state.data = Object.freeze({}) as Record<string, unknown>
  }

  override get (): undefined { return undefined }
  override has (): boolean { return false }
  override data (): Record<string, never> { return {} }
  override get id (): string { return '' }
  override get isNew (): boolean { return true }
  override get changed (): boolean { return false }
  override set (): void { refuse('set') }
  override delete (): boolean { return refuse('delete') }
  override clear (): void { refuse('clear') }
  override touch (): void { refuse('touch') }
  override options (): void { refuse('options') }
  override async regenerate (): Promise<void> { refuse('regenerate') }
  override async destroy (): Promise<void> { refuse('destroy') }
  override async save (): Promise<void> { refuse('save') }
  override async reload (): Promise<void> { refuse('reload') }
}

/**
 * @internal The one session every request to a route without sessions gets: shared and immutable,
 * so such a route allocates nothing for it.
 */
export const SESSION_OFF: Session = Object.freeze(new DisabledSession())
