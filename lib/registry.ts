import type { FastifyInstance } from 'fastify'
import { DuplicateSessionError } from './errors.js'
import type { Config } from './options.js'
import { kSessions } from './symbols.js'

/** What a scope knows of each session registered in it or its parents. */
export interface RegisteredSession {
  readonly sessionName: string
  readonly cookieName: string
  /** The data key naming the user (the plugin's `userKey` option), read by the guards' default check. */
  readonly userKey: string
}

interface Registered {
  [kSessions]?: readonly RegisteredSession[]
}

/**
 * Refuses a second session with the same name or cookie name in one scope, before a decorator clash
 * (or two sessions silently fighting over one cookie) could happen, then records the session.
 */
export function claim (fastify: FastifyInstance, config: Config): void {
  const scope = fastify as Registered
  const taken = scope[kSessions] ?? []
  for (const other of taken) {
    if (other.sessionName === config.sessionName) throw new DuplicateSessionError('sessionName', config.sessionName)
    if (other.cookieName === config.cookieName) throw new DuplicateSessionError('cookieName', config.cookieName)
  }
  scope[kSessions] = [...taken, { sessionName: config.sessionName, cookieName: config.cookieName, userKey: config.userKey }]
}

/**
 * The session named `sessionName` as registered in `scope` or its parents, or undefined. A request
 * decorator of that name is not enough: another plugin's (`request.user` of @fastify/jwt) is no session.
 */
export function registeredSession (scope: FastifyInstance, sessionName: string): RegisteredSession | undefined {
  return (scope as Registered)[kSessions]?.find((s) => s.sessionName === sessionName)
}
