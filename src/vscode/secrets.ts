/**
 * Secret values over the editor's SecretStorage. Values go in and come out only here; everything
 * else sees ids, names and masked tails. Each stored key secret is bound to the provider it was
 * stored for, so settings from a repository cannot re-point an id at another provider's host.
 */
import * as vscode from 'vscode';
import { isReference, type Redactor, secretProblem, type SecretSource } from '../core';

const KEY_PREFIX = 'byokRouter.key.';
const CALLER_PREFIX = 'byokRouter.caller.';
const BINDINGS = 'byokRouter.secretProviders';

export function keySecretName(id: string): string {
  return KEY_PREFIX + id;
}

export function callerSecretName(caller: string): string {
  return CALLER_PREFIX + caller;
}

export type SecretChange = { kind: 'key'; id: string } | { kind: 'caller'; name: string };

export class SecretVault implements SecretSource, vscode.Disposable {
  /** Reads are cached: the router asks for every candidate key on every plan, and in a web client each read is a round trip. */
  private readonly cache = new Map<string, Promise<string | undefined>>();
  private readonly changed = new vscode.EventEmitter<SecretChange>();
  readonly onDidChange = this.changed.event;
  private readonly subscription: vscode.Disposable;
  /** Moves on with every change, here or in another window: cached plans are made again. */
  private changes = 0;

  constructor(
    private readonly storage: vscode.SecretStorage,
    private readonly state: vscode.Memento,
    private readonly redactor: Redactor,
  ) {
    // Fires for changes made in other windows too.
    this.subscription = storage.onDidChange((e) => {
      this.changes++;
      this.cache.delete(e.key);
      if (e.key.startsWith(KEY_PREFIX)) this.changed.fire({ kind: 'key', id: e.key.slice(KEY_PREFIX.length) });
      else if (e.key.startsWith(CALLER_PREFIX)) this.changed.fire({ kind: 'caller', name: e.key.slice(CALLER_PREFIX.length) });
    });
  }

  keySecret(id: string): Promise<string | undefined> {
    return this.read(keySecretName(id));
  }

  callerSecret(caller: string): Promise<string | undefined> {
    return this.read(callerSecretName(caller));
  }

  epoch(): number {
    return this.changes;
  }

  /** The provider a key id's secret was stored for, if it was stored by this extension. */
  boundProvider(id: string): string | undefined {
    const b = this.bindings();
    // Own entries only: an id such as `toString` must not find Object.prototype's function.
    return Object.hasOwn(b, id) && typeof b[id] === 'string' ? b[id] : undefined;
  }

  bindings(): Readonly<Record<string, string>> {
    return this.state.get<Record<string, string>>(BINDINGS, {});
  }

  async storeKey(id: string, provider: string, value: string): Promise<void> {
    const secret = value.trim();
    const problem = secretProblem(secret);
    if (problem) throw new Error(`this secret ${problem}`);
    if (!isReference(secret)) this.redactor.add(secret);
    await this.state.update(BINDINGS, { ...this.bindings(), [id]: provider });
    await this.write(keySecretName(id), secret);
  }

  async deleteKey(id: string): Promise<void> {
    const { [id]: _gone, ...rest } = this.bindings();
    await this.state.update(BINDINGS, rest);
    await this.remove(keySecretName(id));
  }

  async storeCaller(caller: string, value: string): Promise<void> {
    const secret = value.trim();
    const problem = secretProblem(secret);
    if (problem) throw new Error(`this secret ${problem}`);
    if (!isReference(secret)) this.redactor.add(secret);
    await this.write(callerSecretName(caller), secret);
  }

  async deleteCaller(caller: string): Promise<void> {
    await this.remove(callerSecretName(caller));
  }

  dispose() {
    this.subscription.dispose();
    this.changed.dispose();
  }

  private read(name: string): Promise<string | undefined> {
    let p = this.cache.get(name);
    if (!p) {
      p = Promise.resolve(this.storage.get(name)).then((v) => {
        // Values stored before trimming was enforced, or by other tools, are trimmed on the way out.
        const t = v?.trim();
        // A reference is not secret, and errors that name it should stay readable.
        if (!isReference(t)) this.redactor.add(t);
        return t || undefined;
      });
      p.catch(() => this.cache.delete(name));
      this.cache.set(name, p);
    }
    return p;
  }

  private async write(name: string, value: string) {
    this.changes++;
    this.cache.set(name, Promise.resolve(value));
    await this.storage.store(name, value);
  }

  private async remove(name: string) {
    this.changes++;
    this.cache.set(name, Promise.resolve(undefined));
    await this.storage.delete(name);
  }
}
