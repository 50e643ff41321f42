// The module hooks of scripts/ts-loader.mjs: a path `./x.js` written in a TypeScript file (relative,
// absolute or a file: URL) finds `./x.ts` when there is one (TypeScript's own rule, as ts-node
// applies it), and a TypeScript file of an ES-module package loads as the JavaScript ts-node makes of
// it, from scripts/ts-compiled-cache.cjs. Anything else goes on to the next hook. The functions
// return what `next` returns, so they serve both module.registerHooks (synchronous, in the thread)
// and module.register (asynchronous, in Node's hooks thread).
import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const { compiled } = createRequire(import.meta.url)('./ts-compiled-cache.cjs')

const TS_FILE = /\.m?ts$/
const types = new Map()

/** The "type" of the package.json nearest to `dir` ('commonjs' without one), as Node decides a file's format. */
function packageType (dir) {
  let type = types.get(dir)
  if (type === undefined) {
    try {
      type = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).type ?? 'commonjs'
    } catch {
      type = dirname(dir) === dir ? 'commonjs' : packageType(dirname(dir))
    }
    types.set(dir, type)
  }
  return type
}

/** A TypeScript file this loader compiles: an ES module (`.mts`, or `.ts` in a "type": "module" package) outside node_modules. */
function ours (url) {
  if (!url.startsWith('file:')) return undefined
  const path = fileURLToPath(url)
  if (!TS_FILE.test(path) || path.includes('/node_modules/')) return undefined
  return path.endsWith('.mts') || packageType(dirname(path)) === 'module' ? path : undefined
}

export function resolve (specifier, context, next) {
  const { parentURL } = context
  if (parentURL !== undefined && /^(\.\.?\/|\/|file:)/.test(specifier) && /\.m?js$/.test(specifier) && ours(parentURL) !== undefined) {
    const ts = new URL(specifier.replace(/js$/, 'ts'), parentURL)
    if (existsSync(fileURLToPath(ts))) return next(ts.href, context)
  }
  return next(specifier, context)
}

export function load (url, context, next) {
  const path = ours(url)
  if (path === undefined) return next(url, context)
  return { format: 'module', source: compiled(path, readFileSync(path, 'utf8')), shortCircuit: true }
}
