import { randomPool } from './seal.js'

/** 32 random bytes: 256 bits, so ids cannot be guessed or enumerated. */
export const ID_BYTES = 32
/** Length of an id in base64url (no padding). */
export const ID_LENGTH = 43
const ID_SHAPE = /^[A-Za-z0-9_-]{43}$/

const scratch = Buffer.allocUnsafe(ID_BYTES)

/** A new session id: 32 random bytes, base64url. */
export function generateId (): string {
  randomPool.fill(scratch, 0, ID_BYTES)
  return scratch.toString('base64url')
}

/** Whether `value` has the shape of an id this library made (it says nothing about whether it exists). */
export function isIdShape (value: string): boolean {
  return value.length === ID_LENGTH && ID_SHAPE.test(value)
}
