import type { FastifyRequest } from 'fastify'

/** The config of a route, as this plugin reads it. */
export interface RouteConfig {
  session?: unknown
}

type Contexts = Record<symbol, { config?: RouteConfig } | undefined>

/**
 * @internal Fastify's own key for a request's route context, whose `config` is the object that
 * `request.routeOptions.config` returns: that public getter builds a dozen-field object (and asks the
 * router about constraints) on every read, where this is one property read. Found by its description
 * and checked against the public getter; null if a Fastify version keeps it otherwise.
 */
export function findContextKey (request: FastifyRequest): symbol | null {
  const config = request.routeOptions.config
  for (const key of Object.getOwnPropertySymbols(request)) {
    if (key.description === 'fastify.context' && (request as unknown as Contexts)[key]?.config === config) return key
  }
  return null
}

/**
 * @internal A reader of the route config of each request, without allocating: the key is looked for
 * on the first request, once per plugin instance (so that two copies of Fastify in one process, each
 * with its own symbol, cannot mix), and the public getter stands in when there is none.
 */
export function routeConfigReader (): (request: FastifyRequest) => RouteConfig {
  let key: symbol | null | undefined
  return function routeConfig (request: FastifyRequest): RouteConfig {
    if (key === undefined) key = findContextKey(request)
    if (key === null) return request.routeOptions.config as RouteConfig
    return ((request as unknown as Contexts)[key] as { config: RouteConfig }).config
  }
}
