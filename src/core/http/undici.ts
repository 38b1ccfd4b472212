/**
 * undici, loaded on first use: it is the largest module in the bundle and pulls in a dozen Node
 * built-ins, and the editor should not pay for it before the first request.
 */
import type * as Undici from 'undici';

// A CommonJS require on first use: esbuild still bundles undici, behind a wrapper that runs only
// then. A static import would run it at load time; import() would make every caller async.
// eslint.config.mjs allows exactly this require.

let loaded: typeof Undici | undefined;

export function undici(): typeof Undici {
  return (loaded ??= require('undici') as typeof Undici);
}
