import type { AddressInfo } from 'node:net'
import type { FastifyInstance } from 'fastify'

/**
 * Real HTTP for the tests whose subject is the network: the app listens on 127.0.0.1, port 0 (the OS
 * picks a free one), and is closed at teardown by whoever built it.
 */
export async function listen (app: FastifyInstance): Promise<string> {
  await app.listen({ port: 0, host: '127.0.0.1' })
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
}

interface Stored {
  value: string
  /** Date.now() at which the browser drops the cookie (Infinity for a session cookie). */
  expires: number
}

/**
 * A browser's cookie jar, as far as the session cookie needs one: it keeps the last value of each
 * cookie, drops one whose Max-Age ran out (measured with Date.now(), so fake clocks move it), and sends
 * the live ones back. Path and Domain are ignored: the tests use one origin and Path=/.
 */
export class BrowserJar {
  readonly #cookies = new Map<string, Stored>()

  /** Takes the Set-Cookie headers of a response; returns the response. */
  take (res: Response): Response {
    for (const line of res.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';')
      const eq = pair.indexOf('=')
      const name = pair.slice(0, eq).trim()
      let expires = Infinity
      for (const a of attributes) {
        const [k = '', v = ''] = a.split('=')
        if (k.trim().toLowerCase() === 'max-age') expires = Date.now() + Number(v) * 1000
      }
      if (expires <= Date.now()) this.#cookies.delete(name)
      else this.#cookies.set(name, { value: pair.slice(eq + 1), expires })
    }
    return res
  }

  /** The value of a live cookie, or undefined. */
  get (name: string): string | undefined {
    const c = this.#cookies.get(name)
    if (c === undefined) return undefined
    if (c.expires <= Date.now()) {
      this.#cookies.delete(name)
      return undefined
    }
    return c.value
  }

  /** The Cookie header a browser would send now, or undefined when it has none. */
  header (): string | undefined {
    const pairs: string[] = []
    for (const name of [...this.#cookies.keys()]) {
      const value = this.get(name)
      if (value !== undefined) pairs.push(`${name}=${value}`)
    }
    return pairs.length === 0 ? undefined : pairs.join('; ')
  }

  /** fetch() with this jar's cookies, taking the response's cookies back into the jar. */
  async fetch (url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers)
    const cookie = this.header()
    if (cookie !== undefined) headers.set('cookie', cookie)
    return this.take(await fetch(url, { ...init, headers }))
  }
}
