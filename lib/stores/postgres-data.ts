import { escapeString, unescapeString } from './string-escape.js'

/**
 * @internal The data column: a jsonb object with one entry per session key, so that a patch sets and
 * removes single keys in one UPDATE (`data - removed || changed`) and concurrent patches of different
 * keys all land. jsonb refuses "\u0000" and lone surrogates in keys and strings (and keeps keys in
 * its own order); so each key is stored escaped (string-escape.ts) and each value as its
 * JSON text, a jsonb string. JSON.stringify writes "\u0000" and lone surrogates as ASCII escapes, so
 * nothing jsonb refuses ever reaches it, and a value comes back exactly as it went in (nested key
 * order and number spelling included; the session's own keys come back in jsonb's order).
 * `(data->>'cart')::jsonb` reads a value in SQL.
 */
export function encodeEntries (data: Record<string, unknown>): string {
  let json = '{'
  for (const name of Object.keys(data)) {
    if (json.length > 1) json += ','
    json += `${JSON.stringify(escapeString(name))}:${JSON.stringify(JSON.stringify(data[name]))}`
  }
  return `${json}}`
}

/**
 * @internal The inverse of {@link encodeEntries}; throws on anything it never writes (a row edited by
 * hand), so that such a row is not trusted.
 */
export function decodeEntries (text: string): Record<string, unknown> {
  const stored = JSON.parse(text) as unknown
  if (typeof stored !== 'object' || stored === null || Array.isArray(stored)) throw new TypeError('not an object')
  const data: Record<string, unknown> = {}
  for (const [name, json] of Object.entries(stored)) {
    if (typeof json !== 'string') throw new TypeError('not JSON text')
    const key = unescapeString(name)
    const value: unknown = JSON.parse(json)
    // A plain assignment to "__proto__" would replace the prototype instead of adding a key.
    if (key === '__proto__') Object.defineProperty(data, key, { value, enumerable: true, writable: true, configurable: true })
    else data[key] = value
  }
  return data
}
