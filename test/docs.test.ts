import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderReference } from '../src/cli/reference.js';
import { OP_AREAS, opTree } from '../src/op/index.js';
import { renderOpReference } from '../src/op/reference.js';
import { schema } from '../src/schema/index.js';
import { repoRoot } from './helpers/paths.js';

describe('docs', () => {
  it('docs/reference.md is what the schema generates (run `npm run docs` after changing the schema)', () => {
    const onDisk = readFileSync(join(repoRoot, 'docs', 'reference.md'), 'utf8');
    expect(onDisk).toBe(renderReference(schema));
  });

  it('docs/op-reference.md is what the operational command tree generates (run `npm run docs` after changing a command)', () => {
    const onDisk = readFileSync(join(repoRoot, 'docs', 'op-reference.md'), 'utf8');
    expect(onDisk).toBe(renderOpReference(OP_AREAS, opTree));
  });

  it('the reference names every implemented area and its value help', () => {
    const text = renderReference(schema);
    expect(text).toContain(
      '| `interfaces ethernet <ethernet> address` | multi | `<x.x.x.x/x>` IPv4 address and prefix length',
    );
    expect(text).toContain('## firewall');
  });

  it("README's quick start is two commands and .ci/run runs README's test command", () => {
    const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
    const quick = /## Quick start[\s\S]*?```sh\n([\s\S]*?)```/.exec(readme);
    expect(quick).not.toBeNull();
    const commands = quick![1]!.split('\n').filter((l) => l.trim() && !l.trim().startsWith('#'));
    expect(commands).toHaveLength(2);
    const ci = readFileSync(join(repoRoot, '.ci', 'run'), 'utf8');
    expect(ci).toContain(commands[1]!.trim());
  });
});
