/**
 * Fake secret-manager CLIs (`op`, `gcloud`, `aws`, `az`, `infisical`) as real executables in a
 * temporary directory that tests put first on PATH. Each prints its tool's real output shape:
 * the bare value (with `op`/`az`/`infisical`'s trailing newline, gcloud's raw bytes), AWS's JSON,
 * and each tool's own error text and exit code for "not signed in" and "denied". Each records its
 * argument vector, so tests pin the exact command line too.
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type FakeTool = 'op' | 'gcloud' | 'aws' | 'az' | 'infisical';
export type FakeMode = 'ok' | 'signed-out' | 'denied' | 'slow';

interface Shape {
  /** printf format for the value, given as its one argument. */
  ok: string;
  signedOut: { stderr: string; code: number };
  denied: { stderr: string; code: number };
}

const SHAPES: Record<FakeTool, Shape> = {
  op: {
    ok: '%s\\n',
    signedOut: { stderr: '[ERROR] 2026/12/04 01:00:00 You are not currently signed in. Please run `op signin --help` for instructions', code: 1 },
    denied: {
      stderr: `[ERROR] 2026/12/04 01:00:00 could not read secret 'op://Work/OpenAI/credential': you do not have permission to access the vault "Work"`,
      code: 1,
    },
  },
  gcloud: {
    ok: '%s',
    signedOut: {
      stderr:
        'ERROR: (gcloud.secrets.versions.access) You do not currently have an active account selected.\nPlease run:\n\n  $ gcloud auth login\n\nto obtain new credentials.',
      code: 1,
    },
    denied: {
      stderr:
        "ERROR: (gcloud.secrets.versions.access) PERMISSION_DENIED: Permission 'secretmanager.versions.access' denied for resource 'projects/acme/secrets/openai/versions/latest' (or it may not exist). This command is authenticated as dev@example.com which is the active account specified by the [core/account] property.",
      code: 1,
    },
  },
  aws: {
    ok: '{\\n    "ARN": "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/openai-AbCdEf",\\n    "Name": "prod/openai",\\n    "VersionId": "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111",\\n    "SecretString": %s,\\n    "VersionStages": [\\n        "AWSCURRENT"\\n    ],\\n    "CreatedDate": "2026-11-30T10:00:00.000000+00:00"\\n}\\n',
    signedOut: { stderr: '\nUnable to locate credentials. You can configure credentials by running "aws configure".', code: 253 },
    denied: {
      stderr:
        '\nAn error occurred (AccessDeniedException) when calling the GetSecretValue operation: User: arn:aws:iam::123456789012:user/dev is not authorized to perform: secretsmanager:GetSecretValue on resource: prod/openai because no identity-based policy allows the secretsmanager:GetSecretValue action',
      code: 254,
    },
  },
  az: {
    ok: '%s\\n',
    signedOut: { stderr: "ERROR: Please run 'az login' to setup account.", code: 1 },
    denied: {
      stderr:
        "ERROR: (Forbidden) Caller is not authorized to perform action on resource.\nIf role assignments, deny assignments or role definitions were changed recently, please observe propagation time.\nCaller: appid=04b07795-8ddb-461a-bbee-02f9e1bf7b46;oid=00000000-0000-0000-0000-000000000000\nAction: 'Microsoft.KeyVault/vaults/secrets/getSecret/action'\nResource: '/subscriptions/sub/resourcegroups/rg/providers/microsoft.keyvault/vaults/acme-kv/secrets/openai'\nAssignment: (not found)\nVault: acme-kv;location=eastus\n\nCode: Forbidden",
      code: 1,
    },
  },
  infisical: {
    ok: '%s\\n',
    signedOut: { stderr: 'error: Your login session has expired, please run [infisical login] and try again', code: 1 },
    denied: {
      stderr:
        'error: CallGetRawSecretsV3: Unsuccessful response [GET https://app.infisical.com/api/v3/secrets/raw/OPENAI_API_KEY] [status-code=403] [response={"statusCode":403,"message":"You are not allowed to read on secrets","error":"PermissionDenied"}]',
      code: 1,
    },
  },
};

function shQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

function script(tool: FakeTool, dir: string): string {
  const s = SHAPES[tool];
  // The state directory is baked in: an editor host may not pass the test's environment on.
  const state = shQuote(dir);
  // AWS puts the SecretString into JSON: the value file holds it already JSON-encoded.
  return `#!/bin/sh
printf '%s\\n' "$@" > ${state}/${tool}.argv
mode=$(cat ${state}/${tool}.mode 2>/dev/null || echo ok)
case "$mode" in
  ok) printf ${shQuote(s.ok)} "$(cat ${state}/${tool}.value)" ;;
  signed-out) printf '%s\\n' ${shQuote(s.signedOut.stderr)} >&2; exit ${s.signedOut.code} ;;
  denied) printf '%s\\n' ${shQuote(s.denied.stderr)} >&2; exit ${s.denied.code} ;;
  slow) exec sleep 30 ;;
esac
`;
}

export class FakeSecretClis {
  readonly dir = mkdtempSync(join(tmpdir(), 'byok-fake-clis-'));

  constructor() {
    for (const tool of Object.keys(SHAPES) as FakeTool[]) {
      const p = join(this.dir, tool);
      writeFileSync(p, script(tool, this.dir));
      chmodSync(p, 0o755);
    }
  }

  /** The environment the resolver runs tools in: only the fakes and the system's own utilities. */
  env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
    return { PATH: `${this.dir}:/usr/bin:/bin`, ...extra };
  }

  /** The value the tool prints; for aws, the SecretString (JSON-encoded into the response). */
  setValue(tool: FakeTool, value: string) {
    writeFileSync(join(this.dir, `${tool}.value`), tool === 'aws' ? JSON.stringify(value) : value);
  }

  setMode(tool: FakeTool, mode: FakeMode) {
    writeFileSync(join(this.dir, `${tool}.mode`), mode);
  }

  /** The argument vector of the tool's last run. */
  argv(tool: FakeTool): string[] | undefined {
    const p = join(this.dir, `${tool}.argv`);
    return existsSync(p) ? readFileSync(p, 'utf8').replace(/\n$/, '').split('\n') : undefined;
  }

  dispose() {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
