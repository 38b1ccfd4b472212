/**
 * The scopes the Providers view edits: User (global settings) or one workspace folder. Reads each
 * scope's settings as written and writes edits back to that scope's settings file. A folder that
 * does not list its own keys inherits the user list; its first edit copies that list into the
 * folder (VS Code replaces arrays, it does not merge them), which is what "Customize" does.
 */
import * as vscode from 'vscode';
import { parseConfig, type ParsedConfig } from '../../core';
import { USER_SCOPE, type ScopeInfo } from '../../protocol/providers';
import { effectiveRouting, ROUTING_SETTINGS, type Inspected, type RoutingSetting } from '../settings-merge';
import type { SecretVault } from '../secrets';

export interface Scope {
  id: string;
  folder: vscode.WorkspaceFolder | undefined;
}

export const SECTION = 'byokRouter';

/** Settings a folder can set itself, as the scope selector names them. */
const OVERRIDABLE = ['keys', 'callers', 'caller', 'pooled', 'providerOrder', 'timeouts', 'cooldown', 'fees', 'defaultModel'] as const;

export function folders(): readonly vscode.WorkspaceFolder[] {
  return vscode.workspace.workspaceFolders ?? [];
}

export function resolveScope(id: string | undefined): Scope | undefined {
  if (!id || id === USER_SCOPE) return { id: USER_SCOPE, folder: undefined };
  const folder = folders().find((f) => f.uri.toString() === id);
  return folder ? { id, folder } : undefined;
}

export function requireScope(id: string): Scope {
  const s = resolveScope(id);
  if (!s) throw new Error('that folder is no longer open in this window');
  return s;
}

export function overridesOf(folder: vscode.WorkspaceFolder): string[] {
  const config = vscode.workspace.getConfiguration(SECTION, folder.uri);
  return OVERRIDABLE.filter((s) => config.inspect(s)?.workspaceFolderValue !== undefined);
}

export function scopeInfos(): ScopeInfo[] {
  return [
    { id: USER_SCOPE, kind: 'user', label: 'User', overrides: [] },
    ...folders().map((f) => ({ id: f.uri.toString(), kind: 'folder' as const, label: f.name, overrides: overridesOf(f) })),
  ];
}

export interface ListSetting {
  /** The scope's list as written: its own, or the one it inherits. */
  list: unknown[];
  own: boolean;
}

export function readList(scope: Scope, setting: 'keys' | 'callers'): ListSetting {
  const i = vscode.workspace.getConfiguration(SECTION, scope.folder?.uri).inspect<unknown>(setting);
  const arr = (v: unknown) => (Array.isArray(v) ? [...v] : []);
  if (!scope.folder) return { list: arr(i?.globalValue), own: true };
  if (i?.workspaceFolderValue !== undefined) return { list: arr(i.workspaceFolderValue), own: true };
  return { list: arr(i?.workspaceValue ?? i?.globalValue), own: false };
}

/** The user-settings value of a setting (an object or array), as written. */
export function readOwn(scope: Scope, setting: string): unknown {
  const i = vscode.workspace.getConfiguration(SECTION, scope.folder?.uri).inspect<unknown>(setting);
  return scope.folder ? i?.workspaceFolderValue : i?.globalValue;
}

export async function write(scope: Scope, setting: string, value: unknown): Promise<void> {
  const target = scope.folder ? vscode.ConfigurationTarget.WorkspaceFolder : vscode.ConfigurationTarget.Global;
  await vscode.workspace.getConfiguration(SECTION, scope.folder?.uri).update(setting, value, target);
}

/**
 * User settings alone, parsed the way the router parses a folder's: what the User scope shows
 * and explains (without the window's workspace values, which belong to a folder).
 */
export function parseUserSettings(vault: SecretVault): ParsedConfig {
  const config = vscode.workspace.getConfiguration(SECTION);
  const inspected = {} as Record<RoutingSetting, Inspected | undefined>;
  for (const setting of Object.keys(ROUTING_SETTINGS) as RoutingSetting[]) {
    inspected[setting] = { globalValue: config.inspect(setting)?.globalValue };
  }
  const { raw } = effectiveRouting(inspected, { trusted: true, boundProviders: vault.bindings() });
  const parsed = parseConfig(raw);
  for (const d of parsed.diagnostics) d.path = settingPath(d.path);
  return parsed;
}

/** `keys[2].tier` → `byokRouter.keys[2].tier`, `defaultCaller` → `byokRouter.caller`. */
export function settingPath(path: string): string {
  const field = /^[A-Za-z]+/.exec(path)?.[0];
  const setting = (Object.keys(ROUTING_SETTINGS) as RoutingSetting[]).find((s) => ROUTING_SETTINGS[s] === field);
  return setting ? `${SECTION}.${setting}${path.slice(field!.length)}` : path;
}
