/** Editor commands that ask a routed model: explain, edit a selection, write a commit message. */
import * as vscode from 'vscode';
import { complete, unfence, type CommandDeps } from './deps';

interface ModelArg {
  model?: string;
}

export async function explainSelection(deps: CommandDeps, arg?: ModelArg): Promise<string | undefined> {
  const editor = vscode.window.activeTextEditor;
  if (!editor || editor.selection.isEmpty) {
    void vscode.window.showInformationMessage('Select some code to explain first.');
    return undefined;
  }
  const doc = editor.document;
  const code = doc.getText(editor.selection);
  const text = await complete(deps, {
    folder: deps.folders.active(),
    surface: 'command:explain',
    title: 'Explaining the selection',
    model: arg?.model,
    messages: [
      { role: 'system', content: 'You explain code to a developer reading it in their editor. Be concise and concrete; use Markdown.' },
      {
        role: 'user',
        content: `Explain this ${doc.languageId} code from ${vscode.workspace.asRelativePath(doc.uri)}:\n\n\`\`\`${doc.languageId}\n${code}\n\`\`\``,
      },
    ],
  });
  if (text === undefined) return undefined;
  const shown = await vscode.workspace.openTextDocument({ language: 'markdown', content: text });
  await vscode.window.showTextDocument(shown, { viewColumn: vscode.ViewColumn.Beside, preview: true, preserveFocus: true });
  return text;
}

export async function editSelection(deps: CommandDeps, arg?: ModelArg & { instruction?: string }): Promise<boolean> {
  const editor = vscode.window.activeTextEditor;
  if (!editor || editor.selection.isEmpty) {
    void vscode.window.showInformationMessage('Select the code to edit first.');
    return false;
  }
  const instruction =
    arg?.instruction ??
    (await vscode.window.showInputBox({
      title: 'Edit Selection with Instruction',
      prompt: 'What should change?',
      placeHolder: 'e.g. add error handling',
      ignoreFocusOut: true,
    }));
  if (!instruction?.trim()) return false;
  const doc = editor.document;
  const selection = editor.selection;
  const original = doc.getText(selection);
  const version = doc.version;
  const text = await complete(deps, {
    folder: deps.folders.active(),
    surface: 'command:edit',
    title: 'Editing the selection',
    model: arg?.model,
    messages: [
      {
        role: 'system',
        content:
          'You rewrite a selection of code as instructed. Reply with the replacement text only: no explanation and no code fences. Keep the indentation style.',
      },
      { role: 'user', content: `Instruction: ${instruction}\n\nLanguage: ${doc.languageId}\nSelection:\n${original}` },
    ],
  });
  if (text === undefined) return false;
  if (doc.version !== version && doc.getText(selection) !== original) {
    void vscode.window.showWarningMessage('The selection changed while the model was answering; nothing was replaced.');
    return false;
  }
  // One edit between two undo stops: a single Undo restores the original.
  return editor.edit((b) => b.replace(selection, unfence(text)), { undoStopBefore: true, undoStopAfter: true });
}

/** The slice of the Git extension's API this command uses. */
interface GitRepository {
  readonly rootUri: vscode.Uri;
  readonly inputBox: { value: string };
  diff(cached?: boolean): Promise<string>;
}
interface GitApi {
  readonly repositories: GitRepository[];
  getRepository(uri: vscode.Uri): GitRepository | null;
}

const MAX_DIFF_CHARS = 60_000;

export async function generateCommitMessage(deps: CommandDeps, arg?: unknown): Promise<string | undefined> {
  const git = await gitApi();
  if (!git) {
    void vscode.window.showWarningMessage('Generate Commit Message needs the built-in Git extension.');
    return undefined;
  }
  const repo = await pickRepository(deps, git, arg);
  if (!repo) return undefined;
  let diff = await repo.diff(true);
  const staged = diff.trim().length > 0;
  if (!staged) diff = await repo.diff(false);
  if (!diff.trim()) {
    void vscode.window.showInformationMessage('There are no changes to describe.');
    return undefined;
  }
  const clipped = diff.length > MAX_DIFF_CHARS ? `${diff.slice(0, MAX_DIFF_CHARS)}\n… (diff truncated)` : diff;
  const model = typeof arg === 'object' && arg !== null && typeof (arg as ModelArg).model === 'string' ? (arg as ModelArg).model : undefined;
  const text = await complete(deps, {
    folder: vscode.workspace.getWorkspaceFolder(repo.rootUri) ?? deps.folders.active(),
    surface: 'command:commit-message',
    title: 'Writing a commit message',
    model,
    messages: [
      {
        role: 'system',
        content:
          'You write git commit messages: a summary line of at most 72 characters in the imperative mood, then a blank line and a short body only if the change needs it. Reply with the message only.',
      },
      { role: 'user', content: `${staged ? 'Staged' : 'Unstaged'} changes:\n\n${clipped}` },
    ],
  });
  if (text === undefined) return undefined;
  const message = unfence(text).trim();
  repo.inputBox.value = message;
  return message;
}

async function gitApi(): Promise<GitApi | undefined> {
  const ext = vscode.extensions.getExtension<{ getAPI(v: 1): GitApi }>('vscode.git');
  if (!ext) return undefined;
  const exports = ext.isActive ? ext.exports : await ext.activate();
  return exports?.getAPI(1);
}

async function pickRepository(deps: CommandDeps, git: GitApi, arg: unknown): Promise<GitRepository | undefined> {
  const named = deps.folders.resolve(arg);
  const hinted =
    (typeof arg === 'object' && arg !== null && (arg as { rootUri?: unknown }).rootUri instanceof vscode.Uri
      ? git.getRepository((arg as { rootUri: vscode.Uri }).rootUri)
      : null) ??
    (named ? git.getRepository(named.uri) : null) ??
    (deps.folders.active() ? git.getRepository(deps.folders.active()!.uri) : null);
  if (hinted) return hinted;
  if (git.repositories.length === 1) return git.repositories[0];
  if (!git.repositories.length) {
    void vscode.window.showInformationMessage('No Git repository is open.');
    return undefined;
  }
  const pick = await vscode.window.showQuickPick(
    git.repositories.map((r) => ({ label: vscode.workspace.asRelativePath(r.rootUri, true), repo: r })),
    { title: 'Generate Commit Message for…' },
  );
  return pick?.repo;
}
