#!/usr/bin/env node
import 'reflect-metadata';
import { processIo } from './cli-io.js';
import { handleSignals, Interrupt } from './interrupt.js';
import { runCli } from './run-cli.js';

// A reader that stops early (`pagevisor abi list | head -1`) closes the pipe: that is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

const interrupt = new Interrupt();
handleSignals(interrupt);
process.exitCode = await runCli(process.argv.slice(2), processIo, interrupt);
