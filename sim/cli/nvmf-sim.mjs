#!/usr/bin/env node
// The nvmf-sim command. Registers tsx so the TypeScript sources run as they are, then hands argv
// to main.ts. The exit status is set, not forced, so pending output drains; a safety timer (unref'd,
// so it never keeps a clean process alive) ends a process that something left running.
/* global setTimeout */
import { register } from 'tsx/esm/api';

register();
const { main, processIo } = await import('./main.ts');
const status = await main(process.argv.slice(2), processIo());
process.exitCode = status;
setTimeout(() => process.exit(status), 2000).unref();
