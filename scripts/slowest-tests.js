// Prints the slowest test files of the last tap run, from what tap records of each test process in
// .tap/processinfo (emptied at the start of every run): `npm test` runs it after tap, so a file that
// got slow is seen at the end of every run. A file's time is its process's wall time, start-up
// included: what the file costs the run. Informational only: whatever it finds, it exits 0.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

const PROCESSES = join(import.meta.dirname, '..', '.tap', 'processinfo')
const COUNT = Number(process.env.SLOWEST ?? 10)

/** The test files of the last run (tap names them; the children they spawn have no name), with their times. */
function testProcesses () {
  const found = []
  for (const name of readdirSync(PROCESSES).filter((n) => n.endsWith('.json'))) {
    const info = JSON.parse(readFileSync(join(PROCESSES, name), 'utf8'))
    if (typeof info.externalID !== 'string' || typeof info.runtime !== 'number') continue
    found.push({ file: info.externalID, start: Date.parse(info.date), ms: info.runtime })
  }
  return found.sort((a, b) => b.ms - a.ms)
}

const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`

try {
  const files = testProcesses()
  if (files.length === 0) {
    console.log('\nslowest test files: tap recorded no test process in .tap/processinfo')
  } else {
    const sum = files.reduce((s, f) => s + f.ms, 0)
    const span = Math.max(...files.map((f) => f.start + f.ms)) - Math.min(...files.map((f) => f.start))
    console.log(`\nslowest test files (of ${files.length}: ${seconds(sum)} summed, ${seconds(span)} from the first start to the last end):`)
    for (const { file, ms } of files.slice(0, COUNT)) console.log(`${seconds(ms).padStart(9)}  ${file}`)
  }
} catch (err) {
  console.log(`\nslowest test files: could not read tap's records in .tap/processinfo (${err.message})`)
}
