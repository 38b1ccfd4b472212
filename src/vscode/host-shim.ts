/**
 * What `vscode` resolves to inside dist/main.js (esbuild.js aliases it): the real API, except that
 * registering a contribution the activation bundle already registered (src/vscode/lazy.ts) fills in
 * that stand-in instead of registering the id a second time, which the host would refuse. The
 * editor modules keep calling the plain API and never know about the split.
 */
import * as real from 'vscode';
import type { ShellSlots, Slot } from './lazy';

export * from 'vscode';

let slots: ShellSlots | undefined;

/** Called by dist/main.js before anything registers. */
export function bindShell(shell: ShellSlots | undefined) {
  slots = shell;
}

/** The slot is the caller's until the returned disposable runs. */
function fill<T>(slot: Slot<T>, target: T, unbind?: () => void): real.Disposable {
  slot.target = target;
  return new real.Disposable(() => {
    if (slot.target !== target) return;
    slot.target = undefined;
    unbind?.();
  });
}

/** A namespace with some functions replaced; getters (activeTextEditor, tools, …) stay live on the prototype. */
function override<T extends object>(ns: T, fns: Partial<T>): T {
  return Object.create(ns, Object.fromEntries(Object.entries(fns).map(([k, v]) => [k, { value: v }]))) as T;
}

export const commands: typeof real.commands = override(real.commands, {
  registerCommand(id: string, handler: (...args: unknown[]) => unknown, thisArg?: unknown) {
    const slot = slots?.commands.get(id);
    return slot ? fill(slot, thisArg === undefined ? handler : handler.bind(thisArg)) : real.commands.registerCommand(id, handler, thisArg);
  },
});

export const window: typeof real.window = override(real.window, {
  registerWebviewViewProvider(id: string, provider: real.WebviewViewProvider, options?: { webviewOptions?: { retainContextWhenHidden?: boolean } }) {
    const slot = slots?.views.get(id);
    return slot ? fill(slot, provider) : real.window.registerWebviewViewProvider(id, provider, options);
  },
});

export const lm: typeof real.lm = override(real.lm, {
  registerLanguageModelChatProvider(vendor: string, provider: real.LanguageModelChatProvider) {
    const stand = slots?.lm.get(vendor);
    if (!stand) return real.lm.registerLanguageModelChatProvider(vendor, provider);
    stand.bind(provider);
    return new real.Disposable(() => stand.bind(undefined));
  },
  registerTool<T>(name: string, tool: real.LanguageModelTool<T>) {
    const slot = slots?.tools.get(name);
    return slot ? fill(slot, tool as real.LanguageModelTool<unknown>) : real.lm.registerTool(name, tool);
  },
});

export const chat: typeof real.chat = override(real.chat, {
  createChatParticipant(id: string, handler: real.ChatRequestHandler) {
    const stand = slots?.participants.get(id);
    if (!stand) return real.chat.createChatParticipant(id, handler);
    fill(stand.slot, handler);
    // The stand-in's participant: properties set on it (icon, followups) apply to what the user sees.
    return stand.participant;
  },
});
