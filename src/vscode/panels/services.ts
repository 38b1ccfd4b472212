/** What the panels take from the rest of the extension: the same key store, settings and routers every other surface uses. */
import type { ActivityMonthToDate, ActivityQuery, ActivityScan, Catalog, Redactor } from '../../core';
import type { RoutingService } from '../folder-routers';
import type { SecretVault } from '../secrets';
import type { WebSearchService } from '../web-search';
import type { RoutingSettings } from '../routing-config';

export interface PanelLog {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface ActivityReader {
  scan(query?: ActivityQuery): Promise<ActivityScan>;
  monthToDate(now: number): Promise<ActivityMonthToDate>;
  /** Where the log lives, watched for records other windows and the CLI append. */
  readonly dir?: string;
}

export interface PanelServices {
  extensionUri: import('vscode').Uri;
  routing: RoutingService;
  settings: RoutingSettings;
  vault: SecretVault;
  catalog: Catalog;
  activity: ActivityReader;
  log: PanelLog;
  /** Scrubs stored secrets from error messages before they reach a view. */
  redactor: Redactor;
  /** The Web search section's Firecrawl key; absent in hosts without it. */
  web?: WebSearchService;
}
