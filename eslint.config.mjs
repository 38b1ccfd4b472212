// Lint rules, and the layers' import boundaries (docs/ARCHITECTURE.md, "Layers").
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const nodeBuiltins = builtinModules.filter((m) => !m.startsWith('_')).flatMap((m) => [m, `${m}/*`, `node:${m}`, `node:${m}/*`]);

/** One no-restricted-imports rule per layer: what it must not reach, and why in words. */
const boundary = (patterns, paths = []) => ['error', { paths, patterns }];
const layer = (dirs, message) => ({ group: dirs.flatMap((d) => [`**/${d}`, `**/${d}/**`]), message });
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
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': boundary(
        [
          layer(
            ['webview', 'cli', 'protocol', 'serve', 'vscode'],
            'The router core is plain TypeScript: it imports no editor, webview, CLI, endpoint or protocol code.',
          ),
        ],
        [{ name: 'vscode', message: 'The router core never imports vscode; the extension layer adapts it.' }],
      ),
    },
  },
  {
    files: ['src/serve/**/*.ts', 'src/cli/**/*.ts'],
    rules: {
      'no-restricted-imports': boundary(
        [layer(['webview', 'vscode'], 'The CLI and the local endpoint run outside the editor: no editor or webview code.'), coreFrontDoor],
        [{ name: 'vscode', message: 'The CLI and the local endpoint run outside the editor.' }],
      ),
    },
  },
  {
    files: ['src/vscode/**/*.ts', 'src/extension.ts'],
    rules: { 'no-restricted-imports': boundary([coreFrontDoor]) },
  },
  {
    files: ['src/webview/**/*.ts'],
    rules: {
      'no-restricted-imports': boundary(
        [
          layer(['core', 'vscode', 'cli', 'serve'], 'A view script talks to the host only through src/protocol messages.'),
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
    files: ['test/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.{ts,js}', 'demo/**/*.ts'],
    rules: {
      // Tests reach into provider payloads they build by hand.
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
