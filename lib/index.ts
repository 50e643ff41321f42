import fastifyCookie from '@fastify/cookie'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import './augment.js'
import type { Driver } from './driver.js'
import { onRequest, onSend } from './hooks.js'
import { buildConfig, type Config, type FastifySessionOptions } from './options.js'
import { guardChecks } from './routes.js'
import { sessionManager } from './session-manager.js'
import { CookieDriver } from './stores/cookie-driver.js'
import { CookieStore } from './stores/cookie-store.js'
import { ServerDriver } from './stores/server-driver.js'
import { claim } from './registry.js'
import { BoundServerDriver } from './dbsc/bound-driver.js'
import { setupDeviceBinding, withBindings } from './dbsc/setup.js'

function makeDriver (config: Config): Driver {
  if (config.store instanceof CookieStore) return new CookieDriver(config)
  return config.dbsc === undefined ? new ServerDriver(config, config.store) : new BoundServerDriver(config, config.store, config.dbsc)
}

async function fastifySessionKit (fastify: FastifyInstance, options: FastifySessionOptions): Promise<void> {
  const config = buildConfig(options)
  claim(fastify, config)
  const driver = makeDriver(config)
  // The cookie store without a validate hook is all synchronous work: callback hooks, no promises.
  const sync = driver instanceof CookieDriver && config.validate === undefined
  if (!fastify.hasPlugin('@fastify/cookie')) await fastify.register(fastifyCookie)
  fastify.decorateRequest(config.sessionName, null as never)
  fastify.decorate(config.sessionName, config.dbsc === undefined ? sessionManager(driver) : withBindings(sessionManager(driver)))
  const guards = guardChecks()
  fastify.addHook('onRoute', guards.onRoute)
  fastify.addHook('onReady', guards.onReady)
  fastify.addHook('onRequest', onRequest(config, driver, sync))
  fastify.addHook('onSend', onSend(driver, sync))
  if (driver instanceof BoundServerDriver) setupDeviceBinding(fastify, driver)
  fastify.addHook('onClose', async function wipeSessionKeys () {
    config.keyring.wipe()
  })
}

/**
 * The plugin: `request.session` on every request, loaded in onRequest, persisted in onSend.
 *
 * @example
 * ```ts
 * await app.register(fastifySession, { secret: process.env.SESSION_SECRET })
 * ```
 */
const plugin = fp(fastifySessionKit, { fastify: '5.x', name: 'fastify-session-kit' })
export default plugin
export { plugin as fastifySession }

export type { SessionManager } from './augment.js'
export type { AuthProof, CookieOverrides, MarkAuthenticatedOptions, SessionData, SessionKey } from './session.js'
export { Session } from './session.js'
export type { CookieOptions, FastifySessionOptions, Secret } from './options.js'
export type { DbscOptions } from './dbsc/options.js'
export { isDeviceBound } from './dbsc/is-device-bound.js'
export { CookieStore } from './stores/cookie-store.js'
export { MemoryStore, type MemoryStoreOptions } from './stores/memory-store.js'
export { RedisStore, type NodeRedisClientLike, type NodeRedisCommandsLike, type NodeRedisEvalOptions, type RedisClientLike, type RedisStoreOptions } from './stores/redis-store.js'
export { PostgresStore, type PgPoolClientLike, type PgPoolLike, type PgQuery, type PgResult, type PostgresStoreOptions } from './stores/postgres-store.js'
export { fromConnectStore, type ConnectCallback, type ConnectSession, type ConnectStoreLike } from './stores/connect-store.js'
export type { SessionPatch, SessionRecord, SessionStore, SessionSummary } from './stores/types.js'
export { requireAdmin, requireLogin, requireRecentAuth, requireRole, type ReauthReason, type RequireLoginOptions, type RequireRecentAuthOptions, type RequireRoleOptions } from './guards.js'
export { generateSecret } from './keygen.js'
export { withoutSessions } from './without-sessions.js'
export * as errors from './errors.js'
