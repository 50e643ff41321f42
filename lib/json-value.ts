import { InvalidValueError } from './errors.js'

// Deeper than this is refused instead of risking a stack overflow in the walk or in JSON.stringify.
const MAX_DEPTH = 64

/**
 * Throws `FST_SESSION_INVALID_VALUE` unless `value` survives a JSON round trip unchanged: strings,
 * finite numbers, booleans, null, and plain arrays and objects of those. A Date, Map, class instance,
 * function, symbol, BigInt, non-finite number, `undefined` array slot or cycle would come back
 * different (or not at all), so it is refused at `set()` time, where the mistake is made.
 *
 * @param key - the session key, named in the error (the value never is).
 */
export function assertJsonValue (key: string, value: unknown): void {
  const problem = check(value, 0, [])
  if (problem !== undefined) throw new InvalidValueError(key, problem)
}

function check (value: unknown, depth: number, parents: object[]): string | undefined {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return undefined
    case 'number':
      return Number.isFinite(value) ? undefined : 'a non-finite number (NaN or Infinity) becomes null in JSON'
    case 'object':
      return value === null ? undefined : checkObject(value, depth, parents)
    case 'undefined':
      return 'undefined inside an array becomes null in JSON'
    default:
      return `a ${typeof value} has no JSON form`
  }
}

function checkObject (value: object, depth: number, parents: object[]): string | undefined {
  if (depth >= MAX_DEPTH) return `nesting deeper than ${MAX_DEPTH} levels`
  if (parents.includes(value)) return 'a cycle has no JSON form'
  const isArray = Array.isArray(value)
  const proto: unknown = Object.getPrototypeOf(value)
  if (!isArray && proto !== Object.prototype && proto !== null) {
    return 'only plain objects and arrays keep their type through JSON (convert Dates, Maps and class instances first)'
  }
  parents.push(value)
  let problem: string | undefined
  if (isArray) {
    for (let i = 0; i < value.length && problem === undefined; i++) {
      problem = check(value[i], depth + 1, parents)
    }
  } else {
    for (const k of Object.keys(value)) {
      const v = (value as Record<string, unknown>)[k]
      // A property holding undefined is dropped by JSON, which is what deleting it means: allowed.
      if (v !== undefined) problem = check(v, depth + 1, parents)
      if (problem !== undefined) break
    }
  }
  parents.pop()
  return problem
}
