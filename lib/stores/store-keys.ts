/**
 * @internal The store keys of session ids the server driver recently found in the store, under the
 * current secret: the keyed BLAKE2b of an id (lib/keyring.ts) costs about 0.9 µs of CPU, the most of
 * anything on a MemoryStore request, and a logged-in user sends the same id on every request.
 *
 * Only ids that were found in the store, or just written to it, are added (an id nobody issued is
 * hashed on every request and never kept, so no one can fill this with made-up ids), at most `max`
 * of them, the oldest dropped first. A key is the id's hash whatever becomes of the session, so a logout needs no
 * eviction: its id then finds no record, as before. Emptied when the keyring is wiped.
 */

import { detach } from '../cookie.js'

/** 10 000 ids: about 1.5 MB (two 43-character strings and a Map slot each). */
export const STORE_KEYS_MAX = 10_000

export class StoreKeys {
  readonly #keys = new Map<string, string>()
  readonly #max: number

  constructor (max = STORE_KEYS_MAX) {
    this.#max = max
  }

  /** Ids held. */
  get size (): number {
    return this.#keys.size
  }

  get (id: string): string | undefined {
    return this.#keys.get(id)
  }

  /** Keeps `key` as the store key of `id`, dropping the oldest id when full. */
  add (id: string, key: string): void {
    const keys = this.#keys
    if (keys.size >= this.#max && !keys.has(id)) keys.delete(keys.keys().next().value as string)
    // An id read from a Cookie header: kept as it is, it would keep the whole header too.
    keys.set(detach(id), key)
  }

  clear (): void {
    this.#keys.clear()
  }
}
