/**
 * The editor's rule for secret-manager references: they are stored only by the user, in secret
 * storage (never read from settings), and resolve only in a trusted workspace, so a folder can
 * never make the extension run a program or call a URL. The cache time is a user setting only.
 */
import { delimiter, isAbsolute } from 'node:path';
import * as vscode from 'vscode';
import { DEFAULT_SECRET_TTL_MS, type Redactor, ResolvingSecretSource, type SecretReference, SecretResolver, type SecretSource } from '../core';

/** `byokRouter.secretManagers.ttlMs` from user settings; a folder's value is ignored. */
export function secretTtlMs(): number {
  const v = vscode.workspace.getConfiguration('byokRouter').inspect<number>('secretManagers.ttlMs')?.globalValue;
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : DEFAULT_SECRET_TTL_MS;
}

/**
 * `byokRouter.secretManagers.searchPath`: directories searched before PATH for the managers' CLIs
 * (an editor started from a desktop launcher often lacks the shell's PATH). User settings only.
 */
export function toolEnvironment(): NodeJS.ProcessEnv {
  const v = vscode.workspace.getConfiguration('byokRouter').inspect<unknown>('secretManagers.searchPath')?.globalValue;
  const dirs = Array.isArray(v) ? v.filter((d): d is string => typeof d === 'string' && isAbsolute(d)) : [];
  if (!dirs.length) return process.env;
  return { ...process.env, PATH: [...dirs, process.env.PATH ?? ''].join(delimiter) };
}

export function referencePolicy(ref: SecretReference): string | undefined {
  if (vscode.workspace.isTrusted) return undefined;
  return ref.scheme === 'env'
    ? 'env: references are refused in Restricted Mode; trust the workspace or store the value itself'
    : 'secret-manager references resolve only in trusted workspaces; this one is in Restricted Mode';
}

export function editorSecretSource(stored: SecretSource, redactor: Redactor): ResolvingSecretSource {
  const resolver = new SecretResolver({ redactor, ttlMs: secretTtlMs, policy: referencePolicy, env: toolEnvironment });
  return new ResolvingSecretSource(stored, resolver);
}
