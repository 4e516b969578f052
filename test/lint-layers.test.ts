import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './helpers/paths.js';

const eslint = new ESLint({ cwd: repoRoot });

async function messages(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${repoRoot}/${file}` });
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('the layer rule', () => {
  it.each([
    [
      'src/config/x.ts',
      "import { readFileSync } from 'node:fs';\nexport const f = readFileSync;\n",
      /pure layer/,
    ],
    ['src/cli/x.ts', "import { execa } from 'execa';\nexport const f = execa;\n", /pure layer/],
    ['grammar/x.ts', "import React from 'react';\nexport const f = React;\n", /pure layer/],
    [
      'src/schema/x.ts',
      "import { verify } from '../verify/index.js';\nexport const f = verify;\n",
      /may not import verify/,
    ],
    [
      'src/backends/x.ts',
      "import { execa } from 'execa';\nexport const f = execa;\n",
      /only through the drivers in src\/apply/,
    ],
    [
      'src/backends/x.ts',
      "import { Store } from '../store/store.js';\nexport const f = Store;\n",
      /may not import store/,
    ],
    [
      'src/apply/x.ts',
      "import { BACKENDS } from '../backends/registry.js';\nexport const f = BACKENDS;\n",
      /may not import backends/,
    ],
    [
      'src/op/x.ts',
      "import { ShellEngine } from '../cli/engine.js';\nexport const f = ShellEngine;\n",
      /src\/op may not import cli/,
    ],
    ['src/op/x.ts', "import { render } from 'ink';\nexport const f = render;\n", /draws nothing/],
    ['src/op/x.ts', "import React from 'react';\nexport const f = React;\n", /draws nothing/],
  ])('refuses %s importing what it must not', async (file, code, message) => {
    const found = await messages(file, code);
    expect(found.join('\n')).toMatch(message);
  });

  it('allows the system layers to touch the system and pure layers to import upward', async () => {
    expect(
      await messages(
        'src/apply/x.ts',
        "import { readFileSync } from 'node:fs';\nexport const f = readFileSync;\n",
      ),
    ).toEqual([]);
    // The op tree reads the system; the shell engine dispatches through it.
    expect(
      await messages(
        'src/op/x.ts',
        "import { execa } from 'execa';\nimport { observeKernel } from '../apply/kernel.js';\nexport const f = [execa, observeKernel];\n",
      ),
    ).toEqual([]);
    expect(
      await messages(
        'src/cli/x.ts',
        "import { opTree } from '../op/index.js';\nexport const f = opTree;\n",
      ),
    ).toEqual([]);
    expect(
      await messages(
        'src/backends/x.ts',
        "import { loadNft } from '../apply/nft.js';\nexport const f = loadNft;\n",
      ),
    ).toEqual([]);
    expect(
      await messages(
        'src/commit/x.ts',
        "import { BACKENDS } from '../backends/registry.js';\nexport const f = BACKENDS;\n",
      ),
    ).toEqual([]);
    expect(
      await messages(
        'src/verify/x.ts',
        "import { schema } from '../schema/index.js';\nexport const f = schema;\n",
      ),
    ).toEqual([]);
  });
});
