import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { TestPlane } from '../testplane/plane';
import { ControllerProcess } from './controller-process';
import { FakeBitcoind } from './fake-bitcoind';
import { CONTROLLER_NAMESPACE, CONTROLLER_SA, PodTracker } from './operator-harness';

export interface LocalOperatorOptions {
  /** The controller's name, in its logs and Lease identity; also its log folder's prefix. */
  readonly name: string;
  /** How often it re-checks each network. */
  readonly resyncSeconds: number;
  /** More environment, as the chart's Deployment sets it. @default - none */
  readonly env?: Readonly<Record<string, string>>;
}

/**
 * The operator as the plane suites run it: the controller as a local process under the chart's
 * ServiceAccount (the chart's objects, its Deployment aside, are the suite's to apply first), and
 * a fake bitcoind answering at every pod IP kwok hands out. Its log folder goes when it stops,
 * unless `KEEP_E2E_LOGS=1`.
 */
export class LocalOperator {
  private constructor(
    private readonly dir: string,
    readonly fake: FakeBitcoind,
    readonly tracker: PodTracker,
    readonly controller: ControllerProcess,
  ) {}

  /** Starts the fake bitcoinds and the controller, and waits until the controller is ready. */
  static async start(plane: TestPlane, options: LocalOperatorOptions): Promise<LocalOperator> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${options.name}-`));
    const fake = new FakeBitcoind();
    const tracker = new PodTracker(plane, fake);
    tracker.start();
    const controller = new ControllerProcess({
      name: options.name,
      kubeconfig: await plane.serviceAccountKubeconfig(CONTROLLER_NAMESPACE, CONTROLLER_SA),
      logFile: path.join(dir, 'controller.log'),
      resyncSeconds: options.resyncSeconds,
      env: options.env,
    });
    const operator = new LocalOperator(dir, fake, tracker, controller);
    try {
      await controller.start();
    } catch (error) {
      await operator.stop();
      throw error;
    }
    return operator;
  }

  async stop(): Promise<void> {
    await this.controller.stop();
    await this.tracker.stop();
    await this.fake.close();
    if (process.env.KEEP_E2E_LOGS === '1') {
      process.stderr.write(`${this.controller.name} logs kept in ${this.dir}\n`);
    } else {
      fs.rmSync(this.dir, { recursive: true, force: true });
    }
  }
}
