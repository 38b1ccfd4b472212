/**
 * Provider keys: the entry (id, provider, name, tier, filters, options) in user settings, the
 * value in SecretStorage under the id. Rotation replaces only the value, so the key keeps its id,
 * name, tier, filters and place in the order.
 */
import * as vscode from 'vscode';
import { describeReference, isRecord, isReference, type KeyConfig, keySchema, maskedTail, type Tier } from '../core';
import { addKeyEntry, entryId, indexOfKey, type NewKeyEntry, withoutKey } from './key-edits';
import type { SecretVault } from './secrets';
import type { RoutingSettings } from './routing-config';

export interface NewKey extends NewKeyEntry {
  secret: string;
}

export interface KeySummary {
  id: string;
  provider: string;
  name: string;
  tier: Tier;
  /** `…a1b2`, or undefined when no value is stored. */
  tail: string | undefined;
  /** For a secret-manager reference: "from 1Password: op://…". */
  source?: string;
  /** Where the entry lives: user settings, or only in a folder's. */
  scope: 'user' | 'folder';
}

export class KeyStore implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  /** Entries or values changed, in this window or another. */
  readonly onDidChange = this.changed.event;
  private readonly subscriptions: vscode.Disposable[];

  constructor(
    private readonly vault: SecretVault,
    private readonly settings: RoutingSettings,
  ) {
    this.subscriptions = [
      vault.onDidChange((e) => e.kind === 'key' && this.changed.fire()),
      vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('byokRouter.keys') && this.changed.fire()),
    ];
  }

  /** Every key of every scope, user entries first, each id once. */
  async list(): Promise<KeySummary[]> {
    const seen = new Map<string, KeySummary>();
    const add = async (k: KeyConfig, scope: KeySummary['scope']) => {
      if (seen.has(k.id)) return;
      const secret = await this.vault.keySecret(k.id);
      seen.set(k.id, {
        id: k.id,
        provider: k.provider,
        name: k.name,
        tier: k.tier,
        tail: secret ? maskedTail(secret) : undefined,
        ...(isReference(secret) ? { source: describeReference(secret) } : {}),
        scope,
      });
    };
    for (const raw of this.userEntries()) {
      const parsed = keySchema.safeParse(raw);
      if (parsed.success) await add(parsed.data, 'user');
    }
    for (const scope of this.settings.scopes()) for (const k of scope.parsed.config.keys) await add(k, 'folder');
    return [...seen.values()];
  }

  async add(key: NewKey): Promise<string> {
    const { secret, ...fields } = key;
    const { id, list } = addKeyEntry(this.userEntries(), fields, this.allKeyIds());
    // The value first: an entry without a value is a key that fails; a value without an entry is invisible.
    await this.vault.storeKey(id, key.provider, secret);
    await this.writeUserEntries(list);
    return id;
  }

  /** Replaces the value of an existing key; nothing else about the key changes. */
  async rotate(id: string, secret: string): Promise<void> {
    const provider = this.providerOf(id);
    if (!provider) throw new Error(`no key with id "${id}" in your settings`);
    await this.vault.storeKey(id, provider, secret);
  }

  /** Removes the user-settings entry and the stored value. */
  async remove(id: string): Promise<void> {
    const entries = this.userEntries();
    if (indexOfKey(entries, id) >= 0) await this.writeUserEntries(withoutKey(entries, id));
    await this.vault.deleteKey(id);
  }

  dispose() {
    for (const s of this.subscriptions) s.dispose();
    this.changed.dispose();
  }

  private providerOf(id: string): string | undefined {
    for (const e of this.userEntries()) if (isRecord(e) && e.id === id && typeof e.provider === 'string') return e.provider;
    for (const scope of this.settings.scopes()) for (const k of scope.parsed.config.keys) if (k.id === id) return k.provider;
    return undefined;
  }

  /** Ids in use in any scope: a new key's id must not shadow a folder's key. */
  private allKeyIds(): Set<string> {
    const ids = new Set(this.userEntries().flatMap((e) => entryId(e) ?? []));
    for (const scope of this.settings.scopes()) for (const k of scope.parsed.config.keys) ids.add(k.id);
    return ids;
  }

  private userEntries(): unknown[] {
    const v = vscode.workspace.getConfiguration('byokRouter').inspect<unknown[]>('keys')?.globalValue;
    return Array.isArray(v) ? [...v] : [];
  }

  private async writeUserEntries(entries: unknown[]) {
    await vscode.workspace.getConfiguration('byokRouter').update('keys', entries, vscode.ConfigurationTarget.Global);
  }
}
