export type * from './ast.js';
export { parseScript, scanScript, scanScriptSteps } from './script.js';
export { parseBoot, MAX_NESTING } from './boot.js';
export {
  BIDI_CONTROL,
  escapeUnsafe,
  excerpt,
  EXCERPT_LENGTH,
  UNSAFE_CHARACTER,
} from './excerpt.js';
