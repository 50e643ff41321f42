import sodium from 'sodium-native'
import type { Keyring, SealKey } from './keyring.js'

/**
 * Format version, the first byte of every sealed value and part of the additional data. Version 2
 * (this one) seals a binary head before the text; version 1 sealed the text alone, and still opens.
 */
export const SEAL_VERSION = 2
/** The versions `open` accepts: the current one, and version 1 so that cookies sealed before it keep working. */
const OPENABLE: ReadonlySet<number> = new Set([1, SEAL_VERSION])
const KEY_ID_BYTES = 4
const NONCE_BYTES = sodium.crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
const TAG_BYTES = sodium.crypto_aead_xchacha20poly1305_ietf_ABYTES
/** version ‖ keyId ‖ nonce */
const HEADER_BYTES = 1 + KEY_ID_BYTES + NONCE_BYTES

/**
 * A buffer of random bytes handed out front to back, each byte once.
 *
 * Why: every seal needs a fresh 24-byte nonce, and on these machines a `randombytes_buf` call is a
 * getrandom syscall (~1.7 µs, more than the sealing itself). Filling 4 KiB at a time makes that one
 * syscall per ~170 nonces.
 *
 * Why it never repeats: `take` returns the bytes at `offset` and moves `offset` past them before it
 * returns; `offset` only grows, and goes back to 0 only in `refill`, right after the whole buffer is
 * overwritten with new bytes from the OS CSPRNG. So no byte of one fill is handed out twice, and each
 * fill is independent of the last. Callers copy out of the pool at once (a nonce is written into the
 * output buffer), so a later refill cannot change a nonce already used.
 */
export class RandomPool {
  readonly #buffer: Buffer
  #offset: number

  /** @param size - bytes per refill; requests larger than this are filled directly. */
  constructor (size = 4096) {
    this.#buffer = Buffer.allocUnsafe(size)
    this.#offset = size
  }

  /** Bytes left before the next refill. */
  get remaining (): number {
    return this.#buffer.length - this.#offset
  }

  /** Writes `length` fresh random bytes into `target` at `targetOffset`. */
  fill (target: Buffer, targetOffset: number, length: number): void {
    if (length > this.#buffer.length) {
      sodium.randombytes_buf(target.subarray(targetOffset, targetOffset + length))
      return
    }
    if (this.#offset + length > this.#buffer.length) this.refill()
    const start = this.#offset
    this.#offset = start + length
    this.#buffer.copy(target, targetOffset, start, start + length)
  }

  /** Overwrites the whole pool with new random bytes and starts handing them out from the front. */
  refill (): void {
    sodium.randombytes_buf(this.#buffer)
    this.#offset = 0
  }
}

/** The process-wide pool for nonces and session ids. */
export const randomPool = new RandomPool()

/** Why a sealed value did not open; fixed strings, safe to log. */
export type OpenFailure = 'malformed' | 'truncated' | 'unknown-version' | 'decryption-failed'

/**
 * A value that opened: its format version, its plaintext bytes (head and text as sealed) and whether
 * it was sealed with an older key. `message` is a view of a scratch buffer shared by every Sealer:
 * read it before the next `seal` or `open`.
 */
export interface Opened {
  readonly version: number
  readonly message: Buffer
  readonly stale: boolean
}

// Scratch buffers shared by every Sealer: one for the sealed form, one for the plaintext. `seal` and
// `open` are synchronous and copy their result out (into a string) before they return, so no two calls
// ever use them at once, and no request pays for allocating buffers. A value too large for them gets
// buffers of its own (the cookie store refuses such sizes anyway: a cookie holds at most 4096 bytes).
const SCRATCH_BYTES = 16_384
const sealedScratch = Buffer.allocUnsafe(SCRATCH_BYTES)
const plainScratch = Buffer.allocUnsafe(SCRATCH_BYTES)
// UTF-8 takes at most 3 bytes per UTF-16 code unit, so a string this long always fits (with a head
// of up to 64 bytes before it).
const MAX_HEAD_BYTES = 64
const MAX_SCRATCH_PLAINTEXT_CHARS = Math.floor((SCRATCH_BYTES - HEADER_BYTES - TAG_BYTES - MAX_HEAD_BYTES) / 3)
// base64url decodes to at most 3 bytes per 4 characters.
const MAX_SCRATCH_SEALED_CHARS = Math.floor(SCRATCH_BYTES / 3) * 4

/**
 * Seals and opens values with XChaCha20-Poly1305 (libsodium's IETF construction), bound by the
 * additional data `version ‖ keyId ‖ cookieName`: a value sealed for one cookie name or format
 * version does not open under another.
 */
export class Sealer {
  readonly #keyring: Keyring
  readonly #name: Buffer
  /** The additional data of each (version, key id), keyed `version * 2^32 + keyId`. */
  readonly #ad = new Map<number, Buffer>()

  constructor (keyring: Keyring, cookieName: string) {
    this.#keyring = keyring
    this.#name = Buffer.from(cookieName)
    for (const version of OPENABLE) {
      for (const key of keyring.keys) this.#ad.set(adKey(version, key.id), this.#additionalData(version, key.id))
      this.#ad.set(adKey(version, keyring.decoy.id), this.#additionalData(version, keyring.decoy.id))
    }
  }

  #additionalData (version: number, keyId: number): Buffer {
    const ad = Buffer.allocUnsafe(1 + KEY_ID_BYTES + this.#name.length)
    ad[0] = version
    ad.writeUInt32BE(keyId, 1)
    this.#name.copy(ad, 1 + KEY_ID_BYTES)
    return ad
  }

  /** Bytes of base64url a plaintext of `plaintextBytes` bytes (head and text) seals to. */
  static sealedLength (plaintextBytes: number): number {
    return Math.ceil((HEADER_BYTES + plaintextBytes + TAG_BYTES) * 4 / 3)
  }

  /**
   * Seals `head ‖ UTF-8(text)` with the current key, as the current version; returns base64url.
   *
   * @param head - binary fields sealed before the text (at most 64 bytes).
   */
  seal (text: string, head?: Uint8Array): string {
    const key = this.#keyring.current
    const headBytes = head === undefined ? 0 : head.length
    if (headBytes > MAX_HEAD_BYTES) throw new RangeError(`a sealed head holds at most ${MAX_HEAD_BYTES} bytes`)
    let out: Buffer
    let message: Buffer
    if (text.length <= MAX_SCRATCH_PLAINTEXT_CHARS) {
      out = sealedScratch
      if (head !== undefined) plainScratch.set(head, 0)
      message = plainScratch.subarray(0, headBytes + plainScratch.write(text, headBytes))
    } else {
      message = Buffer.allocUnsafe(headBytes + Buffer.byteLength(text))
      if (head !== undefined) message.set(head, 0)
      message.write(text, headBytes)
      out = Buffer.allocUnsafe(HEADER_BYTES + message.length + TAG_BYTES)
    }
    const end = HEADER_BYTES + message.length + TAG_BYTES
    out[0] = SEAL_VERSION
    out.writeUInt32BE(key.id, 1)
    randomPool.fill(out, 1 + KEY_ID_BYTES, NONCE_BYTES)
    sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(
      out.subarray(HEADER_BYTES, end),
      message,
      this.#ad.get(adKey(SEAL_VERSION, key.id)) as Buffer,
      null,
      out.subarray(1 + KEY_ID_BYTES, HEADER_BYTES),
      key.sealKey
    )
    return out.toString('base64url', 0, end)
  }

  /** Opens a sealed value; a fixed failure reason when it does not open. */
  open (value: string): Opened | OpenFailure {
    const scratch = value.length <= MAX_SCRATCH_SEALED_CHARS
    const raw = scratch ? sealedScratch : Buffer.allocUnsafe(Math.ceil(value.length * 3 / 4))
    const length = raw.write(value, 'base64url')
    // Canonical base64url only: Node's decoder is lenient (it skips characters it does not know,
    // takes '+', '/' and padding, and ignores a last character's unused low bits), so without this a
    // re-spelled cookie would open to the same bytes. The one canonical spelling of the decoded bytes
    // must be the value itself; comparing costs far less than a regular expression over the value.
    if (length === 0 || raw.toString('base64url', 0, length) !== value) return 'malformed'
    if (length < HEADER_BYTES + TAG_BYTES) return 'truncated'
    const version = raw[0] as number
    if (!OPENABLE.has(version)) return 'unknown-version'
    const found = this.#keyring.find(raw.readUInt32BE(1))
    const key: SealKey = found ?? this.#keyring.decoy
    const messageLength = length - HEADER_BYTES - TAG_BYTES
    const message = (scratch ? plainScratch : Buffer.allocUnsafe(messageLength)).subarray(0, messageLength)
    try {
      sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(
        message,
        null,
        raw.subarray(HEADER_BYTES, length),
        this.#ad.get(adKey(version, key.id)) as Buffer,
        raw.subarray(1 + KEY_ID_BYTES, HEADER_BYTES),
        key.sealKey
      )
    } catch {
      return 'decryption-failed'
    }
    // A decoy-key decryption cannot succeed (its key is random and never sealed anything), so
    // `found` is always set here.
    return { version, message, stale: found !== this.#keyring.current }
  }
}

function adKey (version: number, keyId: number): number {
  return version * 0x1_0000_0000 + keyId
}
