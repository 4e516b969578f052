import { main } from '../../src/main.js';

/** Run the `fos` entry point in-process and capture what it prints. */
export async function runFos(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(args, { out: (t) => void (out += t), err: (t) => void (err += t) });
  return { code, out, err };
}
