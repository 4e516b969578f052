import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from './helpers/paths.js';

/** Tests that run the `fos` binary need dist/; building takes a few seconds. */
export default function setup(): void {
  execFileSync(
    process.execPath,
    [join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'],
    {
      cwd: repoRoot,
      stdio: 'inherit',
    },
  );
}
