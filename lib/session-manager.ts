import type { SessionManager } from './augment.js'
import type { Driver } from './driver.js'
import { NotSupportedError } from './errors.js'
import { ServerDriver } from './stores/server-driver.js'
import type { SessionStore } from './stores/types.js'

/**
 * `app.session`: the per-user operations of a server store with a per-user index. The cookie store
 * keeps nothing on the server, so it points to the `validate` option instead.
 */
export function sessionManager (driver: Driver): SessionManager {
  const store = driver instanceof ServerDriver ? driver.store : undefined
  function need<K extends 'revokeUser' | 'listUserSessions'> (method: K): NonNullable<SessionStore[K]> {
    if (store === undefined) {
      throw new NotSupportedError(method, 'the cookie store keeps nothing on the server; revoke its sessions with the "validate" option (a per-user session version)')
    }
    const fn = store[method]
    if (fn === undefined) throw new NotSupportedError(method, 'the store has no per-user index')
    return fn.bind(store) as NonNullable<SessionStore[K]>
  }
  return {
    async revokeUser (userId) {
      return await need('revokeUser')(String(userId))
    },
    async listUserSessions (userId) {
      return await need('listUserSessions')(String(userId))
    }
  }
}
