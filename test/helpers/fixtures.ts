/** Configuration lines that tests share. */
import { DEFAULT_CONFIG } from '../../src/commit/defaults.js';

/**
 * A user who can log in and configure: verify refuses a configuration without
 * one, so a test of another area starts from this line.
 */
export const ADMIN_LOGIN =
  DEFAULT_CONFIG.split('\n').find((l) => l.startsWith('set system login user fos ')) ?? '';
