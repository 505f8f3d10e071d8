import { readFileSync } from 'node:fs';
import { RunConfigError } from '../runner/run-plan';
import { COMPARE_USAGE, compareCommand } from './compare-command';
import { MERGE_USAGE, mergeCommand } from './merge-command';
import { RUN_USAGE } from './run-args';
import { runCommand } from './run-command';
import { EXIT, UsageError } from './usage-error';

const USAGE = `usage: swarm run FILE [UserClass ...] [options]
       swarm merge PART.json ... [options]
       swarm compare BASE.json NEW.json [options]

${RUN_USAGE}

${MERGE_USAGE}

${COMPARE_USAGE}`;

/** `swarm --version` (`-V`, anywhere, as Locust's): the package's version. */
function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    name: string;
    version: string;
  };
  return `${pkg.name} ${pkg.version} (node ${process.versions.node})`;
}

async function main(argv: string[]): Promise<number> {
  if (argv.includes('--version') || argv.includes('-V')) {
    process.stdout.write(`${version()}\n`);
    return EXIT.ok;
  }
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return command === undefined ? EXIT.usage : EXIT.ok;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    const usages: Record<string, string> = { merge: MERGE_USAGE, compare: COMPARE_USAGE };
    const usage = usages[command] ?? RUN_USAGE;
    process.stdout.write(`${usage}\n`);
    return EXIT.ok;
  }
  if (command === 'run') return runCommand(rest);
  if (command === 'merge') return mergeCommand(rest);
  if (command === 'compare') return compareCommand(rest);
  throw new UsageError(`unknown command "${command}": use run, merge or compare`);
}

/** What a user can cause — a bad flag or scenario, a run that cannot start — is told in words, exit 2. */
function isUsersToFix(err: unknown): err is Error {
  return err instanceof UsageError || err instanceof RunConfigError;
}

let code: number;
try {
  code = await main(process.argv.slice(2));
} catch (err) {
  process.stderr.write(
    isUsersToFix(err)
      ? `swarm: ${err.message}\n`
      : `swarm: internal error (a bug in Swarm, please report it): ${(err as Error).stack ?? String(err)}\n`,
  );
  code = EXIT.usage;
}
// Exit once stdout is flushed: a piped report must not be cut, and nothing left running may hold the process.
process.stdout.write('', () => process.exit(code));
