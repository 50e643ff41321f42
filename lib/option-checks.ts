import { InvalidOptionError } from './errors.js'

/**
 * @internal An optional positive integer option (a count, a size, milliseconds): `fallback` when
 * absent. One check for the plugin's and the stores' options, so they refuse the same values.
 *
 * @throws `FST_SESSION_INVALID_OPTION` for anything but a positive safe integer.
 */
export function positiveInteger (name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw new InvalidOptionError(name, 'must be a positive integer')
  }
  return value
}
