/**
 * Provider text is untrusted. Before it reaches a terminal or an output channel, terminal control
 * sequences go: an OSC 52 sets the clipboard, a carriage return and erase-line fake a "served"
 * line. Secrets are checked for the shape a pasted value may have taken by accident.
 */

// ESC-introduced sequences (OSC up to BEL/ST, CSI, two-character escapes), their 8-bit forms, then
// any other C0/C1 control except newline and tab. Each alternative is linear: no nested repeats.
const SEQUENCES =
  // eslint-disable-next-line no-control-regex
  /\u001b\][^\u0007\u001b\u009c]*(?:\u0007|\u001b\\|\u009c)?|\u009d[^\u0007\u001b\u009c]*(?:\u0007|\u001b\\|\u009c)?|\u001b\[[0-?]*[ -/]*[@-~]?|\u009b[0-?]*[ -/]*[@-~]?|\u001b[\s\S]?/g;
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

export function stripTerminalControls(text: string): string {
  return text.replace(SEQUENCES, '').replace(CONTROLS, '');
}

/**
 * Why a secret value cannot be used as given, or undefined. Call with the trimmed value. JSON
 * secrets (service accounts, AWS credentials) may hold whitespace; a plain key may not.
 */
export function secretProblem(trimmed: string): string | undefined {
  if (!trimmed) return 'is empty';
  if (trimmed.startsWith('{')) return undefined;
  // eslint-disable-next-line no-control-regex
  if (/[\s\u0000-\u001f\u007f-\u009f]/.test(trimmed)) return 'contains whitespace or control characters inside the value; paste the key alone';
  return undefined;
}
