/** Registers the Providers and Activity views with the host's services. */
import * as vscode from 'vscode';
import { ActivityViewProvider, ACTIVITY_VIEW_ID } from './activity-view';
import { ProvidersViewProvider, PROVIDERS_VIEW_ID } from './providers-view';
import type { PanelServices } from './services';

export type { PanelServices } from './services';
export { ACTIVITY_VIEW_ID, PROVIDERS_VIEW_ID };

export interface Panels extends vscode.Disposable {
  providers: ProvidersViewProvider;
  activity: ActivityViewProvider;
}

export function registerPanels(services: PanelServices): Panels {
  const providers = new ProvidersViewProvider(services);
  const activity = new ActivityViewProvider(services);
  // Not retained when hidden: the page keeps its UI state with setState and asks again on `ready`.
  const registrations = [
    vscode.window.registerWebviewViewProvider(PROVIDERS_VIEW_ID, providers),
    vscode.window.registerWebviewViewProvider(ACTIVITY_VIEW_ID, activity),
  ];
  return {
    providers,
    activity,
    dispose() {
      for (const r of registrations) r.dispose();
      providers.dispose();
      activity.dispose();
    },
  };
}
