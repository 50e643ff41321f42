import { CookieWriter, MAX_COOKIE_BYTES, type CookieOverrides } from './cookie.js'
import { CookieTooLargeError, InvalidCookiePrefixError, SameSiteNoneInsecureError } from './errors.js'
import type { Config } from './options.js'
import type { SessionState } from './session.js'

/**
 * The session's Set-Cookie on a reply, one job: check a request's cookie overrides, put the cookie (or
 * its deletion) on the reply in place of one an earlier `save()` put there, and say once that a Secure
 * cookie is going out over plain http.
 */
export class CookieHeader {
  readonly #writer: CookieWriter
  readonly #config: Pick<Config, 'cookieName' | 'cookie'>
  #warnedInsecure = false

  constructor (config: Pick<Config, 'cookieName' | 'cookie'>) {
    this.#config = config
    this.#writer = new CookieWriter(config.cookieName, config.cookie)
  }

  /**
   * Checks per-request cookie overrides against the configured attributes and the name's prefix.
   *
   * @throws `FST_SESSION_SAMESITE_NONE_INSECURE`, `FST_SESSION_INVALID_COOKIE_PREFIX`.
   */
  checkOverrides (o: CookieOverrides): void {
    const cookie = this.#config.cookie
    if ((o.sameSite ?? cookie.sameSite) === 'none' && (o.secure ?? cookie.secure) !== true) {
      throw new SameSiteNoneInsecureError()
    }
    const name = this.#config.cookieName.toLowerCase()
    if (name.startsWith('__host-') && (o.secure === false || o.domain !== undefined || (o.path !== undefined && o.path !== '/'))) {
      throw new InvalidCookiePrefixError('__Host-', 'Secure, Path=/ and no Domain on every response')
    }
    if (name.startsWith('__secure-') && o.secure === false) {
      throw new InvalidCookiePrefixError('__Secure-', 'Secure on every response')
    }
  }

  /**
   * Adds (or replaces, after an earlier `save()`) the session's Set-Cookie on the reply.
   *
   * @throws `FST_SESSION_COOKIE_TOO_LARGE` before touching the reply when the header would not fit.
   */
  send (state: SessionState, value: string, maxAgeMs: number): void {
    const https = state.request.protocol === 'https'
    // Rounded up: a browser must never drop the cookie while the server would still accept it (a
    // rounded-down Max-Age=0 in a session's last second logged users out early). The server enforces
    // both lifetimes to the millisecond, so the cookie outliving them by under a second is harmless.
    const header = this.#writer.set(value, Math.max(0, Math.ceil(maxAgeMs / 1000)), https, state.overrides)
    // Headers are ASCII (values are base64url, attributes are validated), so length counts bytes.
    if (header.length > MAX_COOKIE_BYTES) throw new CookieTooLargeError(header.length)
    if (!https && (state.overrides?.secure ?? this.#writer.isSecure(false)) && !this.#warnedInsecure) {
      // Browsers drop a Secure cookie set over http without a word; say it once, loudly.
      this.#warnedInsecure = true
      state.request.log.warn('fastify-session-kit: a Secure session cookie is being set over plain http; browsers will drop it (serve over https, or set trustProxy behind a TLS proxy)')
    }
    this.#append(state, header)
    state.clearCookie = false
  }

  /** Sends a Set-Cookie that deletes the session cookie. */
  clear (state: SessionState): void {
    this.#append(state, this.#writer.clear(state.request.protocol === 'https', state.overrides))
    state.clearCookie = false
  }

  #append (state: SessionState, header: string): void {
    const reply = state.reply
    const previous = state.setCookie
    state.setCookie = header
    if (previous !== undefined) {
      const current = reply.getHeader('set-cookie')
      const list = (Array.isArray(current) ? current : [current]).filter((v) => v !== previous) as string[]
      // Fastify's removeHeader reaches the raw response too: keep what the app or a save() put there.
      const raw = reply.raw.getHeader('set-cookie')
      reply.removeHeader('set-cookie')
      if (raw !== undefined) reply.raw.setHeader('set-cookie', raw)
      if (list.length > 0) reply.header('set-cookie', list)
    }
    reply.header('set-cookie', header)
  }
}
