import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const corpusRoot = resolve(repoRoot, '..', 'shared', 'corpus', 'vyos');

export interface CorpusFile {
  readonly name: string;
  readonly path: string;
  readonly text: string;
}

export function corpusFiles(form: 'set' | 'boot'): CorpusFile[] {
  const dir = join(corpusRoot, form);
  if (!existsSync(dir)) throw new Error(`the VyOS corpus is missing at ${dir}`);
  return readdirSync(dir)
    .filter((f) => f.endsWith(`.${form}`))
    .sort()
    .map((name) => ({ name, path: join(dir, name), text: readFileSync(join(dir, name), 'utf8') }));
}
