/** Rewrites docs/configuration.md from the schema: `npx tsx config/write-docs.ts`. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CONFIG_DOC_PATH, renderConfigDoc } from './docs';

const file = path.join(__dirname, '..', CONFIG_DOC_PATH);
fs.mkdirSync(path.dirname(file), { recursive: true });
fs.writeFileSync(file, renderConfigDoc());
console.log(file);
