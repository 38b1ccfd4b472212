// Lint rules, and the layers' import boundaries (docs/ARCHITECTURE.md, "Layers").
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const nodeBuiltins = builtinModules.filter((m) => !m.startsWith('_')).flatMap((m) => [m, `${m}/*`, `node:${m}`, `node:${m}/*`]);

/** One no-restricted-imports rule per layer: what it must not reach, and why in words. */
const boundary = (patterns, paths = []) => ['error', { paths, patterns }];
const layer = (dirs, message) => ({ group: dirs.flatMap((d) => [`**/${d}`, `**/${d}/**`]), message });
/** Every shipped layer's rule carries this one too: a later block's rule replaces an earlier one's. */
const noTests = layer(['test'], 'Shipped code never imports test code: what both need lives under src/ (simulators: src/sim).');
/** The editor, the CLI and the endpoint reach the core through src/core/index.ts only. */
const coreFrontDoor = {
  group: ['**/core/*', '**/core/**'],
  message: 'Import the core through its front door, src/core/index.ts (`../core`), not one of its modules.',
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.byok-host/**', 'test-artifacts/**', 'bench/results/**', 'out/**', '**/*.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      // Unused names are errors, except a leading underscore, which says "deliberately unused".
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      // undici is required on first use (src/core/http/undici.ts): bundled, but not run at activation.
      '@typescript-eslint/no-require-imports': ['error', { allow: ['^undici$'] }],
      'no-console': 'off',
    },
  },
  {
    // Every shipped file; the layers below narrow it further (and repeat noTests).
    files: ['src/**/*.ts'],
    rules: { 'no-restricted-imports': boundary([noTests]) },
  },
  {
    // The simulators speak each provider's wire format on their own: sharing the router's code
    // would let a bug in it agree with itself.
    files: ['src/sim/**/*.ts'],
    rules: {
      'no-restricted-imports': boundary(
        [
          layer(
            ['core', 'webview', 'vscode', 'cli', 'serve', 'protocol'],
            'A simulator is independent of the router it tests: Node, its own files and gpt-tokenizer only.',
          ),
          noTests,
        ],
        [{ name: 'vscode', message: 'A simulator runs outside the editor.' }],
      ),
    },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': boundary(
        [
          layer(
            ['webview', 'cli', 'protocol', 'serve', 'vscode', 'sim'],
            'The router core is plain TypeScript: it imports no editor, webview, CLI, endpoint, protocol or simulator code.',
          ),
          noTests,
        ],
        [{ name: 'vscode', message: 'The router core never imports vscode; the extension layer adapts it.' }],
      ),
    },
  },
  {
    files: ['src/serve/**/*.ts', 'src/cli/**/*.ts'],
    rules: {
      'no-restricted-imports': boundary(
        [layer(['webview', 'vscode'], 'The CLI and the local endpoint run outside the editor: no editor or webview code.'), noTests, coreFrontDoor],
        [{ name: 'vscode', message: 'The CLI and the local endpoint run outside the editor.' }],
      ),
    },
  },
  {
    files: ['src/vscode/**/*.ts', 'src/extension.ts'],
    rules: { 'no-restricted-imports': boundary([noTests, coreFrontDoor]) },
  },
  {
    files: ['src/webview/**/*.ts'],
    rules: {
      'no-restricted-imports': boundary(
        [
          layer(['core', 'vscode', 'cli', 'serve', 'sim'], 'A view script talks to the host only through src/protocol messages.'),
          noTests,
          { group: nodeBuiltins, message: 'A view script runs in a browser sandbox: no Node built-ins.' },
        ],
        [{ name: 'vscode', message: 'A view script cannot reach the editor API; it posts protocol messages.' }],
      ),
    },
  },
  {
    files: ['src/protocol/**/*.ts'],
    rules: {
      // Only zod and the protocol's own files: both ends of the channel share this code.
      'no-restricted-imports': boundary([{ regex: '^(?!zod$|\\./)', message: 'The protocol imports only zod and its own files.' }]),
    },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.{ts,js}', 'demo/**/*.ts', 'src/sim/**/*.ts'],
    rules: {
      // Tests reach into provider payloads they build by hand; the simulators into whatever JSON a
      // client sends, which they validate field by field the way the provider does.
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { require: 'readonly', module: 'writable', process: 'readonly', __dirname: 'readonly', console: 'readonly' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
