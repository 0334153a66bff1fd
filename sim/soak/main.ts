// `npm run soak`: the entry that runs soakMain with the process's streams and exit status.
import { soakMain } from './index.js';

process.exitCode = await soakMain(process.argv.slice(2), {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  errIsTty: process.stderr.isTTY,
});
