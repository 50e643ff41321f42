import { randomBytes, scrypt, timingSafeEqual, type BinaryLike } from 'node:crypto'
import type { Role } from './session-data.js'

const KEY_BYTES = 64

function derive (password: BinaryLike, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, KEY_BYTES, (err, key) => err === null ? resolve(key) : reject(err))
  })
}

interface Account {
  name: string
  role: Role
  salt: Buffer
  hash: Buffer
}

/** A demo user as the pages see it (no password material). */
export interface User {
  name: string
  role: Role
}

/** The demo's accounts: passwords hashed with scrypt under a random salt, checked in constant time. */
export interface UserDirectory {
  /** The user when the password matches, otherwise undefined; as slow for unknown names as for known ones. */
  verify (name: string, password: string): Promise<User | undefined>
  list (): User[]
}

async function account (name: string, role: Role, password: string): Promise<Account> {
  const salt = randomBytes(16)
  return { name, role, salt, hash: await derive(password, salt) }
}

/** Hashes the two demo users' passwords (`admin`/`password`, `alice`/`password`) at startup. */
export async function createUserDirectory (): Promise<UserDirectory> {
  const accounts = new Map<string, Account>()
  for (const a of await Promise.all([account('admin', 'admin', 'password'), account('alice', 'user', 'password')])) {
    accounts.set(a.name, a)
  }
  // Unknown usernames are checked against this, so the response time does not tell which names exist.
  const dummy = await account('', 'user', randomBytes(16).toString('hex'))
  return {
    async verify (name, password) {
      const found = accounts.get(name)
      const target = found ?? dummy
      const hash = await derive(password, target.salt)
      const match = timingSafeEqual(hash, target.hash)
      return match && found !== undefined ? { name: found.name, role: found.role } : undefined
    },
    list () {
      return [...accounts.values()].map((a) => ({ name: a.name, role: a.role }))
    }
  }
}
