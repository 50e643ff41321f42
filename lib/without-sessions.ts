import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { SessionScope } from './routes.js'
import { kSessionOff } from './symbols.js'

async function withoutSessionsPlugin (scope: FastifyInstance): Promise<void> {
  (scope as SessionScope)[kSessionOff] = true
  // So that `request.routeOptions.config.session` tells the truth inside the scope too.
  scope.addHook('onRoute', function markSessionless (route) {
    route.config = { ...route.config, session: false }
  })
}

/**
 * Registered inside a scope, gives every route of that scope (and of the plugins registered in it,
 * such as `@fastify/static`) `config: { session: false }`: no cookie read, no decryption, no store
 * read and no `Set-Cookie`. Routes elsewhere are untouched (Fastify's encapsulation).
 *
 * @example
 * ```ts
 * await app.register(async (assets) => {
 *   await assets.register(withoutSessions)
 *   await assets.register(fastifyStatic, { root, prefix: '/assets/' })
 * })
 * ```
 */
export const withoutSessions = fp(withoutSessionsPlugin, { fastify: '5.x', name: 'fastify-session-kit-without-sessions' })
