// The one place that decides whether an interop test runs. Interop tests need real tools (qemu, the
// VM image, tshark). On a developer laptop without them the test is skipped with a note saying how
// to install them; under CI=true a missing prerequisite is a failure, never a skip.
import { spawnSync } from 'node:child_process';
import test from 'ava';
import type { ExecutionContext } from 'ava';

/** A named prerequisite: how to check it and how to install it. */
interface Prerequisite {
  readonly present: () => boolean;
  readonly install: string;
}

function onPath(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

const PREREQUISITES: Record<string, Prerequisite> = {
  tshark: {
    present: () => onPath('tshark') && onPath('dumpcap'),
    install: 'apt-get install -y tshark',
  },
};

/** Registers an interop test that runs only when its prerequisite is present (always under CI=true). */
export function interopTest(
  prerequisite: keyof typeof PREREQUISITES,
  title: string,
  body: (t: ExecutionContext) => Promise<void>,
): void {
  const needed = PREREQUISITES[prerequisite];
  if (needed === undefined) throw new Error(`unknown prerequisite ${prerequisite}`);
  if (needed.present()) {
    test(title, body);
  } else if (process.env.CI === 'true') {
    test(title, (t) => {
      t.fail(`${prerequisite} is missing (CI=true, so this fails instead of skipping): ${needed.install}`);
    });
  } else {
    console.warn(`skipping "${title}": ${prerequisite} is missing; install it with: ${needed.install}`);
    test.skip(title, body);
  }
}
