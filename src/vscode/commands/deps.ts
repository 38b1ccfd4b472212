import * as vscode from 'vscode';
import type { Catalog, ChatMessage } from '../../core';
import type { FolderTracker } from '../folders';
import type { KeyStore } from '../key-store';
import type { Log } from '../log';
import { defaultModel } from '../models';
import type { RoutingService } from '../folder-routers';
import type { SecretVault } from '../secrets';
import type { RoutingSettings } from '../routing-config';

export interface CommandDeps {
  routing: RoutingService;
  settings: RoutingSettings;
  folders: FolderTracker;
  keys: KeyStore;
  vault: SecretVault;
  catalog: Catalog;
  log: Log;
}

export interface CompletionArgs {
  folder: vscode.WorkspaceFolder | undefined;
  surface: string;
  /** What the progress notification says is happening. */
  title: string;
  messages: ChatMessage[];
  model?: string;
}

/**
 * One routed answer behind a cancellable progress notification. Resolves to the text, or to
 * undefined after telling the user why there is none (no model, cancelled, every route failed).
 */
export async function complete(deps: CommandDeps, args: CompletionArgs): Promise<string | undefined> {
  const model = args.model ?? (await defaultModel(args.folder, deps.routing, deps.settings, deps.catalog));
  if (!model) {
    void vscode.window.showWarningMessage('BYOK Router: no model can be routed yet. Add a provider key first.', 'Add Key').then((c) => {
      if (c) void vscode.commands.executeCommand('byokRouter.addKey');
    });
    return undefined;
  }
  const outcome = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `${args.title} with ${model}…`, cancellable: true },
    (_progress, token) => deps.routing.generate({ model, messages: args.messages, stream: true }, { folder: args.folder, surface: args.surface, token }),
  );
  if (outcome.ok) return outcome.response.choices[0]?.message.content ?? '';
  if (outcome.error.kind !== 'cancelled') {
    void vscode.window.showErrorMessage(`BYOK Router: ${outcome.error.message}`, 'Explain Route', 'Show Log').then((c) => {
      if (c === 'Explain Route') void vscode.commands.executeCommand('byokRouter.explainRoute', { model, folder: args.folder?.name });
      if (c === 'Show Log') deps.log.show();
    });
  }
  return undefined;
}

/** A model's answer without the code fence it so often wraps a snippet in. */
export function unfence(text: string): string {
  const m = /^\s*(`{3,}|~{3,})[^\n]*\n([\s\S]*?)\n?\1\s*$/.exec(text);
  return m ? m[2]! : text;
}
