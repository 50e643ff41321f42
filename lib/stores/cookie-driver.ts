import { MAX_COOKIE_BYTES } from '../cookie.js'
import { Driver } from '../driver.js'
import type { Config } from '../options.js'
import { SEAL_VERSION, Sealer } from '../seal.js'
import { ID_BYTES, isIdShape } from '../session-id.js'
import { CookieUnsendableError } from '../errors.js'
import { OpenedCookies, type OpenedCookie } from './opened-cookies.js'
import { currentJson, type Session, type SessionState } from '../session.js'
import { freezeJson } from '../shared-data.js'

const NEEDS_COOKIE = 'the cookie store keeps the whole session in the cookie (use a server store to change a session from a WebSocket, or change it before the upgrade)'

interface Payload {
  id: string
  iat: number
  seen: number
  idAt: number
  data: Record<string, unknown>
}

/**
 * The binary head sealed before the data's JSON (format version 2): the id's 32 random bytes, then
 * created, last seen and id issued, each in milliseconds as a 48-bit signed big-endian integer
 * (±4 462 years around 1970). 50 bytes where version 1's JSON spelled the same fields in 123.
 */
const HEAD_BYTES = ID_BYTES + 3 * 6
const CREATED_AT = ID_BYTES
const LAST_SEEN_AT = ID_BYTES + 6
const ID_ISSUED_AT = ID_BYTES + 12

function isDataObject (data: unknown): data is Record<string, unknown> {
  return typeof data === 'object' && data !== null && !Array.isArray(data)
}

function parseData (json: string): Record<string, unknown> | undefined {
  try {
    const data: unknown = JSON.parse(json)
    return isDataObject(data) ? data : undefined
  } catch {
    return undefined
  }
}

/** A version-2 message: its head's fields and the data's JSON, which is also the change-detection baseline. */
function parseV2 (message: Buffer): { payload: Payload, json: string } | undefined {
  if (message.length < HEAD_BYTES) return undefined
  const json = message.toString('utf8', HEAD_BYTES)
  const data = parseData(json)
  if (data === undefined) return undefined
  return {
    payload: {
      id: message.toString('base64url', 0, ID_BYTES),
      iat: message.readIntBE(CREATED_AT, 6),
      seen: message.readIntBE(LAST_SEEN_AT, 6),
      idAt: message.readIntBE(ID_ISSUED_AT, 6),
      data
    },
    json
  }
}

// Version 1 wrote `data` last, so the data's own JSON is the text between this marker and the
// closing brace: the baseline for change detection comes without a second JSON.stringify.
const DATA_MARKER = ',"data":'

/** A version-1 message: JSON `{"id","iat","seen","idAt","data"}`. */
function parseV1 (message: Buffer): { payload: Payload, json: string } | undefined {
  const text = message.toString()
  let p: Partial<Payload>
  try {
    p = JSON.parse(text) as Partial<Payload>
  } catch {
    return undefined
  }
  if (typeof p !== 'object' || p === null) return undefined
  const { id, iat, seen, idAt, data } = p
  if (typeof id !== 'string' || !isIdShape(id)) return undefined
  if (!Number.isSafeInteger(iat) || !Number.isSafeInteger(seen) || !Number.isSafeInteger(idAt)) return undefined
  if (!isDataObject(data)) return undefined
  return { payload: p as Payload, json: text.slice(text.indexOf(DATA_MARKER) + DATA_MARKER.length, -1) }
}

/** @internal Loads and persists sessions sealed into the cookie (the {@link CookieStore}'s driver). */
export class CookieDriver extends Driver {
  readonly #sealer: Sealer
  // Filled and sealed within one synchronous persist, so one per driver is enough.
  readonly #head = Buffer.allocUnsafe(HEAD_BYTES)

  readonly #opened = new OpenedCookies()

  constructor (config: Config) {
    super(config)
    this.#sealer = new Sealer(config.keyring, config.cookieName)
    config.keyring.onWipe(() => this.#opened.clear())
  }

  /** The cache of opened cookies (the benchmark reports its size). */
  get opened (): OpenedCookies {
    return this.#opened
  }

  load (state: SessionState, raw: string): void {
    if (raw.length > MAX_COOKIE_BYTES) return this.reject(state, 'oversized')
    let opened = this.#opened.get(raw)
    if (opened === undefined) {
      const sealed = this.#sealer.open(raw)
      if (typeof sealed === 'string') return this.reject(state, sealed)
      const parsed = sealed.version === 1 ? parseV1(sealed.message) : parseV2(sealed.message)
      if (parsed === undefined) return this.reject(state, 'malformed-payload')
      const payload = parsed.payload
      opened = {
        id: payload.id,
        createdAt: payload.iat,
        lastSeenAt: payload.seen,
        idIssuedAt: payload.idAt,
        json: parsed.json,
        data: freezeJson(payload.data),
        // Sealed under an older secret or in the older format: re-seal under the current ones on this response.
        reseal: sealed.stale || sealed.version !== SEAL_VERSION
      }
      this.#opened.add(raw, opened)
    }
    this.#adopt(state, opened)
  }

  /**
   * Takes an opened cookie into the request's state: its lifetimes checked now (a cached cookie
   * expires like any other), and its frozen data shared (lib/shared-data.ts: an object the request is
   * handed is copied for it then).
   */
  #adopt (state: SessionState, opened: OpenedCookie): void {
    const now = Date.now()
    const expired = this.lifetime.expiry(opened.createdAt, opened.lastSeenAt, now)
    if (expired !== undefined) return this.expire(state, opened.id, expired)
    state.id = opened.id
    state.isNew = false
    state.unsaved = false
    state.createdAt = opened.createdAt
    state.lastSeenAt = opened.lastSeenAt
    state.idIssuedAt = opened.idIssuedAt
    state.data = { ...opened.data }
    state.pristine = opened.data
    state.loadedJson = opened.json
    if (opened.reseal) state.rewrite = true
    if (now - opened.lastSeenAt >= this.config.refreshMs) state.refresh = true
    this.checkRenewal(state, now)
  }

  async regenerate (state: SessionState): Promise<void> {
    this.assertSendable(state, 'regenerate', NEEDS_COOKIE)
    const hadSession = !state.unsaved
    this.reset(state, Date.now())
    if (hadSession) state.clearCookie = true
    this.log(state, 'regenerated')
  }

  async destroy (state: SessionState): Promise<void> {
    // Only clearing the cookie ends a cookie-store session: pretending otherwise would leave it valid.
    this.assertSendable(state, 'destroy', NEEDS_COOKIE)
    const id = state.id
    this.reset(state, Date.now())
    state.destroyed = true
    state.clearCookie = true
    this.log(state, 'destroyed', id)
  }

  async saveInPlace (_state: SessionState, where: string): Promise<void> {
    throw new CookieUnsendableError('save', where, NEEDS_COOKIE)
  }

  async reload (state: SessionState, session: Session): Promise<void> {
    // A session never written has no stored copy: it reloads as a new, empty one.
    if (state.unsaved) return this.forget(state)
    const expired = this.lifetime.expiry(state.createdAt, state.lastSeenAt, Date.now())
    if (expired !== undefined) {
      const id = state.id
      this.forget(state)
      return this.expire(state, id, expired)
    }
    // The stored copy is the cookie as it came in, or as the last save() wrote it.
    state.data = JSON.parse(state.loadedJson) as Record<string, unknown>
    state.maybeDirty = false
    state.failedJson = undefined
    await this.revalidate(state, session)
  }

  persist (state: SessionState): void {
    const json = currentJson(state)
    if (json === state.failedJson || this.nothingToWrite(state, json)) return
    const now = Date.now()
    const id = this.writeId(state, now)
    const head = this.#head
    head.write(id, 0, ID_BYTES, 'base64url')
    head.writeIntBE(state.createdAt, CREATED_AT, 6)
    head.writeIntBE(now, LAST_SEEN_AT, 6)
    head.writeIntBE(state.idIssuedAt, ID_ISSUED_AT, 6)
    const sealed = this.#sealer.seal(json, head)
    try {
      this.cookie.send(state, sealed, this.lifetime.remainingMs(state.createdAt, now))
    } catch (err) {
      state.failedJson = json
      throw err
    }
    this.written(state, json, now, state.edits)
  }
}
