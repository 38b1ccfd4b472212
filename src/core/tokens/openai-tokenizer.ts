/**
 * The o200k_base tokenizer (GPT-4o, GPT-4.1, GPT-5, o-series), as its own bundle (dist/tokenizer.js):
 * its ranks are 2.4 MB, so it stays out of the activation bundle and loads on the first count.
 */
export { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
