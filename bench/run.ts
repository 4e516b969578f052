/** `npm run bench [-- --record] [-- --quick]`: every area's benchmark. */
import { runConfigBench } from './config.js';

const args = new Set(process.argv.slice(2));
const quick = args.has('--quick');
runConfigBench({
  lines: quick ? 10_000 : 100_000,
  rounds: quick ? 2 : 5,
  record: args.has('--record') && !quick,
});
