import type { ControllerProcess } from '../../tools/bitcoin/controller-process';
import { sleep } from '../../tools/testplane/lib/process';

const TIMEOUT_MS = 15 * 60_000;

/** Asks `check` every 500 ms; fails after 15 minutes, or at once if `controller` died. */
export async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  controller?: ControllerProcess,
): Promise<void> {
  const deadline = Date.now() + TIMEOUT_MS;
  while (!(await check().catch(() => false))) {
    if (controller && !controller.running()) {
      throw new Error(`${what}: the controller died; log tail:\n${controller.logTail(15)}`);
    }
    if (Date.now() > deadline) throw new Error(`${what}: not reached after ${TIMEOUT_MS / 1000} s`);
    await sleep(500);
  }
}
