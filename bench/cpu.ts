/**
 * Cores and CPU time of the benchmark's processes: pinning with `taskset` (util-linux) so the load
 * generator does not compete with the measured server for one core, and per-process CPU time from
 * /proc.
 */
import { spawnSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'

const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout?.trim()) || 100

/** utime + stime of a process, in microseconds (fields 14 and 15 of /proc/<pid>/stat). */
export function cpuMicros (pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  // The command name (field 2) may hold spaces; count fields from after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) * 1e6 / CLOCK_TICKS
}

/**
 * CPU time of a process and every process under it, in microseconds: PostgreSQL serves each
 * connection from a backend process forked by the postmaster, so its own time is only a sliver.
 * A child that exits between two readings drops out of the sum; the pools keep theirs open.
 */
export function treeCpuMicros (root: number): number {
  const parents = new Map<number, number>()
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]))
    } catch {
      // The process ended while we listed them.
    }
  }
  const inTree = (pid: number): boolean => {
    for (let p: number | undefined = pid; p !== undefined && p > 1; p = parents.get(p)) if (p === root) return true
    return false
  }
  let sum = 0
  for (const pid of parents.keys()) {
    if (!inTree(pid)) continue
    try {
      sum += cpuMicros(pid)
    } catch {
      // Ended between the listing and the reading.
    }
  }
  return sum
}

/** The cores a process may run on, as the kernel reports them (`0`, `1`, `0-1`). */
export function affinity (pid: number): string {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  return /^Cpus_allowed_list:\s*(\S+)/m.exec(status)?.[1] ?? 'unknown'
}

/** Where each process runs: the server (and the services it talks to) on one core, the load generator on another. */
export interface Pinning {
  /** `taskset -c <server>` for servers and services; undefined when not pinning. */
  readonly server: string | undefined
  readonly loadgen: string | undefined
  readonly note: string
}

/**
 * The pinning to use: SERVER_CPUS (default 0) and LOADGEN_CPUS (default 1) when `taskset` exists and
 * the machine has more than one core; none, with a printed warning, otherwise. PIN=0 turns it off.
 */
export function pinning (cores: number): Pinning {
  if (process.env.PIN === '0') return { server: undefined, loadgen: undefined, note: 'not pinned (PIN=0)' }
  const probe = spawnSync('taskset', ['-c', '0', 'true'])
  if (probe.error !== undefined || probe.status !== 0) {
    console.warn('warning: taskset (util-linux) is missing or does not work here: the load generator and the servers share every core, so expect more noise')
    return { server: undefined, loadgen: undefined, note: 'not pinned (no taskset)' }
  }
  if (cores < 2) {
    console.warn('warning: one core only: the load generator and the server share it')
    return { server: undefined, loadgen: undefined, note: 'not pinned (one core)' }
  }
  const server = process.env.SERVER_CPUS ?? '0'
  const loadgen = process.env.LOADGEN_CPUS ?? '1'
  return { server, loadgen, note: `servers and services on CPU ${server}, load generator on CPU ${loadgen}` }
}

/** The command line that runs `argv` on `cpus` (unchanged when `cpus` is undefined). */
export function pinned (cpus: string | undefined, argv: readonly string[]): [string, string[]] {
  if (cpus === undefined) return [argv[0] as string, argv.slice(1)]
  return ['taskset', ['-c', cpus, ...argv]]
}
