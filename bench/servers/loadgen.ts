/**
 * The load generator: autocannon in a process of its own (compiled to plain JavaScript like the
 * server, and pinned to the other core than the server's by the orchestrator), driven over IPC one
 * window at a time, so its CPU never competes with the measured server's in one process.
 */
import autocannon from 'autocannon'

/** One window to fire, as the orchestrator sends it. */
export interface Fire {
  url: string
  cookie: string
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
  autocannon({
    url: m.url,
    connections: m.connections,
    duration: m.duration,
    headers: m.cookie === '' ? {} : { cookie: m.cookie }
  }).then((r) => {
    const fired: Fired = { requests: r['2xx'], seconds: r.duration, p99Ms: r.latency.p99, errors: r.errors + r.non2xx + r.timeouts }
    process.send?.(fired)
  }, (err: unknown) => {
    console.error(err)
    process.exit(1)
  })
})
process.send?.({ ready: true })
