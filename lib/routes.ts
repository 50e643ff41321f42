import type { FastifyInstance, RouteOptions } from 'fastify'
import { GuardWithoutSessionError, InvalidOptionError } from './errors.js'
import { registeredSession } from './registry.js'
import { kGuard, kSessionOff } from './symbols.js'

/** A Fastify instance as this plugin marks it (see {@link kSessionOff}). */
export interface SessionScope {
  [kSessionOff]?: true | 'route'
}

// Every hook a guard could be put in; guards are preHandlers, but an onRequest guard is as wrong.
const HOOKS = ['onRequest', 'preParsing', 'preValidation', 'preHandler'] as const

/** The sessions the route's guards read. */
function guardedSessions (route: RouteOptions): string[] {
  const names: string[] = []
  for (const name of HOOKS) {
    const hooks: unknown = route[name]
    const list = Array.isArray(hooks) ? hooks : [hooks]
    for (const fn of list) if (typeof fn === 'function' && kGuard in fn) names.push(fn[kGuard] as string)
  }
  return names
}

/** Whether `config: { session: false }` is on the route. */
export function routeOptsOut (config: unknown): boolean {
  return typeof config === 'object' && config !== null && (config as { session?: unknown }).session === false
}

/**
 * The onRoute hook: decides at registration, not per request, which routes have no session. A route
 * with `config: { session: false }` marks its scope so that the per-request check looks at route
 * config only in scopes that have such a route; a guard on a route without sessions fails startup.
 */
export function onRoute (): (this: FastifyInstance, route: RouteOptions) => void {
  return function checkSessionRoute (this: FastifyInstance, route: RouteOptions): void {
    const scope = this as SessionScope
    const optsOut = routeOptsOut(route.config)
    if (optsOut && scope[kSessionOff] !== true) scope[kSessionOff] = 'route'
    const guarded = guardedSessions(route)
    if (guarded.length === 0) return
    const where = `${String(route.method)} ${route.url}`
    if (optsOut || scope[kSessionOff] === true) throw new GuardWithoutSessionError(where)
    for (const name of guarded) {
      if (registeredSession(this, name) === undefined) {
        throw new InvalidOptionError('sessionName', `a guard of the route ${where} reads the session "${name}", and no session of that name is registered`)
      }
    }
  }
}
