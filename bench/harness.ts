/**
 * The plugin's onRequest and onSend hooks driven directly, with the least of a request and a reply
 * they need: the plugin's own work per request, without HTTP (bench/hooks.ts times it, bench/memory.ts
 * watches its heap).
 */
import { DIST, loadInternals } from './dist.js'
import type { Session } from '../lib/session.js'

export const SECRET = 'bench-secret-0123456789abcdefghijklmnopqrstuvwxyz'

type Load = (request: object, reply: object, done?: (err?: Error) => void) => unknown
type Persist = (request: object, reply: object, payload: unknown, done?: (err: Error | null) => void) => unknown

export interface Harness {
  /** One request: load the session from `cookie`, let `handle` use it, persist. Synchronous on the cookie store. */
  serve (cookie: string | undefined, handle: (s: Session) => void): void | Promise<void>
  /** The last Set-Cookie value written. */
  lastSetCookie (): string
  /** Wipes the keys. */
  close (): void
}

/** A harness over the build at `dist` with the cookie store or a MemoryStore. */
export async function harness (store: 'cookie' | 'memory', dist = DIST): Promise<Harness> {
  const { buildConfig, CookieDriver, ServerDriver, MemoryStore, onRequest, onSend } = await loadInternals(dist)
  const memory = store === 'memory' ? new MemoryStore() : undefined
  const config = buildConfig(memory === undefined ? { secret: SECRET } : { secret: SECRET, store: memory })
  const sync = memory === undefined
  const driver = memory === undefined ? new CookieDriver(config) : new ServerDriver(config, memory)
  const load = onRequest(config, driver, sync) as unknown as Load
  const persist = onSend(driver, sync) as unknown as Persist
  const log = { isLevelEnabled: () => false, warn () {}, debug () {}, error () {} }
  let setCookie = ''
  const reply = {
    header (_name: string, value: string) { setCookie = value },
    getHeader: () => setCookie,
    removeHeader () { setCookie = '' }
  }
  const fail = (err?: Error | null): void => { if (err !== undefined && err !== null) throw err }
  const request = (cookie: string | undefined): { headers: { cookie: string | undefined }, protocol: string, log: object, session: Session } =>
    ({ headers: { cookie }, protocol: 'http', log, session: null as unknown as Session })
  return {
    serve: sync
      ? (cookie, handle) => {
          const r = request(cookie)
          load(r, reply, fail)
          handle(r.session)
          persist(r, reply, '', fail)
        }
      : async (cookie, handle) => {
        const r = request(cookie)
        await load(r, reply)
        handle(r.session)
        await persist(r, reply, '')
      },
    lastSetCookie: () => setCookie,
    close: () => {
      memory?.close()
      config.keyring.wipe()
    }
  }
}
