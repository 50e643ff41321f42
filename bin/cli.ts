#!/usr/bin/env node
import { cli } from '../lib/keygen.js'

process.exitCode = cli(process.argv.slice(2), (t) => process.stdout.write(t), (t) => process.stderr.write(t))
