import type { Session } from '../session.js'
import { stateOf } from '../session.js'
import { deviceBindingOf } from './device-binding.js'

/**
 * Whether the session is bound to a device (DBSC): its browser registered a key for it. For a page
 * that says so ("this session is bound to this device") or a "your devices" list. A request that got
 * this far with a bound session carried its bound cookie (or came to a route that does not ask for it).
 *
 * @param session - `request.session` (or another registration's session) of a plugin with `dbsc`.
 * @throws `FST_SESSION_INVALID_OPTION` when that session has no `dbsc` option; `FST_SESSION_STORE_UNAVAILABLE`
 * when the store cannot be asked.
 * @example
 * ```ts
 * app.get('/dashboard', async (request) => ({ bound: await isDeviceBound(request.session) }))
 * ```
 */
export async function isDeviceBound (session: Session<object>): Promise<boolean> {
  const checked = await deviceBindingOf(session, 'isDeviceBound()').check(stateOf(session))
  return checked?.bound === true
}
