/**
 * The webviews' HTML: a strict Content-Security-Policy where scripts run only with this page's
 * nonce, styles and fonts load only from the extension's own resources, and nothing may be
 * fetched, framed or posted anywhere. Pure, so the policy is tested without an editor.
 */
import { randomBytes } from 'node:crypto';

/** 128 bits from the OS's CSPRNG, base64: a fresh one for every page. */
export function newNonce(): string {
  return randomBytes(16).toString('base64');
}

/** A page's files, relative to the extension root: the package must carry every one of them. */
export interface PageAssets {
  title: string;
  script: string;
  styles: string[];
  rootId: string;
}

export const PROVIDERS_PAGE: PageAssets = {
  title: 'Providers',
  script: 'dist/webview/providers.js',
  styles: ['media/webview/base.css', 'media/webview/providers.css'],
  rootId: 'providers',
};
export const ACTIVITY_PAGE: PageAssets = {
  title: 'Activity',
  script: 'dist/webview/activity.js',
  styles: ['media/webview/base.css', 'media/webview/activity.css'],
  rootId: 'activity',
};
/** Shared by every page; its font is resolved relative to it. */
export const CODICONS_CSS = 'dist/webview/codicon.css';

export interface PageSpec {
  /** `webview.cspSource`. */
  cspSource: string;
  nonce: string;
  title: string;
  /** `asWebviewUri` strings. */
  script: string;
  styles: string[];
  /** The codicon stylesheet; `vscode-icon` finds it by its id. */
  codicons: string;
  /** The element the script mounts into. */
  rootId: string;
}

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    `default-src 'none'`,
    `script-src 'nonce-${nonce}'`,
    // Lit adopts constructed stylesheets (no CSP check); `<link>`s carry the nonce or come from our resources.
    `style-src ${cspSource} 'nonce-${nonce}'`,
    `font-src ${cspSource}`,
    `img-src ${cspSource} data:`,
    `connect-src 'none'`,
    `frame-src 'none'`,
    `form-action 'none'`,
    `base-uri 'none'`,
  ].join('; ');
}

export function renderPage(spec: PageSpec): string {
  const { nonce } = spec;
  const attr = (s: string) => escapeHtml(s);
  const styles = spec.styles.map((href) => `<link rel="stylesheet" href="${attr(href)}" nonce="${attr(nonce)}">`).join('\n    ');
  return `<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="UTF-8">
    <meta http-equiv="Content-Security-Policy" content="${attr(contentSecurityPolicy(spec.cspSource, nonce))}">
    <meta name="viewport" content="width=device-width, initial-scale=1.0">
    <link rel="stylesheet" href="${attr(spec.codicons)}" nonce="${attr(nonce)}" id="vscode-codicon-stylesheet">
    ${styles}
    <title>${escapeHtml(spec.title)}</title>
  </head>
  <body>
    <main id="${attr(spec.rootId)}" aria-busy="true"></main>
    <script nonce="${attr(nonce)}" src="${attr(spec.script)}"></script>
  </body>
</html>`;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
