/**
 * The host's own input boxes and confirmations the panels use. A key value is typed into a
 * password box here and goes straight to secret storage: it never passes through a webview.
 */
import * as vscode from 'vscode';

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

export function askSecret(title: string, provider: string): Thenable<string | undefined> {
  const hint =
    provider === 'google-vertex'
      ? 'Paste the service-account JSON'
      : provider === 'amazon-bedrock'
        ? 'A Bedrock API key, or JSON {"accessKeyId","secretAccessKey"}'
        : provider === 'openrouter'
          ? 'Paste the OpenRouter API key'
          : 'Paste the API key';
  return vscode.window.showInputBox({
    title,
    prompt: `${hint}. It is kept in the editor's secret storage; only its last four characters are ever shown.`,
    password: true,
    ignoreFocusOut: true,
    validateInput: (v) => (v.trim() ? undefined : 'The value is empty'),
  });
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
