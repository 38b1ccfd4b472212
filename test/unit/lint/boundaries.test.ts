/**
 * The layers' import boundaries are lint rules (eslint.config.mjs); these cases prove each rule
 * fires on the import it exists to stop, and lets the allowed ones through.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { ESLint } from 'eslint';

const root = path.resolve(__dirname, '../../..');
const eslint = new ESLint({ cwd: root });

async function boundaryErrors(file: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(`${source}\nexport {};\n`, { filePath: path.join(root, file) });
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('the import boundaries', function () {
  this.timeout(60_000);

  it('keeps the router core free of the editor, the views, the CLI, the endpoint and the protocol', async () => {
    for (const spec of ['vscode', '../../vscode/log', '../../webview/providers/main', '../../cli/main', '../../serve/server', '../../protocol/providers']) {
      const errors = await boundaryErrors('src/core/routing/x.ts', `import '${spec}';`);
      assert.ok(errors.length >= 1, `src/core importing ${spec}: ${errors.join('; ') || 'allowed'}`);
    }
    assert.deepEqual(await boundaryErrors('src/core/routing/x.ts', `import 'node:crypto'; import 'zod'; import '../errors';`), []);
  });

  it('keeps view scripts off the editor API, Node built-ins and the core', async () => {
    for (const spec of ['vscode', 'node:fs', 'fs', 'path', 'node:fs/promises', '../../core/routing/plan']) {
      const errors = await boundaryErrors('src/webview/providers/x.ts', `import '${spec}';`);
      assert.ok(errors.length >= 1, `src/webview importing ${spec}: ${errors.join('; ') || 'allowed'}`);
    }
    assert.deepEqual(await boundaryErrors('src/webview/providers/x.ts', `import '../../protocol/providers';`), []);
  });

  it('lets the protocol import only zod and its own files', async () => {
    for (const spec of ['vscode', 'node:path', '../core/errors', 'undici']) {
      const errors = await boundaryErrors('src/protocol/x.ts', `import '${spec}';`);
      assert.ok(errors.length >= 1, `src/protocol importing ${spec}: ${errors.join('; ') || 'allowed'}`);
    }
    assert.deepEqual(await boundaryErrors('src/protocol/x.ts', `import 'zod'; import './envelope';`), []);
  });

  it('keeps every shipped file off test code, so a bundle never carries it', async () => {
    for (const file of [
      'src/cli/demo.ts',
      'src/core/routing/x.ts',
      'src/serve/x.ts',
      'src/vscode/x.ts',
      'src/extension.ts',
      'src/webview/activity/x.ts',
      'src/sim/x.ts',
    ]) {
      const up = '../'.repeat(file.split('/').length - 1);
      const errors = await boundaryErrors(file, `import '${up}test/e2e/harness';`);
      assert.ok(
        errors.some((e) => e.includes('never imports test code')),
        `${file} importing test code: ${errors.join('; ') || 'allowed'}`,
      );
    }
    assert.deepEqual(await boundaryErrors('src/cli/demo.ts', `import '../sim/openai';`), []);
  });

  it('keeps the simulators independent of the router they test', async () => {
    for (const spec of ['vscode', '../core/routing/router', '../protocol/providers', '../serve/server']) {
      const errors = await boundaryErrors('src/sim/x.ts', `import '${spec}';`);
      assert.ok(errors.length >= 1, `src/sim importing ${spec}: ${errors.join('; ') || 'allowed'}`);
    }
    assert.deepEqual(await boundaryErrors('src/sim/x.ts', `import 'node:http'; import 'gpt-tokenizer/encoding/o200k_base'; import './server';`), []);
    assert.ok((await boundaryErrors('src/core/routing/x.ts', `import '../../sim/openai';`)).length >= 1, 'the core importing a simulator');
  });

  it('keeps the CLI and the endpoint outside the editor', async () => {
    for (const file of ['src/cli/x.ts', 'src/serve/x.ts']) {
      assert.ok((await boundaryErrors(file, `import 'vscode';`)).length >= 1, `${file} importing vscode`);
      assert.ok((await boundaryErrors(file, `import '../vscode/log';`)).length >= 1, `${file} importing the host layer`);
      assert.deepEqual(await boundaryErrors(file, `import '../core';`), []);
    }
  });

  it('lets the editor, the CLI and the endpoint into the core only through its front door', async () => {
    const layers = [
      ['src/vscode/x.ts', '..'],
      ['src/vscode/panels/x.ts', '../..'],
      ['src/cli/x.ts', '..'],
      ['src/serve/x.ts', '..'],
      ['src/extension.ts', '.'],
    ];
    for (const [file, up] of layers) {
      for (const deep of ['core/routing/router', 'core/http/undici', 'core/routing/model-filter', 'core/index']) {
        const errors = await boundaryErrors(file!, `import { x } from '${up}/${deep}';`);
        assert.ok(
          errors.some((e) => /front door/.test(e)),
          `${file} importing ${up}/${deep}: ${errors.join('; ') || 'allowed'}`,
        );
      }
      assert.deepEqual(await boundaryErrors(file!, `import { Router } from '${up}/core';`), [], `${file} importing the core's index`);
    }
  });
});
