import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { DbscChallengeError, DbscNoSessionError } from '../errors.js'
import { stateOf, type Session } from '../session.js'
import type { DeviceBinding } from './device-binding.js'
import { BARE_ID, BARE_JWS, readStringHeader, RESPONSE_HEADER, SESSION_ID_HEADER } from './headers.js'

function sessionOf (request: FastifyRequest, name: string): Session<object> {
  return (request as unknown as Record<string, Session<object>>)[name] as Session<object>
}

/**
 * The registration endpoint: verifies the proof signed by the device's new key against a
 * registration challenge of this session, stores the key, sets the first bound cookie and answers
 * the session instructions. A session that is already bound cannot be bound again (a thief holding
 * the cookies for a few minutes must not swap in a key of their own).
 */
function register (binding: DeviceBinding) {
  return async function registerDeviceBinding (request: FastifyRequest, reply: FastifyReply): Promise<unknown> {
    reply.header('cache-control', 'no-store')
    const state = stateOf(sessionOf(request, binding.sessionName))
    const user = binding.driver.userOf(state.data)
    if (state.unsaved || user === undefined) throw new DbscNoSessionError('registered', 'no-session')
    const now = Date.now()
    const proof = binding.verify(readStringHeader(request.headers[RESPONSE_HEADER], BARE_JWS), { now })
    const sid = state.id
    const bindings = binding.bindings
    if (await binding.storeCall(request, async () => await bindings.find(sid)) !== undefined) {
      throw new DbscNoSessionError('registered', 'already-bound')
    }
    if (!await binding.storeCall(request, async () => await bindings.consume(sid, 'registration', proof.jti, now))) {
      throw new DbscChallengeError()
    }
    const config = binding.driver.config
    // As long as the session can live at most: its absolute lifetime.
    const ttlMs = config.absoluteTtlMs - (now - state.createdAt)
    await binding.storeCall(request, async () => { await bindings.bind(sid, { alg: proof.alg, jwk: proof.jwk, boundAt: now }, user, state.createdAt, ttlMs) })
    const identifier = bindings.identifier(sid)
    await binding.sendChallenge(request, reply, sid, identifier, now)
    binding.sendCookie(request, reply, sid, now)
    binding.markBound(state)
    return binding.instructions(request, identifier)
  }
}

/**
 * The refresh endpoint. Without a proof, or with one answering no live challenge (used by another
 * tab, or stale), it answers 403 with a new challenge, which the browser signs and sends again. With
 * a valid proof by the stored key it sets a new bound cookie and sends the next challenge. Any other
 * 4xx ends the browser's DBSC session; a store failure is a 503, after which the browser backs off
 * and the session stays as it was.
 */
function refresh (binding: DeviceBinding) {
  return async function refreshDeviceBinding (request: FastifyRequest, reply: FastifyReply): Promise<unknown> {
    reply.header('cache-control', 'no-store')
    const state = stateOf(sessionOf(request, binding.sessionName))
    if (state.unsaved) throw new DbscNoSessionError('refreshed', 'no-session')
    const sid = state.id
    const bindings = binding.bindings
    const identifier = readStringHeader(request.headers[SESSION_ID_HEADER], BARE_ID)
    if (identifier === undefined || !bindings.isIdentifier(sid, identifier)) throw new DbscNoSessionError('refreshed', 'wrong-id')
    const bound = await binding.storeCall(request, async () => await bindings.find(sid))
    if (bound === undefined) throw new DbscNoSessionError('refreshed', 'not-bound')
    const now = Date.now()
    const token = readStringHeader(request.headers[RESPONSE_HEADER], BARE_JWS)
    if (token !== undefined) {
      const proof = binding.verify(token, { now, bound })
      if (await binding.storeCall(request, async () => await bindings.consume(sid, 'refresh', proof.jti, now))) {
        await binding.sendChallenge(request, reply, sid, identifier, now)
        binding.sendCookie(request, reply, sid, now)
        binding.markBound(state)
        return binding.instructions(request, identifier)
      }
    }
    await binding.sendChallenge(request, reply, sid, identifier, now)
    throw new DbscChallengeError()
  }
}

/** Adds the registration and refresh endpoints, and records their full paths (with the scope's prefix). */
export function addEndpoints (fastify: FastifyInstance, binding: DeviceBinding): void {
  binding.registrationUrl = `${fastify.prefix}${binding.config.registrationPath}`
  binding.refreshUrl = `${fastify.prefix}${binding.config.refreshPath}`
  fastify.post(binding.config.registrationPath, register(binding))
  fastify.post(binding.config.refreshPath, refresh(binding))
}
