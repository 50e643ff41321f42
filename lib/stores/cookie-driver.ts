import { MAX_COOKIE_BYTES } from '../cookie.js'
import { Driver } from '../driver.js'
import type { Config } from '../options.js'
import { Sealer } from '../seal.js'
import { isIdShape } from '../session-id.js'
import type { SessionState } from '../session.js'

interface Payload {
  id: string
  iat: number
  seen: number
  idAt: number
  data: Record<string, unknown>
}

// The plaintext is always written by `seal` below with `data` last, so the data's own JSON is the text
// between this marker and the closing brace: the baseline for change detection comes without a
// second JSON.stringify.
const DATA_MARKER = ',"data":'

function parsePayload (plaintext: string): Payload | undefined {
  let p: Partial<Payload>
  try {
    p = JSON.parse(plaintext) as Partial<Payload>
  } catch {
    return undefined
  }
  if (typeof p !== 'object' || p === null) return undefined
  const { id, iat, seen, idAt, data } = p
  if (typeof id !== 'string' || !isIdShape(id)) return undefined
  if (!Number.isSafeInteger(iat) || !Number.isSafeInteger(seen) || !Number.isSafeInteger(idAt)) return undefined
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return undefined
  return p as Payload
}

/** @internal Loads and persists sessions sealed into the cookie (the {@link CookieStore}'s driver). */
export class CookieDriver extends Driver {
  readonly #sealer: Sealer

  constructor (config: Config) {
    super(config)
    this.#sealer = new Sealer(config.keyring, config.cookieName)
  }

  load (state: SessionState, raw: string): void {
    if (raw.length > MAX_COOKIE_BYTES) return this.reject(state, 'oversized')
    const opened = this.#sealer.open(raw)
    if (typeof opened === 'string') return this.reject(state, opened)
    const payload = parsePayload(opened.plaintext)
    if (payload === undefined) return this.reject(state, 'malformed-payload')
    const now = Date.now()
    const expired = this.expiry(payload.iat, payload.seen, now)
    if (expired !== undefined) return this.expire(state, payload.id, expired)
    state.id = payload.id
    state.isNew = false
    state.unsaved = false
    state.createdAt = payload.iat
    state.lastSeenAt = payload.seen
    state.idIssuedAt = payload.idAt
    state.data = payload.data
    state.loadedJson = opened.plaintext.slice(opened.plaintext.indexOf(DATA_MARKER) + DATA_MARKER.length, -1)
    // Sealed under an older secret: re-seal under the current one on this response.
    if (opened.stale) state.rewrite = true
    if (now - payload.seen >= this.config.refreshMs) state.refresh = true
    this.checkRenewal(state, now)
  }

  async regenerate (state: SessionState): Promise<void> {
    const hadSession = !state.unsaved
    this.reset(state, Date.now())
    if (hadSession) state.clearCookie = true
    this.log(state, 'regenerated')
  }

  async destroy (state: SessionState): Promise<void> {
    const id = state.id
    this.reset(state, Date.now())
    state.destroyed = true
    state.clearCookie = true
    this.log(state, 'destroyed', id)
  }

  persist (state: SessionState): void {
    const json = state.maybeDirty ? JSON.stringify(state.data) : state.loadedJson
    if (json === state.failedJson || this.nothingToWrite(state, json)) return
    const now = Date.now()
    const id = this.writeId(state, now)
    const sealed = this.#sealer.seal(
      `{"id":"${id}","iat":${state.createdAt},"seen":${now},"idAt":${state.idIssuedAt}${DATA_MARKER}${json}}`
    )
    try {
      this.sendCookie(state, sealed, this.remainingMs(state.createdAt, now))
    } catch (err) {
      state.failedJson = json
      throw err
    }
    this.written(state, json, now)
  }
}
