/** Loads dist/tokenizer.js (the o200k tokenizer, a bundle of its own) beside the extension bundle, on first use. */
import { createRequire } from 'node:module';
import * as path from 'node:path';
import type { Tokenize } from '../core';

export function loadBundledTokenizer(): Promise<Tokenize> {
  // Node's own require on a computed path: esbuild follows neither, so the 2.4 MB of ranks never
  // enter the activation bundle.
  const file = path.join(__dirname, 'tokenizer.js');
  return Promise.resolve().then(() => (createRequire(__filename)(file) as { countTokens: Tokenize }).countTokens);
}
