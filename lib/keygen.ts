import { randomBytes } from 'node:crypto'

/** 64 bytes: twice the minimum, so a generated secret leaves headroom in every derived key. */
export const GENERATED_SECRET_BYTES = 64

/**
 * A new random secret for the `secret` option: 64 bytes from the OS CSPRNG, base64url.
 *
 * @example
 * ```ts
 * const secret = generateSecret() // put it in SESSION_SECRET, never in the code
 * ```
 */
export function generateSecret (): string {
  return randomBytes(GENERATED_SECRET_BYTES).toString('base64url')
}

const USAGE = `Usage: fastify-session-kit keygen

  keygen   print a new random secret (64 bytes, base64url) for SESSION_SECRET
`

/**
 * The command line: `keygen` prints a secret; anything else prints usage. Returns the exit code.
 */
export function cli (args: readonly string[], out: (text: string) => void, err: (text: string) => void): number {
  const [command] = args
  if (command === 'keygen') {
    out(`${generateSecret()}\n`)
    return 0
  }
  if (command === 'help' || command === '--help' || command === '-h') {
    out(USAGE)
    return 0
  }
  err(USAGE)
  return 1
}
