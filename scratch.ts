import { parseScript } from './grammar/index.js';
import { generateSetLines } from './bench/config.js';
const text = generateSetLines(100000);
for (let i = 0; i < 4; i++) {
  const t = performance.now();
  parseScript(text);
  console.log('parse', performance.now() - t);
}
