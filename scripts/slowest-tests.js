// Prints the slowest test files of the last tap run. The whole-suite run starts one process per group
// file in test/groups (test/helpers/groups.ts), and each group writes how long each of its test files
// took, and the CPU time it cost with the servers and programs it started, to
// .tap/test-times/<group>.json; tap records each process in .tap/processinfo (emptied at the
// start of every run), which tells which groups ran this time. A test file run by itself
// (`npx tap test/x/y.test.ts`) is its own process, and its process's wall time is its time. `npm
// test` runs this after tap, so a file that got slow is seen at the end of every run. Informational
// only: whatever it finds, it exits 0.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { basename, join } from 'node:path'

const ROOT = join(import.meta.dirname, '..')
const PROCESSES = join(ROOT, '.tap', 'processinfo')
const TIMES = join(ROOT, '.tap', 'test-times')
const COUNT = Number(process.env.SLOWEST ?? 10)

/** The test processes of the last run (tap names them; the children they spawn have no name). */
function testProcesses () {
  const found = []
  for (const name of readdirSync(PROCESSES).filter((n) => n.endsWith('.json'))) {
    const info = JSON.parse(readFileSync(join(PROCESSES, name), 'utf8'))
    if (typeof info.externalID !== 'string' || typeof info.runtime !== 'number') continue
    found.push({ file: info.externalID, start: Date.parse(info.date), ms: info.runtime })
  }
  return found
}

/** The test files of those processes: a group's files from its record written during this run, else the process itself. */
function testFiles (processes) {
  return processes.flatMap((p) => {
    const record = join(TIMES, `${basename(p.file, '.test.ts')}.json`)
    if (!p.file.startsWith('test/groups/')) return [p]
    if (!existsSync(record) || statSync(record).mtimeMs < p.start) return []
    return JSON.parse(readFileSync(record, 'utf8'))
  }).sort((a, b) => b.ms - a.ms)
}

const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`

try {
  const processes = testProcesses()
  const files = testFiles(processes)
  if (processes.length === 0) {
    console.log('\nslowest test files: tap recorded no test process in .tap/processinfo')
  } else {
    const sum = processes.reduce((s, p) => s + p.ms, 0)
    const span = Math.max(...processes.map((p) => p.start + p.ms)) - Math.min(...processes.map((p) => p.start))
    const cpu = files.reduce((s, f) => s + (f.cpuMs ?? 0), 0)
    console.log(`\nslowest test files (of ${files.length}, in ${processes.length} test processes: ${seconds(sum)} summed, ${seconds(span)} from the first start to the last end; ${seconds(cpu)} of CPU in the groups):`)
    console.log('     wall        CPU  file')
    for (const { file, ms, cpuMs } of files.slice(0, COUNT)) {
      console.log(`${seconds(ms).padStart(9)}  ${cpuMs === undefined ? '        -' : seconds(cpuMs).padStart(9)}  ${file}`)
    }
  }
} catch (err) {
  console.log(`\nslowest test files: could not read tap's records (${err.message})`)
}
