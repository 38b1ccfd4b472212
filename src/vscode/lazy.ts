/**
 * The activation bundle's half of the two-bundle split (docs/ARCHITECTURE.md): it registers every
 * contribution package.json declares (commands, webview views, the language-model provider, the
 * chat participant, tools) with a stand-in that loads dist/main.js on its first call. dist/main.js
 * then fills the stand-ins in (src/vscode/host-shim.ts), so the router, zod and undici are never
 * evaluated while the editor waits for activate(). This module imports nothing but `vscode` and Node.
 */
import { createRequire } from 'node:module';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { MainApi } from '../main';

/** One contribution's real implementation, set when dist/main.js registers it. */
export class Slot<T> {
  target: T | undefined;
}

/** The contributions the activation bundle registered, by id, for dist/main.js to fill in. */
export interface ShellSlots {
  commands: Map<string, Slot<(...args: unknown[]) => unknown>>;
  views: Map<string, Slot<vscode.WebviewViewProvider>>;
  lm: Map<string, LazyLmProvider>;
  participants: Map<string, { participant: vscode.ChatParticipant; slot: Slot<vscode.ChatRequestHandler> }>;
  tools: Map<string, Slot<vscode.LanguageModelTool<unknown>>>;
}

/** The part of package.json's `contributes` the shell registers stand-ins for. */
interface Contributes {
  commands?: { command: string }[];
  views?: Record<string, { id: string; type?: string }[]>;
  languageModelChatProviders?: { vendor: string }[];
  chatParticipants?: { id: string }[];
  languageModelTools?: { name: string }[];
}

/** One `provideLanguageModelChatResponse` call as the test probe saw it (performance.now() ms). */
export interface LmSample {
  called: number;
  firstReport: number;
}

/** What dist/main.js exports. */
export interface MainModule {
  start(context: vscode.ExtensionContext, shell: { slots: ShellSlots; activationMs: number }): MainHandle;
}

/** A started main bundle: its API parts now, and a promise for the work activation used to await. */
export interface MainHandle {
  ready: Promise<void>;
  api: MainApi;
}

export class LazyMain {
  readonly slots: ShellSlots = { commands: new Map(), views: new Map(), lm: new Map(), participants: new Map(), tools: new Map() };
  /** Set through the test API: each lm response call records when it was called and first reported. */
  lmProbe: LmSample[] | undefined;
  activationMs = 0;
  private handle: MainHandle | undefined;

  constructor(private readonly context: vscode.ExtensionContext) {}

  /** Loads and starts dist/main.js (once); synchronous so the test API's accessors can use it. */
  load(): MainHandle {
    if (!this.handle) {
      // Node's own require on a computed path: esbuild does not follow it, so dist/main.js stays out of this bundle.
      const main = createRequire(__filename)(path.join(__dirname, 'main.js')) as MainModule;
      this.handle = main.start(this.context, { slots: this.slots, activationMs: this.activationMs });
    }
    return this.handle;
  }

  get loaded(): boolean {
    return this.handle !== undefined;
  }

  /** The main bundle started, and its startup work (demo secrets) done. */
  ready(): Promise<void> {
    try {
      return this.load().ready;
    } catch (e) {
      return Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
  }

  /** Registers a stand-in for every contribution package.json declares. */
  register(contributes: Contributes): vscode.Disposable[] {
    const out: vscode.Disposable[] = [];
    for (const { command } of contributes.commands ?? []) {
      const slot = new Slot<(...args: unknown[]) => unknown>();
      this.slots.commands.set(command, slot);
      out.push(vscode.commands.registerCommand(command, async (...args: unknown[]) => (await this.filled(slot, command))(...args)));
    }
    for (const view of Object.values(contributes.views ?? {}).flat()) {
      if (view.type !== 'webview') continue;
      const slot = new Slot<vscode.WebviewViewProvider>();
      this.slots.views.set(view.id, slot);
      out.push(
        vscode.window.registerWebviewViewProvider(view.id, {
          resolveWebviewView: async (webview, ctx, token) => (await this.filled(slot, view.id)).resolveWebviewView(webview, ctx, token),
        }),
      );
    }
    for (const { vendor } of contributes.languageModelChatProviders ?? []) {
      const provider = new LazyLmProvider(this, vendor);
      this.slots.lm.set(vendor, provider);
      out.push(provider, vscode.lm.registerLanguageModelChatProvider(vendor, provider));
    }
    for (const { id } of contributes.chatParticipants ?? []) {
      const slot = new Slot<vscode.ChatRequestHandler>();
      const participant = vscode.chat.createChatParticipant(id, async (request, ctx, stream, token) =>
        (await this.filled(slot, id))(request, ctx, stream, token),
      );
      participant.iconPath = vscode.Uri.joinPath(this.context.extensionUri, 'media', 'icon.png');
      this.slots.participants.set(id, { participant, slot });
      out.push(participant);
    }
    for (const { name } of contributes.languageModelTools ?? []) {
      const slot = new Slot<vscode.LanguageModelTool<unknown>>();
      this.slots.tools.set(name, slot);
      out.push(
        vscode.lm.registerTool<unknown>(name, {
          prepareInvocation: async (options, token) => (await this.filled(slot, name)).prepareInvocation?.(options, token),
          invoke: async (options, token) => (await this.filled(slot, name)).invoke(options, token),
        }),
      );
    }
    return out;
  }

  /** The slot's implementation, loading dist/main.js first when it has not run yet. */
  async filled<T>(slot: Slot<T>, id: string): Promise<T> {
    if (slot.target === undefined) await this.ready();
    if (slot.target === undefined) throw new Error(`BYOK Router: "${id}" is not available in this window.`);
    return slot.target;
  }
}

/** The language-model provider's stand-in; once filled, calls go straight through without an extra await. */
export class LazyLmProvider implements vscode.LanguageModelChatProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeLanguageModelChatInformation = this.changed.event;
  private readonly slot = new Slot<vscode.LanguageModelChatProvider>();
  private subscription: vscode.Disposable | undefined;

  constructor(
    private readonly main: LazyMain,
    private readonly vendor: string,
  ) {}

  /** Called by dist/main.js when it registers the real provider; the model list is asked for again. */
  bind(target: vscode.LanguageModelChatProvider | undefined) {
    this.subscription?.dispose();
    this.slot.target = target;
    this.subscription = target?.onDidChangeLanguageModelChatInformation?.(() => this.changed.fire());
    this.changed.fire();
  }

  async provideLanguageModelChatInformation(options: vscode.PrepareLanguageModelChatModelOptions, token: vscode.CancellationToken) {
    return (await this.main.filled(this.slot, this.vendor)).provideLanguageModelChatInformation(options, token) ?? [];
  }

  /** Passes the call through as it came, its progress timed first when the test hook is on. */
  async provideLanguageModelChatResponse(...args: Parameters<vscode.LanguageModelChatProvider['provideLanguageModelChatResponse']>): Promise<void> {
    const [model, messages, options, progress, token] = args;
    const probe = this.main.lmProbe;
    const reported = probe ? probed(progress, probe) : progress;
    const target = this.slot.target ?? (await this.main.filled(this.slot, this.vendor));
    return target.provideLanguageModelChatResponse(model, messages, options, reported, token);
  }

  async provideTokenCount(model: vscode.LanguageModelChatInformation, text: string | vscode.LanguageModelChatRequestMessage, token: vscode.CancellationToken) {
    return (await this.main.filled(this.slot, this.vendor)).provideTokenCount(model, text, token);
  }

  dispose() {
    this.subscription?.dispose();
    this.changed.dispose();
  }
}

/** Records when the call started and when it first reported a part (test hook only). */
function probed(progress: vscode.Progress<vscode.LanguageModelResponsePart>, samples: LmSample[]): vscode.Progress<vscode.LanguageModelResponsePart> {
  const sample: LmSample = { called: performance.now(), firstReport: 0 };
  return {
    report(part) {
      if (!sample.firstReport) {
        sample.firstReport = performance.now();
        samples.push(sample);
      }
      progress.report(part);
    },
  };
}
