// Private per-request and per-instance state lives under these symbols, never ad-hoc properties.

/**
 * A Session's internal state (its driver included), shared with the store drivers and hooks. A symbol,
 * not a #private field: methods also run with the Proxy as `this`.
 */
export const kState = Symbol('fastify-session-kit.state')

/**
 * On a Fastify instance: `true` when no route of that scope has sessions (see `withoutSessions`). Read
 * through the prototype chain, so child scopes inherit it.
 */
export const kSessionOff = Symbol('fastify-session-kit.off')

/** On a guard function: the name of the session it reads, so routes can be checked at startup. */
export const kGuard = Symbol('fastify-session-kit.guard')

/** On a Fastify instance: the sessions registered in it and its parents (name and cookie name). */
export const kSessions = Symbol('fastify-session-kit.sessions')
