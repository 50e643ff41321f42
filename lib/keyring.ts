import sodium from 'sodium-native'

// Domain separation: a master key is BLAKE2b(secret) under this fixed key, so the same secret used by
// another library yields unrelated keys here.
const MASTER_DOMAIN = Buffer.from('fastify-session-kit/master-key/v1')
// libsodium's KDF takes an 8-byte context; subkey ids name the purpose of each derived key.
const KDF_CONTEXT = Buffer.from('fsk-sess')
const SUBKEY_SEAL = 1
const SUBKEY_STORE_ID = 2
const SUBKEY_LOG_ID = 3
const SUBKEY_KEY_ID = 4

/** 32 bytes: the shortest secret accepted, the size of the XChaCha20 key it becomes. */
export const MIN_SECRET_BYTES = 32

/** One configured secret, turned into the keys each purpose needs. */
export interface SealKey {
  /** The 4-byte key id written into every cookie sealed with this key. */
  readonly id: number
  /** XChaCha20-Poly1305 key. */
  readonly sealKey: Buffer
  /** BLAKE2b key for store keys (server stores keep the hash of an id, never the id). */
  readonly storeKey: Buffer
}

function derive (master: Buffer, subkeyId: number, bytes: number): Buffer {
  const out = sodium.sodium_malloc(bytes) as Buffer
  sodium.crypto_kdf_derive_from_key(out, subkeyId, KDF_CONTEXT, master)
  return out
}

function makeKey (secret: Buffer): { key: SealKey, logKey: Buffer } {
  const master = sodium.sodium_malloc(sodium.crypto_kdf_KEYBYTES) as Buffer
  sodium.crypto_generichash(master, secret, MASTER_DOMAIN)
  const idBytes = derive(master, SUBKEY_KEY_ID, sodium.crypto_kdf_BYTES_MIN)
  const key: SealKey = {
    id: idBytes.readUInt32BE(0),
    sealKey: derive(master, SUBKEY_SEAL, sodium.crypto_aead_xchacha20poly1305_ietf_KEYBYTES),
    storeKey: derive(master, SUBKEY_STORE_ID, sodium.crypto_generichash_KEYBYTES)
  }
  const logKey = derive(master, SUBKEY_LOG_ID, sodium.crypto_generichash_KEYBYTES)
  sodium.sodium_memzero(master)
  sodium.sodium_memzero(idBytes)
  return { key, logKey }
}

function keyedHash (input: string, key: Buffer, bytes: number): string {
  const out = Buffer.allocUnsafe(bytes)
  sodium.crypto_generichash(out, Buffer.from(input), key)
  return out.toString('base64url')
}

/**
 * The keys made from the `secret` option: the first secret seals, every secret opens. Key ids let a
 * cookie name its key, so opening looks one key up instead of trying each in turn.
 */
export class Keyring {
  /** The key new cookies are sealed with (from the first secret). */
  readonly current: SealKey
  /** Every key, current first. */
  readonly keys: readonly SealKey[]
  /**
   * Stands in for an unknown key id: opening with it costs one decryption like any other, so the
   * time taken does not tell how many keys exist or which ids are known.
   */
  readonly decoy: SealKey
  readonly #byId: Map<number, SealKey>
  readonly #logKey: Buffer
  readonly #onWipe: Array<() => void> = []

  /**
   * @param secrets - each at least 32 bytes; validated by the options module before it gets here.
   * @throws `Error` with `duplicateOf` set when two secrets produce the same key id.
   */
  constructor (secrets: readonly Buffer[]) {
    const keys: SealKey[] = []
    const byId = new Map<number, SealKey>()
    let logKey: Buffer | undefined
    for (let i = 0; i < secrets.length; i++) {
      const made = makeKey(secrets[i] as Buffer)
      if (byId.has(made.key.id)) {
        const first = keys.findIndex((k) => k.id === made.key.id)
        wipeKey(made.key)
        sodium.sodium_memzero(made.logKey)
        for (const k of keys) wipeKey(k)
        if (logKey !== undefined) sodium.sodium_memzero(logKey)
        throw Object.assign(new Error('duplicate key id'), { duplicateOf: [first, i] as const })
      }
      byId.set(made.key.id, made.key)
      keys.push(made.key)
      if (logKey === undefined) logKey = made.logKey
      else sodium.sodium_memzero(made.logKey)
    }
    this.keys = keys
    this.current = keys[0] as SealKey
    this.#byId = byId
    this.#logKey = logKey as Buffer
    const decoySecret = Buffer.allocUnsafe(MIN_SECRET_BYTES)
    sodium.randombytes_buf(decoySecret)
    const decoy = makeKey(decoySecret)
    sodium.sodium_memzero(decoy.logKey)
    sodium.sodium_memzero(decoySecret)
    this.decoy = decoy.key
  }

  /** The key with this id, or undefined. */
  find (id: number): SealKey | undefined {
    return this.#byId.get(id)
  }

  /** The store key of a session id under one key (the current one unless told). */
  storeKey (id: string, key: SealKey = this.current): string {
    return keyedHash(id, key.storeKey, 32)
  }

  /**
   * A short keyed hash of a session id for log lines: lets an operator follow one session through the
   * logs without the log ever holding a usable id.
   */
  logId (id: string): string {
    return keyedHash(id, this.#logKey, 16).slice(0, 16)
  }

  /**
   * Calls `listener` when the keys are wiped, so that what was opened with them (the cookie store's
   * opened cookies) goes with them.
   */
  onWipe (listener: () => void): void {
    this.#onWipe.push(listener)
  }

  /** Overwrites every key in memory; the keyring is unusable afterwards. */
  wipe (): void {
    for (const k of this.keys) wipeKey(k)
    wipeKey(this.decoy)
    sodium.sodium_memzero(this.#logKey)
    for (const listener of this.#onWipe) listener()
  }
}

function wipeKey (key: SealKey): void {
  sodium.sodium_memzero(key.sealKey)
  sodium.sodium_memzero(key.storeKey)
}
