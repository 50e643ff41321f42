import { InvalidAuthMethodError } from './errors.js'

// When and how the user last proved who they are (a password, a passkey, a one-time code), kept in
// the session data under the plugin's `authKey` option. It lives in the data, not beside it, so every
// store keeps it as it keeps data: a renewal, a key-rotation move or `regenerate(true)` carries it, and
// `regenerate()` without data or `destroy()` drops it. Nothing but `markAuthenticated()` sets it.

/** The longest method name: a label such as 'password' or 'webauthn', not free text. */
const MAX_METHOD_LENGTH = 64
// Printable ASCII without spaces: a method name is a token, compared exactly by the guards.
const METHOD = /^[\x21-\x7e]+$/

/** When and how the user last proved who they are, as `session.lastAuthenticated()` reports it. */
export interface AuthProof {
  /** When the proof was recorded (the server's clock). */
  readonly at: Date
  /** How: the `method` given to `markAuthenticated()`. */
  readonly method: string
}

/** Options of `session.markAuthenticated()`. */
export interface MarkAuthenticatedOptions {
  /** How the user proved who they are: a token of 1 to 64 printable ASCII characters, e.g. `'password'`, `'webauthn'`. */
  method: string
}

/** @internal The stored form: milliseconds since the epoch, and the method. */
export interface StoredProof {
  at: number
  method: string
}

/** @internal Whether `method` is a method name `markAuthenticated()` and the guard accept. */
export function isMethod (method: unknown): method is string {
  return typeof method === 'string' && method.length <= MAX_METHOD_LENGTH && METHOD.test(method)
}

/**
 * @internal The record `markAuthenticated(options)` stores, stamped `now`.
 *
 * @throws `FST_SESSION_INVALID_AUTH_METHOD` when `options.method` is not a short token.
 */
export function makeProof (options: MarkAuthenticatedOptions, now: number): StoredProof {
  const method = typeof options === 'object' && options !== null ? options.method : undefined
  if (!isMethod(method)) throw new InvalidAuthMethodError()
  return { at: now, method }
}

/**
 * @internal The proof held in `value` (what the session holds under `authKey`), or undefined. Data can
 * be anything a store returned or an app wrote under that key: a malformed value counts as no proof.
 */
export function readProof (value: unknown): AuthProof | undefined {
  if (typeof value !== 'object' || value === null) return undefined
  const { at, method } = value as Partial<StoredProof>
  if (typeof at !== 'number' || !Number.isSafeInteger(at) || at < 0 || !isMethod(method)) return undefined
  return { at: new Date(at), method }
}
