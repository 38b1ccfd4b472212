/** The extension's log: a LogOutputChannel where every line passes through redaction first. */
import * as vscode from 'vscode';
import { type Redactor, stripTerminalControls } from '../core';

export class Log implements vscode.Disposable {
  private readonly channel: vscode.LogOutputChannel;

  constructor(private readonly redactor: Redactor) {
    this.channel = vscode.window.createOutputChannel('BYOK Router', { log: true });
  }

  trace(message: string) {
    this.channel.trace(this.clean(message));
  }
  debug(message: string) {
    this.channel.debug(this.clean(message));
  }
  info(message: string) {
    this.channel.info(this.clean(message));
  }
  warn(message: string) {
    this.channel.warn(this.clean(message));
  }
  error(message: string | Error) {
    this.channel.error(this.clean(message instanceof Error ? (message.stack ?? message.message) : message));
  }

  /** Redacted, and stripped of terminal control sequences a provider's text may carry. */
  private clean(message: string): string {
    return stripTerminalControls(this.redactor.redact(message));
  }

  show() {
    this.channel.show(true);
  }

  dispose() {
    this.channel.dispose();
  }
}
