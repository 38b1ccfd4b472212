/**
 * The activation bundle (dist/extension.js): registers every contribution with a stand-in and
 * returns. The router, its schemas and its HTTP client are in dist/main.js (src/main.ts), loaded on
 * the first use of a contribution, and warmed right after activation for the status bar, the local
 * endpoint and the alerts. Nothing here may import src/core: that would pull the router back in.
 */
import * as vscode from 'vscode';
import type { MainApi } from './main';
import { LazyMain, type LmSample } from './vscode/lazy';

/** What the extension offers other extensions (and its integration tests). Never a secret. */
export interface ByokRouterApi extends MainApi {
  /** Milliseconds from the activation bundle's first statement to the end of activate(). */
  readonly activationMs: number;
  /**
   * performance.now() at the activation bundle's first and last statements, and at the start and
   * end of activate(). Between the bundle's end and activate() the host prepares the extension's
   * context (its storage, over a round trip to the window) in parallel with loading the bundle.
   */
  readonly activation: { bundleStart: number; bundleEnd: number; activateStart: number; activateEnd: number; mainLoadedDuringActivation: boolean };
  /** Whether dist/main.js (the router) has been loaded into this host yet. */
  mainLoaded(): boolean;
  /** Test hook: while on, each vscode.lm response records when it was called and when it first reported a part. */
  lmProbe(on: boolean): LmSample[];
}

/** Set by the bundle's first and last statements (esbuild banner and footer), so module evaluation counts as activation. */
declare const __byokLoadStart: number | undefined;
declare const __byokLoadEnd: number | undefined;

export function activate(context: vscode.ExtensionContext): ByokRouterApi {
  const activateStart = performance.now();
  const bundleStart = typeof __byokLoadStart === 'number' ? __byokLoadStart : activateStart;
  const bundleEnd = typeof __byokLoadEnd === 'number' ? __byokLoadEnd : activateStart;
  const main = new LazyMain(context);
  context.subscriptions.push(...main.register(context.extension.packageJSON.contributes ?? {}));
  const activateEnd = performance.now();
  const mainLoadedDuringActivation = main.loaded;
  main.activationMs = Math.round((activateEnd - bundleStart) * 10) / 10;
  // After activate() returns: the status bar, alerts and the local endpoint want the router now,
  // but the editor need not wait for it. A failure here surfaces again on the first real use.
  setTimeout(() => void main.ready().catch((e: unknown) => console.error(`BYOK Router: ${(e as Error).message}`)), 0);

  const api = () => main.load().api;
  const generated = new vscode.EventEmitter<Parameters<Parameters<MainApi['onDidGenerate']>[0]>[0]>();
  let forwarding: vscode.Disposable | undefined;
  context.subscriptions.push(generated, { dispose: () => forwarding?.dispose() });
  return {
    activationMs: main.activationMs,
    activation: { bundleStart, bundleEnd, activateStart, activateEnd, mainLoadedDuringActivation },
    mainLoaded: () => main.loaded,
    lmProbe: (on) => {
      const samples = main.lmProbe ?? [];
      main.lmProbe = on ? [] : undefined;
      return samples;
    },
    onDidGenerate: (listener, thisArgs, disposables) => {
      forwarding ??= api().onDidGenerate((r) => generated.fire(r));
      return generated.event(listener, thisArgs, disposables);
    },
    status: () => api().status(),
    problems: (folder) => api().problems(folder),
    endpoint: () => api().endpoint(),
    endpointStatus: () => api().endpointStatus(),
    views: () => api().views(),
  };
}

export function deactivate() {
  // Everything is in context.subscriptions.
}
