import { InvalidOptionError } from './errors.js'

/** Cookie attributes as configured (validated by the options module). */
export interface CookieAttributes {
  path: string
  domain: string | undefined
  secure: boolean | 'auto'
  httpOnly: boolean
  sameSite: 'lax' | 'strict' | 'none'
  partitioned: boolean
}

/** Per-request cookie overrides for `session.options()`. */
export interface CookieOverrides {
  /** Seconds the browser keeps the cookie (a "remember me" cookie, say); the server still enforces `ttl` and `absoluteTtl`. */
  maxAge?: number
  /** Cookie Domain for this response. */
  domain?: string
  /** Cookie Path for this response. */
  path?: string
  /** Secure attribute for this response. */
  secure?: boolean
  /** HttpOnly attribute for this response. */
  httpOnly?: boolean
  /** SameSite attribute for this response. */
  sameSite?: 'lax' | 'strict' | 'none'
  /** Partitioned (CHIPS) attribute for this response. */
  partitioned?: boolean
}

/**
 * 4096 bytes: the least every browser must keep for one cookie, counting name, value and attributes
 * (RFC 6265 section 6.1). A longer Set-Cookie may be dropped by the browser without a word.
 */
export const MAX_COOKIE_BYTES = 4096
/** 8 KiB: a Cookie header beyond this is refused before any parsing (typical server header limits). */
export const MAX_COOKIE_HEADER_BYTES = 8192

// RFC 6265 cookie-octet minus nothing we ever emit: our values are base64url, so any other character
// in a value is simply a value we did not make.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/
// Path and Domain may hold any CHAR except CTLs and ';' (RFC 6265 section 4.1.1).
const ATTRIBUTE_VALUE = /^[\x20-\x3a\x3c-\x7e]+$/

/** Whether `name` is a valid cookie name (an RFC 7230 token). */
export function isCookieName (name: string): boolean {
  return TOKEN.test(name)
}

/** Whether `value` may stand in a Path or Domain attribute. */
export function isAttributeValue (value: string): boolean {
  return ATTRIBUTE_VALUE.test(value)
}

/**
 * The raw value of the first cookie called `name` in a Cookie header, without percent-decoding
 * (our values never need it, and decoding would let two spellings open to the same value). The first
 * occurrence wins: browsers send the cookie with the most specific Path first (RFC 6265 section 5.4).
 */
export function readCookie (header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined
  let from = 0
  while (true) {
    const at = header.indexOf(name, from)
    if (at === -1) return undefined
    const end = at + name.length
    if (header.charCodeAt(end) === 61 /* = */ && isPairStart(header, at)) {
      const semi = header.indexOf(';', end + 1)
      return (semi === -1 ? header.slice(end + 1) : header.slice(end + 1, semi)).trim()
    }
    from = end
  }
}

/**
 * A copy of `value` that keeps nothing else alive. readCookie returns a slice of the Cookie header, and
 * V8 keeps a slice as a view of the string it was cut from: a slice kept past its request (a cache
 * key) would keep that request's whole header, up to 8 KiB, with it. For ASCII values (what we keep is
 * base64url).
 */
export function detach (value: string): string {
  return Buffer.from(value, 'latin1').toString('latin1')
}

function isPairStart (header: string, at: number): boolean {
  for (let i = at - 1; i >= 0; i--) {
    const c = header.charCodeAt(i)
    if (c === 59 /* ; */) return true
    if (c !== 32 && c !== 9) return false
  }
  return true
}

/** Builds the Set-Cookie values of one cookie name; attribute strings are made once, at registration. */
export class CookieWriter {
  readonly name: string
  readonly #attributes: CookieAttributes
  readonly #plain: string
  readonly #secure: string

  constructor (name: string, attributes: CookieAttributes) {
    this.name = name
    this.#attributes = attributes
    this.#plain = serializeAttributes({ ...attributes, secure: false })
    this.#secure = serializeAttributes({ ...attributes, secure: true })
  }

  /** Whether the cookie gets the Secure attribute on a request over `https` (or not). */
  isSecure (https: boolean): boolean {
    const secure = this.#attributes.secure
    return secure === 'auto' ? https : secure
  }

  /** `name=value; Max-Age=N; attributes`. */
  set (value: string, maxAge: number, https: boolean, overrides: CookieOverrides | undefined): string {
    if (overrides !== undefined) return this.#custom(value, overrides.maxAge ?? maxAge, https, overrides)
    return `${this.name}=${value}; Max-Age=${maxAge}${this.isSecure(https) ? this.#secure : this.#plain}`
  }

  /** A Set-Cookie that deletes the cookie (same Path and Domain, empty value, Max-Age=0). */
  clear (https: boolean, overrides: CookieOverrides | undefined): string {
    return this.set('', 0, https, overrides === undefined ? undefined : { ...overrides, maxAge: 0 })
  }

  #custom (value: string, maxAge: number, https: boolean, overrides: CookieOverrides): string {
    const merged: CookieAttributes = { ...this.#attributes, ...overrides }
    merged.secure = overrides.secure ?? this.isSecure(https)
    return `${this.name}=${value}; Max-Age=${maxAge}${serializeAttributes(merged)}`
  }
}

function serializeAttributes (a: CookieAttributes): string {
  let out = `; Path=${a.path}`
  if (a.domain !== undefined) out += `; Domain=${a.domain}`
  if (a.httpOnly) out += '; HttpOnly'
  if (a.secure === true) out += '; Secure'
  out += a.sameSite === 'lax' ? '; SameSite=Lax' : a.sameSite === 'strict' ? '; SameSite=Strict' : '; SameSite=None'
  if (a.partitioned) out += '; Partitioned'
  return out
}

/**
 * Checks per-request overrides the way registration checks the configured attributes.
 *
 * @throws `FST_SESSION_INVALID_OPTION` naming the attribute.
 */
export function assertOverrides (o: CookieOverrides): void {
  if (o.maxAge !== undefined && !(Number.isInteger(o.maxAge) && o.maxAge >= 0)) {
    throw new InvalidOptionError('maxAge', 'must be a non-negative integer number of seconds')
  }
  if (o.path !== undefined && !(typeof o.path === 'string' && o.path.startsWith('/') && isAttributeValue(o.path))) {
    throw new InvalidOptionError('path', 'must start with "/" and hold no control characters or ";"')
  }
  if (o.domain !== undefined && !(typeof o.domain === 'string' && isAttributeValue(o.domain))) {
    throw new InvalidOptionError('domain', 'must hold no control characters or ";"')
  }
  for (const flag of ['secure', 'httpOnly', 'partitioned'] as const) {
    if (o[flag] !== undefined && typeof o[flag] !== 'boolean') {
      throw new InvalidOptionError(flag, 'must be a boolean')
    }
  }
  if (o.sameSite !== undefined && o.sameSite !== 'lax' && o.sameSite !== 'strict' && o.sameSite !== 'none') {
    throw new InvalidOptionError('sameSite', 'must be "lax", "strict" or "none"')
  }
}
