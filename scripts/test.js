// `npm test` (arguments after `--` go to tap): lint, typecheck, build, the whole tap suite with its
// coverage gate, and tsd; then the ten slowest test files and how long each step took. The steps
// overlap instead of running one after the other: tap needs only the build (and the transpile cache
// warmed beside it, scripts/warm-ts-cache.cjs), and lint, typecheck and tsd (a minute of CPU
// together) run at a lower priority (nice), so they fill the gaps while test files wait on timers,
// servers and the browser without slowing the tests themselves. tap's output streams as it comes;
// the other steps' output is printed after it, in full for a step that failed. Exits non-zero if any
// step failed.
import { spawn } from 'node:child_process'
import { delimiter, join } from 'node:path'

const root = join(import.meta.dirname, '..')
const env = { ...process.env, PATH: `${join(root, 'node_modules', '.bin')}${delimiter}${process.env.PATH}` }
const started = performance.now()

/** Runs one step; `stream` sends its output straight through, else it is kept for the end. */
function run (name, command, args, stream = false) {
  const t0 = performance.now()
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, env, stdio: stream ? 'inherit' : ['ignore', 'pipe', 'pipe'] })
    let output = ''
    if (!stream) {
      child.stdout.setEncoding('utf8').on('data', (s) => { output += s })
      child.stderr.setEncoding('utf8').on('data', (s) => { output += s })
    }
    child.on('error', (err) => { output += `${err.message}\n` })
    child.on('close', (code, signal) => {
      resolve({ name, ok: code === 0, code: code ?? signal, output, seconds: (performance.now() - t0) / 1000 })
    })
  })
}

// A background step: nice(1) where there is one, so the tests get the CPU first.
const nice = process.platform === 'win32' ? (command, args) => [command, args] : (command, args) => ['nice', ['-n', '10', command, ...args]]

const lint = run('lint (eslint .)', ...nice('eslint', ['.']))
const typecheck = run('typecheck (tsc --noEmit)', ...nice('tsc', ['-p', 'tsconfig.json', '--noEmit']))
const [build, warm] = await Promise.all([
  run('build (tsc -p tsconfig.build.json)', 'tsc', ['-p', 'tsconfig.build.json']),
  run('transpile cache', process.execPath, [join(root, 'scripts', 'warm-ts-cache.cjs')])
])
const after = build.ok
  ? [run('tap', 'tap', process.argv.slice(2), true), run('tsd', ...nice('tsd', []))]
  : []
const steps = [await lint, await typecheck, build, warm, ...await Promise.all(after)]

for (const step of steps.filter((s) => s.output.trim() !== '' && s !== warm)) {
  console.log(`\n=== ${step.name}${step.ok ? '' : `: FAILED (${step.code})`}\n${step.output.trimEnd()}`)
}
if (after.length > 0) {
  await run('slowest', process.execPath, [join(root, 'scripts', 'slowest-tests.js')], true)
}
console.log('\nstep                                 time  result')
for (const step of steps) {
  console.log(`${step.name.padEnd(34)} ${step.seconds.toFixed(0).padStart(5)} s  ${step.ok ? 'ok' : `FAILED (${step.code})`}`)
}
if (!build.ok) console.log('tap and tsd did not run: the build failed')
// A cold transpile cache only costs time: it does not fail the run.
const failed = steps.filter((s) => !s.ok && s !== warm)
console.log(`npm test: ${((performance.now() - started) / 1000).toFixed(0)} s wall, ${failed.length === 0 ? 'ok' : `${failed.map((s) => s.name).join(', ')} failed`}`)
process.exitCode = failed.length === 0 ? 0 : 1
