/** Pure: `system login banner` -> the text a login shows, as VyOS 1.4 makes it. */
import { valueAt, type ConfigNode } from '../config/tree.js';

export type BannerKind = 'pre-login' | 'post-login';

/**
 * The banner's text: as VyOS's system_login_banner.py does, the two-character
 * sequences `\n` and `\t` left in the value become a newline and a tab (a quoted
 * value has them already), and a newline ends it. Undefined when it is not set
 * or empty (VyOS then shows nothing).
 */
export function loginBanner(tree: ConfigNode, kind: BannerKind): string | undefined {
  const value = valueAt(tree, 'system', 'login', 'banner', kind);
  if (!value) return undefined;
  return `${value.replace(/\\n/g, '\n').replace(/\\t/g, '\t')}\n`;
}
