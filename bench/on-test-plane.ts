/**
 * Runs a benchmark that starts test planes: only inside a network namespace of tools/netns, where
 * pod IPs answer (its npm script starts it there), and with one line for what went wrong.
 */
import { requireNetworkNamespace } from '../tools/netns/detect';
import { POD_RANGE } from '../tools/testplane/plane';

export function runOnTestPlane(script: string, main: () => Promise<void>): void {
  try {
    requireNetworkNamespace(POD_RANGE, `\`npm run ${script}\``);
  } catch (err) {
    // One line before anything starts: a stack trace would add nothing.
    console.error(`${script}: ${(err as Error).message}`);
    process.exit(1);
  }
  main().catch((err: Error) => {
    console.error(err.stack ?? err.message);
    process.exit(1);
  });
}
