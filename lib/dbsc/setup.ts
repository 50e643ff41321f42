import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { SessionManager } from '../augment.js'
import { prefersHtml } from '../guards.js'
import type { Session } from '../session.js'
import { SESSION_OFF } from '../session-off.js'
import type { SessionSummary } from '../stores/types.js'
import { BINDING_MARK } from './bindings.js'
import type { BoundServerDriver } from './bound-driver.js'
import type { DeviceBinding } from './device-binding.js'
import { addEndpoints } from './routes.js'

function sessionOf (request: FastifyRequest, name: string): Session<object> | undefined {
  const session = (request as unknown as Record<string, Session<object> | null>)[name]
  return session == null || session === SESSION_OFF ? undefined : session
}

/** The two DBSC endpoints, which the bound-cookie check lets through (a refresh comes without one). */
function isEndpoint (request: FastifyRequest, binding: DeviceBinding): boolean {
  const url = request.routeOptions.url
  return request.method === 'POST' && (url === binding.registrationUrl || url === binding.refreshUrl)
}

/**
 * Turns on device-bound sessions in the plugin's scope: the two endpoints, the bound-cookie check on
 * every request (`require: 'all'`; with `'guarded'` the guards with `{ bound: true }` check), and the
 * registration offer after the session is persisted. The hooks are added after the session's own,
 * so they run after it.
 */
export function setupDeviceBinding (fastify: FastifyInstance, driver: BoundServerDriver): void {
  const binding = driver.deviceBinding
  const name = binding.sessionName
  addEndpoints(fastify, binding)
  if (binding.config.require === 'all') {
    fastify.addHook('onRequest', async function requireDeviceBinding (request: FastifyRequest, reply: FastifyReply) {
      const session = sessionOf(request, name)
      if (session === undefined || isEndpoint(request, binding)) return
      if (await binding.require(request, reply, session, binding.config.redirectTo, prefersHtml(request.headers.accept))) return reply
    })
  }
  fastify.addHook('onSend', async function offerDeviceBinding (request: FastifyRequest, reply: FastifyReply, payload: unknown) {
    const session = sessionOf(request, name)
    if (session !== undefined && reply.statusCode < 400 && !isEndpoint(request, binding)) await binding.offer(request, reply, session)
    return payload
  })
}

/**
 * `app.session` with bindings: a binding record is filed under its session's user (so revokeUser ends
 * it), and is told apart in the per-user list by its mark; each session reports whether it is bound.
 */
export function withBindings (manager: SessionManager): SessionManager {
  const isBinding = (s: SessionSummary): boolean => s.lastSeenAt === BINDING_MARK
  return {
    async revokeUser (userId) {
      // The count is of sessions: the bindings listed just before are taken off (one registered in
      // between would count once too many, never too few).
      const bindings = (await manager.listUserSessions(userId)).filter(isBinding).length
      return Math.max(0, await manager.revokeUser(userId) - bindings)
    },
    async listUserSessions (userId) {
      const all = await manager.listUserSessions(userId)
      const bound = new Set(all.filter(isBinding).map((s) => s.createdAt))
      return all.filter((s) => !isBinding(s)).map((s) => ({ ...s, bound: bound.has(s.createdAt) }))
    }
  }
}
