// The environment every `fos` process sets for itself before FOS1 loads
// (bin/fos.js, bin/fos-cached.cjs).
'use strict';
// Colour is decided per session: plain sessions never colour, and the ink
// front-end is used only for terminals that asked for it. The colour library
// under ink decides once per process from our own stdout, which for a daemon is
// no terminal, so it is told here that colour may be used.
if (process.env.NO_COLOR === undefined && process.env.FORCE_COLOR === undefined)
  process.env.FORCE_COLOR = '1';
// ink shows only its last frame when it thinks it runs under CI, and it
// decides that from this process's environment. A terminal session's screen
// must not depend on where the daemon was started, so that hint is removed.
for (const key of Object.keys(process.env)) {
  if (key === 'CI' || key === 'CONTINUOUS_INTEGRATION' || key.startsWith('CI_'))
    delete process.env[key];
}
