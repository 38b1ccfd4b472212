/**
 * The Providers view's Routing policy section, host side: each edit written to the selected
 * scope's settings as a hand edit would be (one setting, only the field that changed), on the
 * same queued, validated request path as the key editor.
 */
import * as vscode from 'vscode';
import { type Catalog, checkModelFallbacks, type RouterConfig } from '../../core';
import type { ProvidersRequestBody } from '../../protocol/providers';
import type { Handlers } from './dispatch';
import { withBalance, withModelFallbacks, withPreferences, withStickiness, patchCaller } from './policy-edits';
import { isRecord } from '../../core';
import { readList, readOwn, requireScope, SECTION, write, type Scope } from './scopes';

type PolicyOp = 'setProviderSort' | 'setBalance' | 'setStickiness' | 'setModelFallbacks' | 'setCallerPolicy';

export interface PolicyHostDeps {
  /** The scope's effective, parsed config. */
  config(scope: Scope): RouterConfig;
  catalog: Catalog;
  log(line: string): void;
}

/** What a folder inherits for a setting it does not set itself: the workspace's value, else the user's. */
function inherited(scope: Scope, setting: string): unknown {
  if (!scope.folder) return undefined;
  const i = vscode.workspace.getConfiguration(SECTION, scope.folder.uri).inspect<unknown>(setting);
  return i?.workspaceValue ?? i?.globalValue;
}

/** A folder's own value, or, before its first edit, the one it inherits (VS Code replaces whole objects it does not merge). */
function ownOrInherited(scope: Scope, setting: string): unknown {
  return readOwn(scope, setting) ?? inherited(scope, setting);
}

function where(scope: Scope): string {
  return scope.folder ? `folder "${scope.folder.name}"` : 'User settings';
}

export function policyHandlers(deps: PolicyHostDeps): Pick<Handlers<ProvidersRequestBody>, PolicyOp> {
  return {
    setProviderSort: async (b) => {
      const scope = requireScope(b.scope);
      // `order` is the default: in User settings it is removed, in a folder written when the user's differs.
      const below = inherited(scope, 'providerSort');
      await write(scope, 'providerSort', b.sort === 'order' && (below === undefined || below === 'order') ? undefined : b.sort);
      deps.log(`providers view: provider sort ${b.sort} in ${where(scope)}`);
    },
    setBalance: async (b) => {
      const scope = requireScope(b.scope);
      await write(scope, 'balance', withBalance(readOwn(scope, 'balance'), b.provider, b.strategy, inherited(scope, 'balance')));
      deps.log(`providers view: balance ${b.provider} ${b.strategy} in ${where(scope)}`);
    },
    setStickiness: async (b) => {
      const scope = requireScope(b.scope);
      await write(scope, 'stickiness', withStickiness(readOwn(scope, 'stickiness'), b.ttlMs));
      deps.log(`providers view: stickiness ${b.ttlMs} ms in ${where(scope)}`);
    },
    setModelFallbacks: async (b) => {
      const scope = requireScope(b.scope);
      const next = withModelFallbacks(ownOrInherited(scope, 'modelFallbacks'), b.model.trim(), b.fallbacks);
      const config = deps.config(scope);
      const problem = checkModelFallbacks(next ?? {}, config, (s) => !!deps.catalog.get(s));
      if (problem) throw new Error(`byokRouter.${problem}`);
      await write(scope, 'modelFallbacks', next);
      deps.log(`providers view: model fallbacks of ${b.model} → ${(b.fallbacks ?? []).join(', ') || '(none)'} in ${where(scope)}`);
    },
    setCallerPolicy: async (b) => {
      const scope = requireScope(b.scope);
      if (b.caller === undefined) {
        if (b.byokOnly !== undefined) throw new Error('"BYOK only" is set per caller');
        if (b.preferences === undefined && !b.unset?.length) return;
        const pooled = readOwn(scope, 'pooled');
        const base = isRecord(pooled) ? pooled : {};
        const below = inherited(scope, 'pooled');
        // A folder's `pooled` merges field by field, but `preferences` is one field: start from what applies now.
        const current = 'preferences' in base ? base.preferences : isRecord(below) ? below.preferences : undefined;
        const prefs = withPreferences(current, b.preferences, b.unset);
        const next: Record<string, unknown> = { ...base };
        if (prefs) next.preferences = prefs;
        else delete next.preferences;
        await write(scope, 'pooled', Object.keys(next).length ? next : undefined);
        deps.log(`providers view: pooled preferences in ${where(scope)}`);
        return;
      }
      const callers = readList(scope, 'callers');
      await write(scope, 'callers', patchCaller(callers.list, b.caller, { byokOnly: b.byokOnly, preferences: b.preferences, unset: b.unset }));
      deps.log(`providers view: policy of caller "${b.caller}" in ${where(scope)}`);
    },
  };
}
