/**
 * undici, loaded on first use: it is the largest module in the bundle and pulls in a dozen Node
 * built-ins, and the editor should not pay for it before the first request.
 */
import type * as Undici from 'undici';

let loaded: typeof Undici | undefined;

export function undici(): typeof Undici {
  // A plain require keeps esbuild's CommonJS wrapper lazy; an import would run it at load time.
  return (loaded ??= require('undici') as typeof Undici);
}
