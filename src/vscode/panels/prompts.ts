/**
 * The host's own input boxes and confirmations the panels use. A key value is typed into a
 * password box here and goes straight to secret storage: it never passes through a webview.
 */
import * as vscode from 'vscode';
import { defaultExpiry, isReference, parseReference, REFERENCE_FORMS, SCHEME_LABELS, type SecretScheme } from '../../core';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function askKeyName(title: string, value: string): Thenable<string | undefined> {
  return vscode.window.showInputBox({
    title,
    prompt: 'A name you will recognise in plans, the status bar and the Activity view',
    value,
    ignoreFocusOut: true,
    validateInput: (v) => (v.trim() ? undefined : 'Give the key a name'),
  });
}

/**
 * The value, or a secret-manager reference: the password box has a "Reference a secret manager…"
 * button beside it, and a reference pasted into it is recognised too.
 */
export async function askSecret(title: string, provider: string): Promise<string | undefined> {
  for (;;) {
    const typed = await pasteValue(title, provider);
    if (typed !== REFERENCE) return typed;
    const ref = await askReference(title);
    if (ref !== BACK) return ref;
  }
}

const REFERENCE = Symbol('reference');
const BACK = Symbol('back');

export const REFERENCE_BUTTON_TOOLTIP = 'Reference a secret manager…';

function pasteValue(title: string, provider: string): Promise<string | undefined | typeof REFERENCE> {
  const hint =
    provider === 'google-vertex'
      ? 'Paste the service-account JSON'
      : provider === 'amazon-bedrock'
        ? 'A Bedrock API key, or JSON {"accessKeyId","secretAccessKey"}'
        : provider === 'openrouter'
          ? 'Paste the OpenRouter API key'
          : 'Paste the API key';
  const box = vscode.window.createInputBox();
  box.title = title;
  box.prompt = `${hint}, or use ${REFERENCE_BUTTON_TOOLTIP} (the link button). It is kept in the editor's secret storage; only its last four characters are ever shown.`;
  box.password = true;
  box.ignoreFocusOut = true;
  box.buttons = [{ iconPath: new vscode.ThemeIcon('link'), tooltip: REFERENCE_BUTTON_TOOLTIP }];
  return new Promise((resolve) => {
    let done = false;
    const finish = (v: string | undefined | typeof REFERENCE) => {
      if (done) return;
      done = true;
      resolve(v);
      box.dispose();
    };
    box.onDidChangeValue((v) => {
      const r = isReference(v) ? parseReference(v) : undefined;
      box.validationMessage = r && !r.ok ? r.error : undefined;
    });
    box.onDidTriggerButton(() => finish(REFERENCE));
    box.onDidAccept(() => {
      const v = box.value.trim();
      if (!v) return void (box.validationMessage = 'The value is empty');
      if (isReference(v) && !parseReference(v).ok) return;
      finish(v);
    });
    box.onDidHide(() => finish(undefined));
    box.show();
  });
}

/** Which manager, then the reference itself, prefilled with that manager's form. */
async function askReference(title: string): Promise<string | undefined | typeof BACK> {
  const schemes = (Object.keys(REFERENCE_FORMS) as SecretScheme[]).filter((s) => s !== 'env' || vscode.workspace.isTrusted);
  const pick = await vscode.window.showQuickPick(
    schemes.map((scheme) => ({
      label: SCHEME_LABELS[scheme] === 'environment' ? 'Environment variable' : SCHEME_LABELS[scheme],
      description: REFERENCE_FORMS[scheme],
      scheme,
    })),
    {
      title: `${title}: ${REFERENCE_BUTTON_TOOLTIP}`,
      placeHolder: 'Where the secret lives; it is read with your own sign-in, when a request needs it',
      ignoreFocusOut: true,
    },
  );
  if (!pick) return BACK;
  const form = REFERENCE_FORMS[pick.scheme];
  const prefix = pick.scheme === 'env' ? 'env:' : `${pick.scheme}://`;
  const ref = await vscode.window.showInputBox({
    title: `${title}: ${pick.label} reference`,
    prompt: `The reference, such as ${form}. Only the reference is stored; the value is read when needed and kept in memory for a few minutes.${vscode.workspace.isTrusted ? '' : ' References resolve only once you trust this workspace.'}`,
    value: prefix,
    valueSelection: [prefix.length, prefix.length],
    ignoreFocusOut: true,
    validateInput: (v) => {
      const r = parseReference(v);
      return r.ok ? (r.ref.scheme === pick.scheme ? undefined : `expected ${form}`) : r.error;
    },
  });
  return ref?.trim() || BACK;
}

export function askCallerName(taken: ReadonlySet<string>): Thenable<string | undefined> {
  return vscode.window.showInputBox({
    title: 'New caller',
    prompt: 'A calling identity such as dev, prod or evals; each can have its own OpenRouter key and key filters can name it',
    ignoreFocusOut: true,
    validateInput: (v) =>
      !NAME.test(v) ? 'Letters, digits, ".", "_" or "-", starting with a letter or digit' : taken.has(v) ? `"${v}" already exists` : undefined,
  });
}

export async function confirm(message: string, detail: string, action: string): Promise<boolean> {
  const choice = await vscode.window.showWarningMessage(message, { modal: true, detail }, action);
  return choice === action;
}

/** When the Firecrawl credits expire: three months from today unless the user knows better. */
export function askExpiry(): Thenable<string | undefined> {
  const value = defaultExpiry(Date.now());
  return vscode.window
    .showInputBox({
      title: 'When do the Firecrawl credits expire?',
      prompt: 'A date (YYYY-MM-DD). Free credits last three months; reminders come 14, 3 and 1 days before.',
      value,
      ignoreFocusOut: true,
      validateInput: (v) => (/^\d{4}-\d{2}-\d{2}$/.test(v.trim()) && !Number.isNaN(Date.parse(v.trim())) ? undefined : 'Expected a date such as 2027-03-04'),
    })
    .then((v) => v?.trim());
}
