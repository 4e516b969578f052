/** Writes docs/reference.md from the schema and docs/op-reference.md from the operational command tree. */
import { writeFileSync } from 'node:fs';
import { renderReference } from '../src/cli/reference.js';
import { OP_AREAS, opTree } from '../src/op/index.js';
import { renderOpReference } from '../src/op/reference.js';
import { schema } from '../src/schema/index.js';

for (const [file, text] of [
  ['reference.md', renderReference(schema)],
  ['op-reference.md', renderOpReference(OP_AREAS, opTree)],
] as const) {
  const target = new URL(`../docs/${file}`, import.meta.url);
  writeFileSync(target, text);
  process.stdout.write(`wrote ${target.pathname}\n`);
}
