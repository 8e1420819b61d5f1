import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { logTail } from '../testplane/lib/process';

/** How many lines of a failed command's log are shown; the rest stays in the file. */
const TAIL_LINES = 20;

/** A build or install command that failed; the message ends with the tail of its log. */
export class CommandFailed extends Error {}

/**
 * Runs a command with its output appended to `logFile` rather than the terminal, where it
 * would break the progress line (and `go: downloading` lines say nothing useful).
 */
export function runLogged(
  command: string,
  args: readonly string[],
  logFile: string,
  env: NodeJS.ProcessEnv = {},
): Promise<void> {
  const out = fs.openSync(logFile, 'a');
  fs.writeSync(out, `$ ${command} ${args.join(' ')}\n`);
  return new Promise<void>((resolve, reject) => {
    const child = spawn(command, args, {
      stdio: ['ignore', out, out],
      env: { ...process.env, ...env },
    });
    child.on('error', (err) => fail(`could not start ${command}: ${err.message}`));
    child.on('exit', (code, signal) => {
      if (code === 0) {
        fs.closeSync(out);
        resolve();
      } else {
        fail(`${command} ${signal ? `was killed by ${signal}` : `exited with ${code}`}`);
      }
    });
    function fail(why: string): void {
      fs.closeSync(out);
      reject(new CommandFailed(`${why}; the end of ${logFile}:\n${logTail(logFile, TAIL_LINES)}`));
    }
  });
}
