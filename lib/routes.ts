import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify'
import { GuardWithoutSessionError, InvalidOptionError } from './errors.js'
import { registeredSession } from './registry.js'
import { routeConfigReader } from './route-config.js'
import { kGuard, kSessionOff } from './symbols.js'

/** A Fastify instance as `withoutSessions` marks it (see {@link kSessionOff}). */
export interface SessionScope {
  [kSessionOff]?: true
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
function optsOut (config: unknown): boolean {
  return typeof config === 'object' && config !== null && (config as { session?: unknown }).session === false
}

/**
 * Whether the route of a request has no session, decided per request from the route itself: its
 * scope's `withoutSessions` mark (read through the prototype chain, so child scopes inherit it) or its
 * own `config.session`. Nothing is decided at declaration, so routes declared before the plugin, or
 * before `withoutSessions`, get the same answer as the others. `this` of a hook is the route's scope;
 * both reads are property reads, no allocation.
 */
export function sessionOffCheck (): (scope: FastifyInstance, request: FastifyRequest) => boolean {
  const routeConfig = routeConfigReader()
  return function sessionOff (scope: FastifyInstance, request: FastifyRequest): boolean {
    return (scope as SessionScope)[kSessionOff] === true || routeConfig(request).session === false
  }
}

/** A route declared with a guard, and the scope it was declared in. */
interface GuardedRoute {
  scope: FastifyInstance
  route: RouteOptions
  sessions: string[]
}

/** @throws the error of a guard that could never pass, or that reads a session nobody registered. */
function checkGuarded ({ scope, route, sessions }: GuardedRoute): void {
  const where = `${String(route.method)} ${route.url}`
  if (optsOut(route.config) || (scope as SessionScope)[kSessionOff] === true) throw new GuardWithoutSessionError(where)
  for (const name of sessions) {
    if (registeredSession(scope, name) === undefined) {
      throw new InvalidOptionError('sessionName', `a guard of the route ${where} reads the session "${name}", and no session of that name is registered`)
    }
  }
}

/**
 * The startup checks of guarded routes: the onRoute hook notes each route with a guard, and the onReady
 * hook checks them all once everything is registered, so that a `withoutSessions` or a session
 * registered after the route counts. A guarded route declared before the plugin is not seen (Fastify
 * shows a route only to the onRoute hooks already in place); the guard itself refuses its requests with
 * the same error.
 */
export function guardChecks (): {
  onRoute: (this: FastifyInstance, route: RouteOptions) => void
  onReady: () => Promise<void>
} {
  let seen: GuardedRoute[] = []
  return {
    onRoute: function noteGuardedRoute (this: FastifyInstance, route: RouteOptions): void {
      const sessions = guardedSessions(route)
      if (sessions.length > 0) seen.push({ scope: this, route, sessions })
    },
    onReady: async function checkGuardedRoutes (): Promise<void> {
      const routes = seen
      seen = []
      for (const guarded of routes) checkGuarded(guarded)
    }
  }
}
