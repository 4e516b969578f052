/** Writes docs/reference.md from the schema. */
import { writeFileSync } from 'node:fs';
import { renderReference } from '../src/cli/reference.js';
import { schema } from '../src/schema/index.js';

const target = new URL('../docs/reference.md', import.meta.url);
writeFileSync(target, renderReference(schema));
process.stdout.write(`wrote ${target.pathname}\n`);
