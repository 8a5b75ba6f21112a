#!/usr/bin/env node
import { processIo } from './cli-io.js';
import { runCli } from './commands.js';

// The `wirefeed` bin (package.json). `serve` keeps the process alive through its server; the others end here.
process.exitCode = await runCli(process.argv.slice(2), processIo());
