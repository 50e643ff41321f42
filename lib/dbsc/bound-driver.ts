import type { Config } from '../options.js'
import { safeError } from '../safe-error.js'
import type { SessionState } from '../session.js'
import { ServerDriver } from '../stores/server-driver.js'
import type { SessionStore } from '../stores/types.js'
import { DeviceBinding } from './device-binding.js'
import type { DbscConfig } from './options.js'

/**
 * @internal A server-store driver whose sessions can be bound to a device: ending a session (logout,
 * a new id on login) ends its binding and clears the bound cookie.
 */
export class BoundServerDriver extends ServerDriver {
  readonly deviceBinding: DeviceBinding

  constructor (config: Config, store: SessionStore, dbsc: DbscConfig) {
    super(config, store)
    this.deviceBinding = new DeviceBinding(config, dbsc, this)
  }

  override async regenerate (state: SessionState): Promise<void> {
    const sid = state.unsaved ? undefined : state.id
    await super.regenerate(state)
    await this.#unbind(state, sid)
  }

  override async destroy (state: SessionState): Promise<void> {
    const sid = state.unsaved ? undefined : state.id
    await super.destroy(state)
    await this.#unbind(state, sid)
  }

  /**
   * The session record is gone by now, so a binding left behind binds nothing: a failure to delete it
   * is logged, not raised (it expires with the session's absolute lifetime).
   */
  async #unbind (state: SessionState, sid: string | undefined): Promise<void> {
    if (sid === undefined) return
    const binding = this.deviceBinding
    state.reply.header('set-cookie', binding.writer.clear(state.request.protocol === 'https', undefined))
    try {
      await binding.bindings.end(sid)
    } catch (err) {
      state.request.log.error({ err: safeError(err) }, 'fastify-session-kit: the session store failed to delete a device binding')
    }
  }
}
