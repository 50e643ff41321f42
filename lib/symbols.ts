// Private per-request and per-instance state lives under these symbols, never ad-hoc properties.

/** A Session's internal state, shared with the store drivers and hooks. */
export const kState = Symbol('fastify-session-kit.state')

/** A Session's store driver. A symbol, not a #private field: methods also run with the Proxy as `this`. */
export const kDriver = Symbol('fastify-session-kit.driver')
