import type { FastifyBaseLogger } from 'fastify'
import type { Keyring } from './keyring.js'
import type { ExpiryReason } from './lifetime.js'

/** Why a session cookie was not used; fixed strings, the only detail a rejection log line carries. */
export type RejectReason =
  | ExpiryReason | 'oversized' | 'malformed' | 'truncated' | 'unknown-version' | 'decryption-failed'
  | 'malformed-payload' | 'unknown-id' | 'invalid-record' | 'revoked' | 'ended'

/** Lifecycle events logged at debug level, with a keyed hash of the id, never the id. */
export type LifecycleEvent = 'created' | 'regenerated' | 'renewed' | 'destroyed' | 'expired' | 'rejected'

/**
 * Logs a lifecycle event at debug level, one job. The id appears only as a keyed hash (the keyring's
 * `logId`): enough to follow one session through the logs, useless as a credential. Nothing is
 * hashed when debug is off.
 */
export function logLifecycle (log: FastifyBaseLogger, keyring: Pick<Keyring, 'logId'>, event: LifecycleEvent, id?: string, reason?: RejectReason): void {
  if (!isDebugEnabled(log)) return
  const fields: Record<string, string> = { event }
  if (id !== undefined && id !== '') fields.sessionHash = keyring.logId(id)
  if (reason !== undefined) fields.reason = reason
  log.debug({ session: fields }, `session ${event}`)
}

function isDebugEnabled (log: FastifyBaseLogger & { isLevelEnabled?: (level: string) => boolean }): boolean {
  // pino answers isLevelEnabled; Fastify's no-op logger (logger: false) has neither it nor a level, and
  // skipping it there saves hashing an id on every new session.
  if (typeof log.isLevelEnabled === 'function') return log.isLevelEnabled('debug')
  return log.level === 'debug' || log.level === 'trace'
}
