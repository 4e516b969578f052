// Loaded with `node --import <this file>`: every module that the process
// imports (ESM resolution, which also covers CommonJS packages imported from
// ESM) and every CommonJS file it requires is appended, one URL or path a
// line, to the file named by FOS_MODULE_LOG.
import { appendFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';

const log = process.env.FOS_MODULE_LOG;
if (log) {
  const hooks = `
    import { appendFileSync } from 'node:fs';
    export async function resolve(specifier, context, next) {
      const resolved = await next(specifier, context);
      appendFileSync(${JSON.stringify(log)}, resolved.url + '\\n');
      return resolved;
    }`;
  register(`data:text/javascript,${encodeURIComponent(hooks)}`);
  const required = createRequire(import.meta.url).cache;
  process.on('exit', () => {
    appendFileSync(
      log,
      Object.keys(required)
        .map((file) => `${file}\n`)
        .join(''),
    );
  });
}
