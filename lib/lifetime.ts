import type { Config } from './options.js'

/** Why a session that came in is past its time: the two lifetimes every store enforces. */
export type ExpiryReason = 'expired-idle' | 'expired-absolute'

/**
 * A session's lifetimes, one job: the arithmetic of the idle (`ttl`) and absolute (`absoluteTtl`)
 * limits and of the id's renewal (`renewAfter`), in milliseconds, from the times a store kept.
 */
export class Lifetime {
  readonly #config: Pick<Config, 'ttlMs' | 'absoluteTtlMs' | 'renewAfterMs'>

  constructor (config: Pick<Config, 'ttlMs' | 'absoluteTtlMs' | 'renewAfterMs'>) {
    this.#config = config
  }

  /** Whether a session is over: idle since `lastSeenAt`, or absolute since `createdAt`. */
  expiry (createdAt: number, lastSeenAt: number, now: number): ExpiryReason | undefined {
    if (now - lastSeenAt >= this.#config.ttlMs) return 'expired-idle'
    if (now - createdAt >= this.#config.absoluteTtlMs) return 'expired-absolute'
    return undefined
  }

  /** Milliseconds until a session written now must be gone: idle or absolute, whichever ends first. */
  remainingMs (createdAt: number, now: number): number {
    return Math.min(this.#config.ttlMs, this.#config.absoluteTtlMs - (now - createdAt))
  }

  /** Whether an id issued at `idIssuedAt` is due for a new one (OWASP's renewal timeout). */
  renewalDue (idIssuedAt: number, now: number): boolean {
    const after = this.#config.renewAfterMs
    return after !== undefined && now - idIssuedAt >= after
  }
}
