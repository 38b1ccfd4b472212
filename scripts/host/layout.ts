// Where the provisioned editor lives. Everything sits under one cache folder, like
// @vscode/test-electron's `.vscode-test/`, so deleting it is a clean reset.
import * as path from 'node:path';

export const NODE_VERSION = '24.21.0';
export const CODE_SERVER_VERSION = '4.139.1';

export const repoRoot = path.resolve(__dirname, '..', '..');

export interface HostLayout {
  readonly root: string;
  readonly nodeDir: string;
  readonly nodeBin: string;
  readonly codeServerDir: string;
  readonly codeServerEntry: string;
  /** Where XDG/TMPDIR point while the editor runs, so nothing lands in the user's home. */
  readonly sandboxDir: string;
}

export function hostLayout(root = process.env.BYOK_HOST_DIR ?? path.join(repoRoot, '.byok-host')): HostLayout {
  const nodeDir = path.join(root, `node-v${NODE_VERSION}-${process.platform}-${process.arch}`);
  const codeServerDir = path.join(root, `code-server-${CODE_SERVER_VERSION}`);
  return {
    root,
    nodeDir,
    nodeBin: path.join(nodeDir, 'bin', 'node'),
    codeServerDir,
    codeServerEntry: path.join(codeServerDir, 'node_modules', 'code-server', 'out', 'node', 'entry.js'),
    sandboxDir: path.join(root, 'sandbox'),
  };
}
