/** Which workspace folder a request belongs to: the one a command names, else the active editor's. */
import * as vscode from 'vscode';

export class FolderTracker implements vscode.Disposable {
  /** The folder of the last file editor, kept while focus is on a panel, the chat or an untitled file. */
  private last: vscode.WorkspaceFolder | undefined;
  private readonly subscription: vscode.Disposable;

  constructor() {
    this.remember(vscode.window.activeTextEditor);
    this.subscription = vscode.window.onDidChangeActiveTextEditor((e) => this.remember(e));
  }

  /** The folder a request from the UI runs in; undefined when none can be told (user settings apply). */
  active(): vscode.WorkspaceFolder | undefined {
    const doc = vscode.window.activeTextEditor?.document;
    const own = doc ? vscode.workspace.getWorkspaceFolder(doc.uri) : undefined;
    if (own) return own;
    const folders = vscode.workspace.workspaceFolders ?? [];
    if (this.last && folders.some((f) => f.uri.toString() === this.last!.uri.toString())) return this.last;
    return folders.length === 1 ? folders[0] : undefined;
  }

  /** A folder named by a command argument: a Uri inside it, its name, its URI string, or a `{ folder }` object. */
  resolve(arg: unknown): vscode.WorkspaceFolder | undefined {
    if (arg instanceof vscode.Uri) return vscode.workspace.getWorkspaceFolder(arg);
    if (typeof arg === 'string') {
      const folders = vscode.workspace.workspaceFolders ?? [];
      return folders.find((f) => f.name === arg || f.uri.toString() === arg);
    }
    if (typeof arg === 'object' && arg !== null) {
      const a = arg as { folder?: unknown; uri?: unknown; rootUri?: unknown };
      if (a.folder !== undefined) return this.resolve(a.folder);
      if (a.rootUri instanceof vscode.Uri) return this.resolve(a.rootUri); // an SCM repository
      if (a.uri instanceof vscode.Uri) return this.resolve(a.uri);
    }
    return undefined;
  }

  dispose() {
    this.subscription.dispose();
  }

  private remember(editor: vscode.TextEditor | undefined) {
    const f = editor ? vscode.workspace.getWorkspaceFolder(editor.document.uri) : undefined;
    if (f) this.last = f;
  }
}
