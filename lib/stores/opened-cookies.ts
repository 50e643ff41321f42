/**
 * @internal What a sealed cookie opened to, kept by the whole sealed value: the cookie store's read
 * path without base64url decoding, decryption and a second look at the plaintext when the same cookie
 * comes back (a logged-in user's page views send one cookie until a response changes it).
 *
 * Nothing here decides whether a session is good: an entry is made only from a cookie that opened
 * under the keyring, and the driver checks the sealed times against the lifetimes (and runs
 * `validate`) on every request, hit or miss. The data is kept parsed and deeply frozen, and each
 * request gets a shallow copy of it whose objects are copied for the request when it is handed one
 * (lib/shared-data.ts), so no request ever gets an object another request holds.
 */

import { detach } from '../cookie.js'

/** A cookie that opened: its sealed id and times, the data's JSON, and whether it must be re-sealed. */
export interface OpenedCookie {
  readonly id: string
  readonly createdAt: number
  readonly lastSeenAt: number
  readonly idIssuedAt: number
  readonly json: string
  /** The data, parsed once and deeply frozen: requests share it (lib/shared-data.ts). */
  readonly data: Readonly<Record<string, unknown>>
  /** Sealed under an older key or in the older format: re-seal under the current ones on its response. */
  readonly reseal: boolean
}

/** 4 MiB: about 2 600 cookies of the benchmark's 173-byte session (bench/memory.ts reports it). */
export const OPENED_COOKIES_MAX_BYTES = 4 * 1024 * 1024
// What an entry costs beyond its strings: the Map slot, the entry object and its fields (measured on
// V8 12: about 100 bytes).
const ENTRY_BYTES = 100

/**
 * The bytes counted for one entry: its strings at two bytes per character (V8's widest), the parsed
 * data at two more per character of its JSON (measured on V8 12: 1.97 for a 162-character session),
 * and the entry itself.
 */
function sizeOf (sealed: string, opened: OpenedCookie): number {
  return 2 * (sealed.length + opened.id.length) + 4 * opened.json.length + ENTRY_BYTES
}

/**
 * A bounded map from a sealed cookie value to what it opened to. Past `maxBytes` the oldest entries
 * go first (insertion order: a hit does not move an entry, which would cost a delete and an insert on
 * every request; a session still in use is opened and added again once it has gone).
 */
export class OpenedCookies {
  readonly #entries = new Map<string, OpenedCookie>()
  readonly #maxBytes: number
  #bytes = 0

  constructor (maxBytes = OPENED_COOKIES_MAX_BYTES) {
    this.#maxBytes = maxBytes
  }

  /** Bytes held, as counted against the bound. */
  get bytes (): number {
    return this.#bytes
  }

  /** Entries held. */
  get size (): number {
    return this.#entries.size
  }

  get (sealed: string): OpenedCookie | undefined {
    return this.#entries.get(sealed)
  }

  /** Keeps what `sealed` opened to (after a miss), making room by dropping the oldest entries. */
  add (sealed: string, opened: OpenedCookie): void {
    const bytes = sizeOf(sealed, opened)
    // A single entry over the bound would empty the cache for nothing (cookies are at most 4096 bytes,
    // so only a tiny bound gets here).
    if (bytes > this.#maxBytes) return
    for (const [key, entry] of this.#entries) {
      if (this.#bytes + bytes <= this.#maxBytes) break
      this.#entries.delete(key)
      this.#bytes -= sizeOf(key, entry)
    }
    // The value came out of the request's Cookie header: kept as it is, it would keep the header too.
    this.#entries.set(detach(sealed), opened)
    this.#bytes += bytes
  }

  /** Drops every entry (the keys they were opened with are gone). */
  clear (): void {
    this.#entries.clear()
    this.#bytes = 0
  }
}
