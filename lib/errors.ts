import { createError } from '@fastify/error'

// Every error the plugin can raise, made once. Messages name the option or the rule that was broken,
// never a value: a secret, a key, a cookie or a session id must not reach a log through an error.

/** `secret` was not given. */
export const MissingSecretError = createError(
  'FST_SESSION_MISSING_SECRET',
  'The "secret" option is required: pass a string or Buffer of at least 32 bytes (see `npx fastify-session-kit keygen`)'
)

/** A secret (or one secret of the array) is shorter than 32 bytes or is not a string/Buffer. */
export const InvalidSecretError = createError(
  'FST_SESSION_INVALID_SECRET',
  'Every "secret" must be a string or Buffer of at least 32 bytes; %s'
)

/** Two secrets of the array give the same key (the same secret listed twice, in effect). */
export const DuplicateSecretError = createError(
  'FST_SESSION_DUPLICATE_SECRET',
  'The "secret" array lists the same key twice (entries %s)'
)

/** `ttl`, `absoluteTtl`, `renewAfter` or `renewGrace` is not a positive integer number of seconds. */
export const InvalidTtlError = createError(
  'FST_SESSION_INVALID_TTL',
  'The "%s" option must be a positive integer number of seconds'
)

/** `absoluteTtl` is shorter than `ttl`. */
export const AbsoluteTtlTooShortError = createError(
  'FST_SESSION_ABSOLUTE_TTL_TOO_SHORT',
  'The "absoluteTtl" option must be at least as long as "ttl"'
)

/** `sameSite: 'none'` without `secure: true` (browsers reject such a cookie). */
export const SameSiteNoneInsecureError = createError(
  'FST_SESSION_SAMESITE_NONE_INSECURE',
  'cookie.sameSite "none" requires cookie.secure to be true'
)

/** A `__Host-` or `__Secure-` cookie name without the attributes its prefix demands. */
export const InvalidCookiePrefixError = createError(
  'FST_SESSION_INVALID_COOKIE_PREFIX',
  'The cookie name prefix "%s" requires %s'
)

/** `store` is neither a CookieStore nor an object implementing the SessionStore contract. */
export const InvalidStoreError = createError(
  'FST_SESSION_INVALID_STORE',
  'The "store" option must be a CookieStore or implement get(), set() and destroy(); %s'
)

/** Any other option of the wrong type or value, or an unknown option. */
export const InvalidOptionError = createError(
  'FST_SESSION_INVALID_OPTION',
  'Invalid option "%s": %s'
)

/** `session.set()` was given a value JSON cannot represent faithfully. */
export const InvalidValueError = createError(
  'FST_SESSION_INVALID_VALUE',
  'The value for session key "%s" cannot be stored: %s',
  500,
  TypeError
)

/** A cookie-store write would produce a `Set-Cookie` header over 4096 bytes. */
export const CookieTooLargeError = createError(
  'FST_SESSION_COOKIE_TOO_LARGE',
  'The session cookie would be %s bytes, over the 4096-byte limit browsers keep; store less in the session or use a server store',
  500
)

/** A server-store record would exceed `maxDataBytes`. */
export const SessionTooLargeError = createError(
  'FST_SESSION_TOO_LARGE',
  'The session record would be %s bytes, over the "maxDataBytes" limit of %s',
  500
)

/** The server store failed to load or save a session. */
export const StoreUnavailableError = createError(
  'FST_SESSION_STORE_UNAVAILABLE',
  'The session store is unavailable',
  503
)

/**
 * PostgresStore: the sessions table, or a column of it, is not there (the schema was not created, or
 * is of another version). Requests that need the store answer 503 `FST_SESSION_STORE_UNAVAILABLE`
 * and log this error's code and message; PostgreSQL's error is its `cause`, which is not logged (it can
 * quote row values).
 */
export const StoreSchemaError = createError(
  'FST_SESSION_STORE_SCHEMA',
  'The PostgresStore table named by the "table" option is missing or lacks a column: create it with the statements in docs/stores.md (or store.createSchema() in development)',
  503
)

/**
 * PostgresStore: a timed sweep of expired rows failed. Emitted as a process warning, with the failure
 * as its `cause`, unless the store has an `onSweepError`; the next sweep tries again.
 */
export const SweepFailedError = createError(
  'FST_SESSION_SWEEP_FAILED',
  'A PostgresStore sweep of expired sessions failed; the next one tries again',
  500
)

/** A store lacks a capability that was asked of it (revokeUser on a cookie store, say). */
export const NotSupportedError = createError(
  'FST_SESSION_NOT_SUPPORTED',
  '%s is not supported by this store: %s',
  500
)

/** A guarded route was reached without a login. */
export const UnauthorizedError = createError(
  'FST_SESSION_UNAUTHORIZED',
  'Authentication required',
  401
)

/**
 * A `requireRecentAuth` guard denied a logged-in request whose last proof of identity is missing, too
 * old, or of a method the route does not accept; the message ends with that reason.
 */
export const ReauthRequiredError = createError(
  'FST_SESSION_REAUTH_REQUIRED',
  'A recent authentication is required (%s)',
  401
)

/** `session.markAuthenticated()` was given no method, or one that is not a short token. */
export const InvalidAuthMethodError = createError(
  'FST_SESSION_INVALID_AUTH_METHOD',
  'session.markAuthenticated() needs a "method" of 1 to 64 printable ASCII characters without spaces',
  500,
  TypeError
)

/** A guarded route was reached without the required role. */
export const ForbiddenError = createError(
  'FST_SESSION_FORBIDDEN',
  'Insufficient role',
  403
)

/** A route without sessions (`config: { session: false }`) tried to use its session. */
export const SessionDisabledError = createError(
  'FST_SESSION_DISABLED',
  'This route has no session (config.session is false): %s() is not available',
  500
)

/** A session guard on a route without sessions: it could never pass. */
export const GuardWithoutSessionError = createError(
  'FST_SESSION_GUARD_WITHOUT_SESSION',
  'The route %s has a session guard but no session (config.session is false, or a withoutSessions scope): the guard could never pass'
)

/**
 * An operation needs to send the session cookie, and this response cannot carry one any more: a
 * WebSocket (its handshake is over), or a response whose headers were already sent.
 */
export const CookieUnsendableError = createError(
  'FST_SESSION_COOKIE_UNSENDABLE',
  'request.session.%s() needs to send the session cookie, and none can be sent %s: %s',
  500
)

/** Two registrations of the plugin in one scope share a `sessionName` or a `cookieName`. */
export const DuplicateSessionError = createError(
  'FST_SESSION_DUPLICATE',
  'Another session in this scope already uses the %s "%s": give each registration its own sessionName and cookieName'
)

// Device-bound sessions (DBSC). Each reason is a fixed word; no key, challenge or id goes into one.

/** A request of a device-bound session came without a valid bound cookie (reason: missing, expired, invalid, refresh-skipped). */
export const DbscUnboundError = createError(
  'FST_SESSION_DBSC_UNBOUND',
  'This session is bound to a device, and the request carried no valid bound cookie (%s)',
  401
)

/** A DBSC proof (the Secure-Session-Response JWT) was refused; the reason names the check that failed. */
export const DbscInvalidProofError = createError(
  'FST_SESSION_DBSC_INVALID_PROOF',
  'The device-bound session proof was refused (%s)',
  400
)

/** A DBSC proof answered no live challenge of this session: unknown, used or expired. A refresh sends a new one. */
export const DbscChallengeError = createError(
  'FST_SESSION_DBSC_CHALLENGE',
  'The device-bound session proof must answer a fresh challenge',
  403
)

/** A DBSC registration or refresh that has no session to act on (reason: no-session, already-bound, not-bound, wrong-id). */
export const DbscNoSessionError = createError(
  'FST_SESSION_DBSC_NO_SESSION',
  'No device-bound session can be %s here (%s)',
  401
)
