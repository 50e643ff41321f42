/**
 * @internal What a log line may carry of a store's error: its name, code and the first line of its
 * message, with quoted parts cut out. Store clients attach what they sent to their errors (ioredis puts
 * a command's arguments, every session field and the user id of a write, on `err.command`; pg puts row
 * values in `detail` and `where`), and a message may quote a value: none of that may reach a log.
 */
export interface SafeError {
  type: string
  message: string
  code?: string
}

// Longer messages are cut: the useful part of a store's message ("OOM command not allowed", "READONLY
// You can't write against a read only replica", "connect ECONNREFUSED") comes first.
const MAX_MESSAGE = 200
// A quoted value: "..." or '...' (pg quotes values it refuses, Redis quotes some of its arguments).
const QUOTED = /"[^"]*"|'[^']*'/g

/** The loggable part of `err`, under pino's `err` field name. */
export function safeError (err: unknown): SafeError {
  if (typeof err !== 'object' || err === null) return { type: typeof err, message: '' }
  const e = err as { name?: unknown, message?: unknown, code?: unknown }
  const text = typeof e.message === 'string' ? e.message : ''
  const line = text.split('\n', 1)[0] as string
  const out: SafeError = {
    type: typeof e.name === 'string' ? e.name : 'Error',
    message: line.replace(QUOTED, '"…"').slice(0, MAX_MESSAGE)
  }
  if (typeof e.code === 'string' || typeof e.code === 'number') out.code = String(e.code)
  return out
}
