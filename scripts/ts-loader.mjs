// The TypeScript loader of the tap runs (package.json's "tap" block: `node-arg` imports it in every
// test process, and `test-env` sets TAP_TYPE_STRIP_ONLY=1, the switch of tap's TypeScript plugin for
// "TypeScript is handled elsewhere", so that the plugin does not load ts-node as well).
// tap's TypeScript plugin loads ts-node in every test process, and ts-node loads the TypeScript
// compiler twice (in the main thread and in the hooks thread) before the first line of a test runs:
// 1.1 of the 1.7 CPU-seconds a trivial test file cost, even with every file already transpiled.
// This loader serves the compiled files from .tap/ts-cache (scripts/ts-compiled-cache.cjs) and loads
// TypeScript only for a file not compiled yet.
import module from 'node:module'

// As @tapjs/core decides (use-sync-hooks.js): synchronous hooks where they are stable, else the hooks thread.
const [major = 0, minor = 0, patch = 0] = process.versions.node.split('.').map(Number)
const sync = typeof module.registerHooks === 'function' &&
  (major > 24 || (major === 24 && (minor > 13 || (minor === 13 && patch >= 1))))

if (sync) {
  module.registerHooks(await import('./ts-loader-hooks.mjs'))
} else {
  module.register('./ts-loader-hooks.mjs', import.meta.url)
}
