/**
 * The load generator: autocannon in a process of its own (compiled to plain JavaScript like the
 * server, and pinned to the other core than the server's by the orchestrator), driven over IPC one
 * window at a time, so its CPU never competes with the measured server's in one process.
 */
import autocannon from 'autocannon'

/** One window to fire, as the orchestrator sends it. */
export interface Fire {
  url: string
  /** The cookies to send: none, one on every request, or several, each connection cycling through them. */
  cookies: string[]
  duration: number
  connections: number
}

/** What one window measured. */
export interface Fired {
  requests: number
  seconds: number
  p99Ms: number
  errors: number
}

process.on('message', (m: Fire) => {
  const cookies = m.cookies
  autocannon({
    url: m.url,
    connections: m.connections,
    duration: m.duration,
    headers: cookies.length === 1 ? { cookie: cookies[0] as string } : {},
    // Several sessions: one request object per cookie, without a setupRequest function, so autocannon
    // builds each request's bytes once up front and each connection only steps through them (a
    // setupRequest builds the request again every time, which made the load generator's core the
    // limit of the run rather than the server's).
    ...(cookies.length > 1 ? { requests: cookies.map((cookie) => ({ headers: { cookie } })) } : {})
  }).then((r) => {
    const fired: Fired = { requests: r['2xx'], seconds: r.duration, p99Ms: r.latency.p99, errors: r.errors + r.non2xx + r.timeouts }
    process.send?.(fired)
  }, (err: unknown) => {
    console.error(err)
    process.exit(1)
  })
})
process.send?.({ ready: true })
