import sodium from 'sodium-native'
import { Keyring } from '../../lib/keyring.js'
import { SEAL_VERSION, Sealer } from '../../lib/seal.js'
import { SECRET } from './index.js'

/** The lifetimes and id a sealed cookie carries, as format 2 lays them out in its binary head. */
export interface CookieHead {
  /** The id's 32 bytes, base64url (43 characters). */
  id: string
  createdAt: number
  lastSeenAt: number
  idIssuedAt: number
}

/** Offsets in a format-2 plaintext: id (32 bytes), then three 48-bit big-endian times, then the data's JSON. */
export const HEAD = { id: 0, createdAt: 32, lastSeenAt: 38, idIssuedAt: 44, bytes: 50 } as const
/** Offset of the plaintext in a sealed cookie: version (1) ‖ key id (4) ‖ nonce (24). */
export const SEALED_HEADER_BYTES = 29

/** A format-2 head, as the cookie store writes it. */
export function head (h: CookieHead): Buffer {
  const out = Buffer.alloc(HEAD.bytes)
  out.write(h.id, HEAD.id, 32, 'base64url')
  out.writeIntBE(h.createdAt, HEAD.createdAt, 6)
  out.writeIntBE(h.lastSeenAt, HEAD.lastSeenAt, 6)
  out.writeIntBE(h.idIssuedAt, HEAD.idIssuedAt, 6)
  return out
}

/** Seals a format-2 cookie by hand with `secret` (default the tests' SECRET): `head ‖ text`. */
export function sealV2 (headBytes: Uint8Array, text: string, secret = SECRET, name = 'sid'): string {
  const keyring = new Keyring([Buffer.from(secret)])
  try {
    return new Sealer(keyring, name).seal(text, headBytes)
  } finally {
    keyring.wipe()
  }
}

/**
 * Seals a format-1 cookie by hand (version 1 in the header and the additional data, the plaintext
 * alone), as the 0.1 code did: for payloads the current code would never write.
 */
export function sealV1 (plaintext: string, secret = SECRET, name = 'sid'): string {
  const keyring = new Keyring([Buffer.from(secret)])
  try {
    const key = keyring.current
    const message = Buffer.from(plaintext)
    const out = Buffer.alloc(SEALED_HEADER_BYTES + message.length + sodium.crypto_aead_xchacha20poly1305_ietf_ABYTES)
    out[0] = 1
    out.writeUInt32BE(key.id, 1)
    sodium.randombytes_buf(out.subarray(5, SEALED_HEADER_BYTES))
    const ad = Buffer.concat([Buffer.from([1]), out.subarray(1, 5), Buffer.from(name)])
    sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(out.subarray(SEALED_HEADER_BYTES), message, ad, null, out.subarray(5, SEALED_HEADER_BYTES), key.sealKey)
    return out.toString('base64url')
  } finally {
    keyring.wipe()
  }
}

/** Opens a cookie the plugin wrote (format 2) and reads its head and data. */
export function openV2 (value: string, secret = SECRET, name = 'sid'): CookieHead & { version: number, data: unknown } {
  const keyring = new Keyring([Buffer.from(secret)])
  try {
    const opened = new Sealer(keyring, name).open(value)
    if (typeof opened === 'string') throw new Error(`the cookie did not open: ${opened}`)
    if (opened.version !== SEAL_VERSION) throw new Error(`format ${opened.version}, not ${SEAL_VERSION}`)
    const m = opened.message
    return {
      version: opened.version,
      id: m.toString('base64url', HEAD.id, 32),
      createdAt: m.readIntBE(HEAD.createdAt, 6),
      lastSeenAt: m.readIntBE(HEAD.lastSeenAt, 6),
      idIssuedAt: m.readIntBE(HEAD.idIssuedAt, 6),
      data: JSON.parse(m.toString('utf8', HEAD.bytes))
    }
  } finally {
    keyring.wipe()
  }
}
