/**
 * @internal Session data as JSON one key at a time: what the server driver diffs a write against, and
 * how the MemoryStore holds a session. The whole object's JSON is the fields joined in order, exactly
 * what `JSON.stringify(data)` gives.
 */

import { jsonEqual } from '../shared-data.js'
import type { SessionRecord } from './types.js'

const NONE: readonly string[] = []

/**
 * @internal A store's read for the plugin alone, whose record shares the store's frozen data
 * (lib/shared-data.ts) rather than copying it: MemoryStore has one; the server driver uses it when there.
 */
export const kSharedGet = Symbol('fastify-session-kit.sharedGet')

/** Each key's JSON, and the whole object's JSON they add up to. */
export interface Encoded {
  json: string
  fields: ReadonlyMap<string, string>
}

/**
 * The data's JSON, key by key. With `known`, a key not listed in `changed` takes its JSON from there
 * instead of being serialised again (the caller vouches that such a key's value is the one `known`
 * was made from); a key `known` lacks is serialised. With `pristine` too (the frozen data `known` was
 * made from), a listed key whose value still has the JSON of its frozen original takes its JSON from
 * `known` as well: an object handed out and left as it was is compared, not serialised.
 */
export function encodeFields (
  data: Record<string, unknown>,
  known?: ReadonlyMap<string, string>,
  changed: readonly string[] = NONE,
  pristine?: Readonly<Record<string, unknown>>
): Encoded {
  const fields = new Map<string, string>()
  let json = '{'
  for (const key of Object.keys(data)) {
    const same = !changed.includes(key) || (pristine !== undefined && Object.hasOwn(pristine, key) && jsonEqual(data[key], pristine[key]))
    const value = (same ? known?.get(key) : undefined) ?? JSON.stringify(data[key])
    // As JSON.stringify does: a value JSON cannot spell (undefined) leaves its key out.
    if (value === undefined) continue
    json += `${fields.size === 0 ? '' : ','}${JSON.stringify(key)}:${value}`
    fields.set(key, value)
  }
  return { json: json + '}', fields }
}

/** The whole object's JSON of some fields, in their order. */
export function joinFields (fields: ReadonlyMap<string, string>): string {
  let json = '{'
  for (const [key, value] of fields) json += `${json.length === 1 ? '' : ','}${JSON.stringify(key)}:${value}`
  return json + '}'
}

/**
 * Whether parsing the joined fields gives an object whose keys come in the fields' order: not when a
 * key is an array index ('0', '42'), which a JavaScript object lists first, in numeric order. (Any key
 * that starts with a digit counts, to keep the check cheap.)
 */
export function keepsOrder (key: string): boolean {
  const c = key.charCodeAt(0)
  return !(c >= 48 && c <= 57)
}

/**
 * A record as a store read it, holding the per-key JSON it parsed `data` from, so that the driver takes
 * its baseline from there instead of serialising the data it just loaded. Only for data whose keys
 * come in the fields' order (see keepsOrder).
 *
 * A class, not a property defined on a plain record: every read gets one object shape, which V8 keeps
 * on its fast paths (a symbol property defined on each record cost the MemoryStore 7-8% per request).
 * The JSON sits in private fields, so no logger, spread or deep-equality check sees it, and a wrapper
 * that copies the record drops it.
 */
export class ParsedRecord implements SessionRecord {
  data: Record<string, unknown>
  createdAt: number
  lastSeenAt: number
  declare user?: string
  declare renewedAt?: number
  declare links?: string[]
  declare movedTo?: string
  readonly #source: object
  readonly #encoded: Encoded
  readonly #pristine: Readonly<Record<string, unknown>> | undefined

  constructor (data: Record<string, unknown>, createdAt: number, lastSeenAt: number, encoded: Encoded, pristine?: Readonly<Record<string, unknown>>) {
    this.data = data
    this.createdAt = createdAt
    this.lastSeenAt = lastSeenAt
    this.#source = data
    this.#encoded = encoded
    this.#pristine = pristine
  }

  /**
   * The frozen data a shared read (kSharedGet) copied `record.data` from, while the per-key JSON of
   * `fieldsOf` holds: what the session compares a handed-out object with (lib/shared-data.ts).
   */
  static pristineOf (record: SessionRecord, encoded: Encoded | undefined): Readonly<Record<string, unknown>> | undefined {
    return encoded === undefined ? undefined : (record as ParsedRecord).#pristine
  }

  /**
   * The per-key JSON read with `record`, if its data is still the object it was parsed into, with those
   * keys in that order (a store wrapper that replaced the data, or added, removed or renamed a key,
   * voids it).
   */
  static fieldsOf (record: SessionRecord): Encoded | undefined {
    if (!(record instanceof ParsedRecord) || record.#source !== record.data) return undefined
    const encoded = record.#encoded
    const keys = Object.keys(record.data)
    if (keys.length !== encoded.fields.size) return undefined
    let i = 0
    for (const key of encoded.fields.keys()) if (keys[i++] !== key) return undefined
    return encoded
  }
}
