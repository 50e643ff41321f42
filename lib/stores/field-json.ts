/**
 * @internal Session data as JSON one key at a time: what the server driver diffs a write against, and
 * how the MemoryStore holds a session. The whole object's JSON is the fields joined in order, exactly
 * what `JSON.stringify(data)` gives.
 */

const NONE: readonly string[] = []

/** Each key's JSON, and the whole object's JSON they add up to. */
export interface Encoded {
  json: string
  fields: ReadonlyMap<string, string>
}

/**
 * The data's JSON, key by key. With `known`, a key not listed in `changed` takes its JSON from there
 * instead of being serialised again (the caller vouches that such a key's value is the one `known`
 * was made from); a key `known` lacks is serialised.
 */
export function encodeFields (
  data: Record<string, unknown>,
  known?: ReadonlyMap<string, string>,
  changed: readonly string[] = NONE
): Encoded {
  const fields = new Map<string, string>()
  let json = '{'
  for (const key of Object.keys(data)) {
    const value = (changed.includes(key) ? undefined : known?.get(key)) ?? JSON.stringify(data[key])
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

// Where a store leaves the per-key JSON it parsed a record's data from: a symbol-keyed, non-enumerable
// property of the record it returns, so no logger, spread or deep-equality check sees it, and a wrapper
// that copies the record (or replaces its data) drops it.
const kFields = Symbol('fastify-session-kit.fields')

interface Attached {
  data: object
  encoded: Encoded
}

/**
 * A store hands over, with the record it returns, the per-key JSON it parsed `record.data` from, so that
 * the driver takes its baseline from there instead of serialising the data it just loaded. Only for
 * data whose keys come in the fields' order (see keepsOrder).
 */
export function attachFields (record: { data: object }, encoded: Encoded): void {
  const attached: Attached = { data: record.data, encoded }
  Object.defineProperty(record, kFields, { value: attached })
}

/**
 * The per-key JSON handed over with `record`, if its data is still the object it was made from, with
 * those keys in that order (a store wrapper that replaced the data, or added, removed or renamed a key,
 * voids it).
 */
export function attachedFields (record: { data: object }): Encoded | undefined {
  const attached = (record as { [kFields]?: Attached })[kFields]
  if (attached === undefined || attached.data !== record.data) return undefined
  const encoded = attached.encoded
  const keys = Object.keys(record.data)
  if (keys.length !== encoded.fields.size) return undefined
  let i = 0
  for (const key of encoded.fields.keys()) if (keys[i++] !== key) return undefined
  return encoded
}
