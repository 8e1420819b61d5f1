import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { planeCacheDir } from '../../../tools/testplane/lib/binaries';

describe("the test plane's cache folder", () => {
  let root: string;
  beforeEach(() => (root = fs.mkdtempSync(path.join(os.tmpdir(), 'plane-cache-'))));
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  test('is testplane/ in the cache', () => {
    expect(planeCacheDir(root)).toBe(path.join(root, 'testplane'));
  });

  test("takes over a machine's earlier controlplane/ folder, builds and all, once", () => {
    const built = path.join(root, 'controlplane', 'bin', 'etcd-3.6.0', 'etcd');
    fs.mkdirSync(path.dirname(built), { recursive: true });
    fs.writeFileSync(built, 'binary');
    const dir = planeCacheDir(root);
    expect(fs.readFileSync(path.join(dir, 'bin', 'etcd-3.6.0', 'etcd'), 'utf8')).toBe('binary');
    expect(fs.existsSync(path.join(root, 'controlplane'))).toBe(false);
  });

  test('leaves both alone when testplane/ is there already', () => {
    fs.mkdirSync(path.join(root, 'controlplane'));
    fs.mkdirSync(path.join(root, 'testplane'));
    planeCacheDir(root);
    expect(fs.readdirSync(root).sort()).toEqual(['controlplane', 'testplane']);
  });
});
