/**
 * What bin/fos.js starts: as little as possible is loaded before it is known
 * what the command needs. `fos -c` and `fos shell` go to a `fos serve` of the
 * same store when one answers on its local socket (src/daemon/client.ts);
 * otherwise the wiring (src/main.ts) and everything under it come in with one
 * dynamic import and run the command in this process.
 */
import { viaDaemon } from './daemon/client.js';

const processIo = {
  out: (text: string): void => void process.stdout.write(text),
  err: (text: string): void => void process.stderr.write(text),
};

export async function run(argv: string[]): Promise<number> {
  const answered = await viaDaemon(argv, processIo);
  if (answered !== undefined) return answered;
  const { main } = await import('./main.js');
  return main(argv);
}
