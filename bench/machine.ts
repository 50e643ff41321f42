import { cpus } from 'node:os'

/** The machine a result was measured on, as the README shows it. */
export function machine (): { node: string, cpu: string, cores: number } {
  return { node: process.version, cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length }
}
