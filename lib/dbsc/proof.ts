import { createPublicKey, verify, type JsonWebKey, type KeyObject } from 'node:crypto'

// A DBSC proof (the JWT in Secure-Session-Response), verified with node:crypto and exactly the two
// algorithms the spec lets a key sign with. `alg: none` (the spec's federated "none" keys) is never
// accepted: a session bound to no key would prove nothing.

/** The algorithms a device key may sign with. */
export type Algorithm = 'ES256' | 'RS256'

/** Every algorithm this module verifies, in the order the registration header offers them. */
export const ALGORITHMS: readonly Algorithm[] = ['ES256', 'RS256']

/**
 * 8 KiB: a registration proof with a 4096-bit RSA key is under 1.5 KiB; anything far larger is not
 * a browser's proof, and is refused before it is decoded.
 */
export const MAX_PROOF_BYTES = 8192
/** Seconds an `iat`, `nbf` or `exp` claim may be off the server's clock. */
export const MAX_SKEW_SECONDS = 300
const MIN_RSA_BITS = 2048
// Verifying with a huge modulus costs time; real device keys are 2048 (TPMs) or 3072/4096 bits.
const MAX_RSA_BITS = 8192

/** Why a proof was refused: fixed words, the only detail an error or a log line carries. */
export type ProofFailure =
  | 'too-large' | 'malformed' | 'typ' | 'alg' | 'key' | 'jwk-on-refresh' | 'missing-jwk' | 'jti'
  | 'time' | 'signature'

/** A verified proof. */
export interface Proof {
  alg: Algorithm
  /** The public key that signed it: the one in its header (registration) or the stored one. */
  jwk: JsonWebKey
  /** The challenge it answers. */
  jti: string
  /** The `authorization` claim, when there is one. */
  authorization: string | undefined
}

/** A refused proof, with its reason. */
export class ProofError extends Error {
  readonly reason: ProofFailure
  constructor (reason: ProofFailure) {
    super(`proof refused: ${reason}`)
    this.reason = reason
  }
}

const SEGMENT = /^[A-Za-z0-9_-]+$/

function decodeJson (segment: string): Record<string, unknown> {
  if (!SEGMENT.test(segment)) throw new ProofError('malformed')
  let value: unknown
  try {
    value = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'))
  } catch {
    throw new ProofError('malformed')
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ProofError('malformed')
  return value as Record<string, unknown>
}

/**
 * The public key of a JWK, checked for the algorithm: P-256 only for ES256, RSA of 2048 to 8192 bits
 * for RS256. A JWK with private parts is refused (a browser never sends one).
 *
 * @throws ProofError('key')
 */
export function publicKeyOf (jwk: unknown, alg: Algorithm): { key: KeyObject, jwk: JsonWebKey } {
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) throw new ProofError('key')
  const j = jwk as Record<string, unknown>
  if ('d' in j || 'p' in j || 'k' in j) throw new ProofError('key')
  let clean: JsonWebKey
  if (alg === 'ES256') {
    if (j.kty !== 'EC' || j.crv !== 'P-256' || typeof j.x !== 'string' || typeof j.y !== 'string') throw new ProofError('key')
    clean = { kty: 'EC', crv: 'P-256', x: j.x, y: j.y }
  } else {
    if (j.kty !== 'RSA' || typeof j.n !== 'string' || typeof j.e !== 'string') throw new ProofError('key')
    clean = { kty: 'RSA', n: j.n, e: j.e }
  }
  let key: KeyObject
  try {
    // Node checks that an EC point lies on the curve.
    key = createPublicKey({ key: clean, format: 'jwk' })
  } catch {
    throw new ProofError('key')
  }
  if (alg === 'RS256') {
    // Node reports the modulus of every RSA key it parsed.
    const bits = (key.asymmetricKeyDetails as { modulusLength: number }).modulusLength
    if (bits < MIN_RSA_BITS || bits > MAX_RSA_BITS) throw new ProofError('key')
  }
  return { key, jwk: clean }
}

function checkTimes (payload: Record<string, unknown>, now: number): void {
  for (const claim of ['iat', 'nbf', 'exp'] as const) {
    const t = payload[claim]
    if (t === undefined) continue
    if (typeof t !== 'number' || !Number.isFinite(t)) throw new ProofError('time')
    const off = claim === 'iat' ? Math.abs(t - now) : claim === 'nbf' ? t - now : now - t
    if (off > MAX_SKEW_SECONDS) throw new ProofError('time')
  }
}

/** What the caller knows before verifying: the algorithms allowed, and the stored key on a refresh. */
export interface VerifyOptions {
  algorithms: readonly Algorithm[]
  /** The session's stored key and algorithm (refresh); absent at registration, where the proof carries its key. */
  bound?: { alg: Algorithm, jwk: JsonWebKey }
  now: number
}

/**
 * Verifies a compact JWS DBSC proof: size, shape, `typ: dbsc+jwt`, `alg` from the allowed list (and
 * the stored one on a refresh), the key, a `jti`, the time claims when present, and the signature.
 * It does not look at the challenge's validity: the caller consumes `jti` in its store.
 *
 * @throws ProofError with a fixed reason.
 */
export function verifyProof (token: string, options: VerifyOptions): Proof {
  if (token.length > MAX_PROOF_BYTES) throw new ProofError('too-large')
  const parts = token.split('.')
  if (parts.length !== 3) throw new ProofError('malformed')
  const [h, p, s] = parts as [string, string, string]
  const header = decodeJson(h)
  const payload = decodeJson(p)
  if (header.typ !== 'dbsc+jwt') throw new ProofError('typ')
  const alg = header.alg
  if (!options.algorithms.includes(alg as Algorithm)) throw new ProofError('alg')
  // A header asking for extensions we do not implement must not be verified as if it did not.
  if ('crit' in header) throw new ProofError('malformed')
  let key: KeyObject
  let jwk: JsonWebKey
  if (options.bound === undefined) {
    if (header.jwk === undefined) throw new ProofError('missing-jwk')
    ;({ key, jwk } = publicKeyOf(header.jwk, alg as Algorithm))
  } else {
    if (header.jwk !== undefined) throw new ProofError('jwk-on-refresh')
    if (alg !== options.bound.alg) throw new ProofError('alg')
    ;({ key, jwk } = publicKeyOf(options.bound.jwk, options.bound.alg))
  }
  const jti = payload.jti
  if (typeof jti !== 'string' || jti === '') throw new ProofError('jti')
  const authorization = payload.authorization
  if (authorization !== undefined && typeof authorization !== 'string') throw new ProofError('malformed')
  checkTimes(payload, Math.floor(options.now / 1000))
  if (!SEGMENT.test(s)) throw new ProofError('signature')
  const signature = Buffer.from(s, 'base64url')
  const signed = Buffer.from(`${h}.${p}`)
  // RS256 is RSASSA-PKCS1-v1_5, node's default padding for an RSA key; ES256 is raw r||s.
  const ok = alg === 'ES256'
    ? signature.length === 64 && verify('sha256', signed, { key, dsaEncoding: 'ieee-p1363' }, signature)
    : signature.length === Math.ceil((key.asymmetricKeyDetails?.modulusLength as number) / 8) && verify('sha256', signed, key, signature)
  if (!ok) throw new ProofError('signature')
  return { alg: alg as Algorithm, jwk, jti, authorization }
}
