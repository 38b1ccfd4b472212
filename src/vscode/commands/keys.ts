/** Add, rotate and remove provider keys. Values are typed into password boxes and go straight to secret storage. */
import * as vscode from 'vscode';
import { isProviderId, type ProviderId, PROVIDERS, type Tier } from '../../core';
import type { NewKey } from '../key-store';
import type { CommandDeps } from './deps';
import { askSecret as askValueOrReference } from '../panels/prompts';

type AddArg = Partial<NewKey> & { provider?: string };

export async function addKey(deps: CommandDeps, arg?: AddArg): Promise<string | undefined> {
  const provider =
    arg?.provider ?? (await vscode.window.showQuickPick([...PROVIDERS], { title: 'Add Key: provider', placeHolder: 'Which provider is this key for?' }));
  if (!provider) return undefined;
  if (!isProviderId(provider)) throw new Error(`unknown provider "${provider}"`);
  const name =
    arg?.name ??
    (await vscode.window.showInputBox({
      title: 'Add Key: name',
      prompt: 'A name you will recognise in plans and the activity log',
      value: `${provider} key`,
      validateInput: (v) => (v.trim() ? undefined : 'Give the key a name'),
    }));
  if (!name) return undefined;
  const secret = arg?.secret ?? (await askSecret(`Add Key: value for "${name}"`, provider));
  if (!secret) return undefined;
  const tier = arg?.tier ?? (await pickTier());
  if (!tier) return undefined;
  const id = await deps.keys.add({ ...arg, provider: provider as ProviderId, name, secret, tier });
  deps.log.info(`added ${provider}/key "${name}" (${id}, ${tier})`);
  if (!arg?.secret)
    void vscode.window
      .showInformationMessage(`Key "${name}" added as ${tier}.`, 'Test All Keys')
      .then((c) => c && vscode.commands.executeCommand('byokRouter.testKeys'));
  return id;
}

export async function rotateKey(deps: CommandDeps, arg?: { id?: string; secret?: string }): Promise<boolean> {
  const key = arg?.id ?? (await pickKey(deps, 'Rotate Key: which key?'));
  if (!key) return false;
  const secret = arg?.secret ?? (await askSecret('Rotate Key: the new value', undefined));
  if (!secret) return false;
  await deps.keys.rotate(key, secret);
  deps.log.info(`rotated key ${key}`);
  if (!arg?.secret) void vscode.window.showInformationMessage('Key rotated; its name, tier, filters and order are unchanged.');
  return true;
}

export async function removeKey(deps: CommandDeps, arg?: { id?: string }): Promise<boolean> {
  const id = arg?.id ?? (await pickKey(deps, 'Remove Key: which key?'));
  if (!id) return false;
  if (!arg?.id) {
    const ok = await vscode.window.showWarningMessage(
      `Remove this key and its stored value?`,
      { modal: true, detail: 'Folders that list the same id keep their entries but will have no value for it.' },
      'Remove',
    );
    if (ok !== 'Remove') return false;
  }
  await deps.keys.remove(id);
  deps.log.info(`removed key ${id}`);
  return true;
}

async function pickKey(deps: CommandDeps, title: string): Promise<string | undefined> {
  const keys = await deps.keys.list();
  if (!keys.length) {
    void vscode.window.showInformationMessage('There are no keys yet.', 'Add Key').then((c) => c && vscode.commands.executeCommand('byokRouter.addKey'));
    return undefined;
  }
  const pick = await vscode.window.showQuickPick(
    keys.map((k) => ({
      label: k.name,
      description: `${k.provider} · ${k.tier} · ${k.source ?? k.tail ?? 'no value stored'}`,
      detail: k.scope === 'folder' ? 'listed in folder settings only' : undefined,
      id: k.id,
    })),
    { title },
  );
  return pick?.id;
}

async function pickTier(): Promise<Tier | undefined> {
  const pick = await vscode.window.showQuickPick(
    [
      { label: 'prioritized' as const, detail: 'Tried first, before pooled access' },
      { label: 'fallback' as const, detail: 'Tried only after pooled access fails' },
    ],
    { title: 'Add Key: tier' },
  );
  return pick?.label;
}

/** The same box as the Providers view: paste the value, or reference a secret manager. */
function askSecret(title: string, provider: string | undefined): Promise<string | undefined> {
  return askValueOrReference(title, provider ?? '');
}
