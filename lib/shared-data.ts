/**
 * @internal Session data shared between the requests of one session instead of parsed again for each:
 * what a cache holds (the cookie store's opened cookies, a MemoryStore record) is deeply frozen, and a
 * request gets a shallow copy whose objects are those frozen ones. A frozen object is never handed to
 * application code: `get()` and `data()` thaw it into a copy of the request's own first, so no request
 * can change what another reads, and a key a request never asks for costs neither a parse nor a copy.
 * The frozen data is also what the request loaded, so a handed-out object is checked for changes by
 * comparing it with its frozen original rather than by serialising it again.
 */

/** Freezes a JSON value (as JSON.parse made it) and everything in it; returns it. */
export function freezeJson<T> (value: T): T {
  if (typeof value !== 'object' || value === null) return value
  if (Array.isArray(value)) {
    for (const item of value) freezeJson(item)
  } else {
    for (const key of Object.keys(value)) freezeJson((value as Record<string, unknown>)[key])
  }
  return Object.freeze(value)
}

/** A mutable deep copy of a frozen JSON value (plain objects, arrays and primitives). */
export function thawJson (value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value
  if (Array.isArray(value)) {
    const copy = new Array<unknown>(value.length)
    for (let i = 0; i < value.length; i++) copy[i] = thawJson(value[i])
    return copy
  }
  const copy: Record<string, unknown> = {}
  for (const key of Object.keys(value)) setKey(copy, key, thawJson((value as Record<string, unknown>)[key]))
  return copy
}

/** `target[key] = value` as an own property, also for the key `__proto__` (which assignment would not create). */
export function setKey (target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true })
  else target[key] = value
}

/**
 * Whether `value` has the same JSON as `frozen`, a value JSON.parse made: true only when it is that very
 * value, or plain objects and arrays of equal primitives with the same keys in the same order. Anything
 * JSON.stringify could spell differently (a Date, a class instance, a `toJSON` method, `undefined`, a
 * non-finite number) answers false, and the caller serialises it: a false answer only costs time.
 */
export function jsonEqual (value: unknown, frozen: unknown): boolean {
  if (value === frozen) return true
  if (typeof value !== 'object' || value === null || typeof frozen !== 'object' || frozen === null) return false
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return false
  if (Array.isArray(frozen)) {
    if (!Array.isArray(value) || value.length !== frozen.length) return false
    for (let i = 0; i < frozen.length; i++) if (!jsonEqual(value[i], frozen[i])) return false
    return true
  }
  if (Object.getPrototypeOf(value) !== Object.prototype) return false
  const keys = Object.keys(value)
  const expected = Object.keys(frozen)
  if (keys.length !== expected.length) return false
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string
    if (key !== expected[i] || !jsonEqual((value as Record<string, unknown>)[key], (frozen as Record<string, unknown>)[key])) return false
  }
  return true
}
