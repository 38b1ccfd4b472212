/** Every contributed command, wired to its handler. Handlers take an optional argument object so tests and other extensions can skip the prompts. */
import * as vscode from 'vscode';
import { ACTIVITY_VIEW_ID as ACTIVITY_VIEW, PROVIDERS_VIEW_ID as PROVIDERS_VIEW } from '../panels';
import { editSelection, explainSelection, generateCommitMessage } from './coding';
import type { CommandDeps } from './deps';
import { addKey, removeKey, rotateKey } from './keys';
import { explainRoute, openChat, setCaller, testKeys } from './routing-commands';

export function registerCommands(deps: CommandDeps): vscode.Disposable {
  const commands: Record<string, (arg?: never) => unknown> = {
    'byokRouter.explainSelection': (arg) => explainSelection(deps, arg),
    'byokRouter.editSelection': (arg) => editSelection(deps, arg),
    'byokRouter.generateCommitMessage': (arg) => generateCommitMessage(deps, arg),
    'byokRouter.explainRoute': (arg) => explainRoute(deps, arg),
    'byokRouter.testKeys': () => testKeys(deps),
    'byokRouter.addKey': (arg) => addKey(deps, arg),
    'byokRouter.rotateKey': (arg) => rotateKey(deps, arg),
    'byokRouter.removeKey': (arg) => removeKey(deps, arg),
    'byokRouter.setCaller': (arg) => setCaller(deps, arg),
    'byokRouter.openProviders': () => vscode.commands.executeCommand(`${PROVIDERS_VIEW}.focus`),
    'byokRouter.openActivity': () => vscode.commands.executeCommand(`${ACTIVITY_VIEW}.focus`),
    'byokRouter.showLog': () => deps.log.show(),
    'byokRouter.openChat': (arg) => openChat(deps, arg),
  };
  return vscode.Disposable.from(
    ...Object.entries(commands).map(([id, run]) =>
      vscode.commands.registerCommand(id, async (arg?: never) => {
        try {
          return await run(arg);
        } catch (e) {
          // A failed command says so where the user looks, and leaves the details in the log.
          deps.log.error(`${id}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
          void vscode.window.showErrorMessage(`BYOK Router: ${e instanceof Error ? e.message : String(e)}`);
          return undefined;
        }
      }),
    ),
  );
}
