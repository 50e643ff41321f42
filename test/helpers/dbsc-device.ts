// A software DBSC browser for the protocol tests: a device key (P-256 or RSA) and a cookie jar, doing
// what the spec asks of a user agent (register on Secure-Session-Registration, cache challenges,
// refresh with Sec-Secure-Session-Id, retry once on 403), over real HTTP.
import { generateKeyPairSync, sign, type JsonWebKey, type KeyObject } from 'node:crypto'
import { BrowserJar } from './http.js'

/** A compact JWS of `header` and `payload`, signed by `key` with ES256 or RS256 (or unsigned). */
export function signJws (header: Record<string, unknown>, payload: Record<string, unknown>, key: KeyObject | undefined): string {
  const h = Buffer.from(JSON.stringify(header)).toString('base64url')
  const p = Buffer.from(JSON.stringify(payload)).toString('base64url')
  if (key === undefined) return `${h}.${p}.`
  const signature = key.asymmetricKeyType === 'ec'
    ? sign('sha256', Buffer.from(`${h}.${p}`), { key, dsaEncoding: 'ieee-p1363' })
    : sign('sha256', Buffer.from(`${h}.${p}`), key)
  return `${h}.${p}.${signature.toString('base64url')}`
}

/** A device's key pair, as a browser keeps it. */
export class SoftwareKey {
  readonly alg: 'ES256' | 'RS256'
  readonly privateKey: KeyObject
  readonly jwk: JsonWebKey

  constructor (alg: 'ES256' | 'RS256' = 'ES256', rsaBits = 2048) {
    this.alg = alg
    const pair = alg === 'ES256'
      ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
      : generateKeyPairSync('rsa', { modulusLength: rsaBits })
    this.privateKey = pair.privateKey
    this.jwk = pair.publicKey.export({ format: 'jwk' })
  }

  /** A DBSC proof for `challenge`: with the public key in its header at registration. */
  proof (challenge: string, registration: boolean, extra: { header?: Record<string, unknown>, payload?: Record<string, unknown> } = {}): string {
    const header: Record<string, unknown> = { alg: this.alg, typ: 'dbsc+jwt', ...(registration ? { jwk: this.jwk } : {}), ...extra.header }
    return signJws(header, { jti: challenge, ...extra.payload }, this.privateKey)
  }
}

/** The quoted string and the parameters of a structured header like `"c";id="x"` or `(ES256);path="/r";challenge="c"`. */
export function parseParams (header: string): { value: string, params: Record<string, string> } {
  const [first = '', ...rest] = header.split(';')
  const params: Record<string, string> = {}
  for (const p of rest) {
    const eq = p.indexOf('=')
    params[p.slice(0, eq).trim()] = p.slice(eq + 1).trim().replace(/^"|"$/g, '')
  }
  return { value: first.trim().replace(/^"|"$/g, ''), params }
}

/** What registration answered: the session instructions. */
export interface Instructions {
  session_identifier: string
  refresh_url: string
  scope: { origin: string, include_site: boolean, scope_specification: unknown[] }
  credentials: Array<{ type: string, name: string, attributes: string }>
}

/** A browser with DBSC: a jar, a device key, and the DBSC session it registered. */
export class DbscBrowser {
  readonly jar = new BrowserJar()
  readonly key: SoftwareKey
  readonly base: string
  instructions: Instructions | undefined
  /** The challenge cached from the last Secure-Session-Challenge. */
  challenge: string | undefined
  /** The last registration offer seen, not acted on yet. */
  offer: { path: string, challenge: string, algorithms: string } | undefined

  constructor (base: string, key = new SoftwareKey()) {
    this.base = base
    this.key = key
  }

  /** A request with the jar's cookies; remembers any registration offer and challenge it carries. */
  async fetch (path: string, init: RequestInit = {}): Promise<Response> {
    const res = await this.jar.fetch(this.base + path, { redirect: 'manual', ...init })
    const reg = res.headers.get('secure-session-registration')
    if (reg !== null) {
      const { params } = parseParams(reg)
      this.offer = { path: params.path as string, challenge: params.challenge as string, algorithms: reg.slice(1, reg.indexOf(')')) }
    }
    const challenge = res.headers.get('secure-session-challenge')
    if (challenge !== null) this.challenge = parseParams(challenge).value
    return res
  }

  /** Registers with the last offer, signing its challenge with the device key (or `proof` when given). */
  async register (proof?: string): Promise<Response> {
    const offer = this.offer as NonNullable<DbscBrowser['offer']>
    this.offer = undefined
    const res = await this.fetch(offer.path, { method: 'POST', headers: { 'secure-session-response': `"${proof ?? this.key.proof(offer.challenge, true)}"` } })
    if (res.status === 200) this.instructions = await res.clone().json() as Instructions
    return res
  }

  /** One refresh request, with a proof for the cached challenge when there is one (or `proof`). */
  async refreshOnce (proof?: string): Promise<Response> {
    const headers: Record<string, string> = { 'sec-secure-session-id': `"${(this.instructions as Instructions).session_identifier}"` }
    const signed = proof ?? (this.challenge === undefined ? undefined : this.key.proof(this.challenge, false))
    if (signed !== undefined) headers['secure-session-response'] = `"${signed}"`
    this.challenge = undefined
    return await this.fetch((this.instructions as Instructions).refresh_url, { method: 'POST', headers })
  }

  /** A refresh as the spec runs it: on 403, once more with the challenge the 403 carried. */
  async refresh (): Promise<Response> {
    const res = await this.refreshOnce()
    return res.status === 403 ? await this.refreshOnce() : res
  }
}
