/**
 * What bin/fos.js starts: as little as possible is loaded before it is known
 * what the command needs. The wiring (src/main.ts) and everything under it
 * come in with one dynamic import.
 */
export async function run(argv: string[]): Promise<number> {
  const { main } = await import('./main.js');
  return main(argv);
}
