/** The extension's log: a LogOutputChannel where every line passes through redaction first. */
import * as vscode from 'vscode';
import type { Redactor } from '../core/redact';

export class Log implements vscode.Disposable {
  private readonly channel: vscode.LogOutputChannel;

  constructor(private readonly redactor: Redactor) {
    this.channel = vscode.window.createOutputChannel('BYOK Router', { log: true });
  }

  trace(message: string) {
    this.channel.trace(this.redactor.redact(message));
  }
  debug(message: string) {
    this.channel.debug(this.redactor.redact(message));
  }
  info(message: string) {
    this.channel.info(this.redactor.redact(message));
  }
  warn(message: string) {
    this.channel.warn(this.redactor.redact(message));
  }
  error(message: string | Error) {
    this.channel.error(this.redactor.redact(message instanceof Error ? (message.stack ?? message.message) : message));
  }

  show() {
    this.channel.show(true);
  }

  dispose() {
    this.channel.dispose();
  }
}
