/**
 * The exact setup each assistant needs to use the endpoint as one caller: environment variables
 * or its config file, with that caller's base URLs and token filled in.
 */
export const SETUP_CLIENTS = ['claude-code', 'codex', 'qwen-code', 'opencode', 'continue', 'cline-roo', 'aider'] as const;
export type SetupClient = (typeof SETUP_CLIENTS)[number];

export const SETUP_LABELS: Record<SetupClient, string> = {
  'claude-code': 'Claude Code',
  codex: 'Codex CLI',
  'qwen-code': 'Qwen Code',
  opencode: 'opencode',
  continue: 'Continue',
  'cline-roo': 'Cline / Roo Code / Kilo',
  aider: 'aider',
};

export interface SetupTarget {
  /** `http://127.0.0.1:P/v1` */
  openAIBaseUrl: string;
  /** `http://127.0.0.1:P` (Anthropic clients add /v1). */
  anthropicBaseUrl: string;
  token: string;
  caller: string;
  /** A slug for clients that must name one, e.g. `anthropic/claude-sonnet-4.5`. */
  model: string;
}

/** The environment variables the editor's terminals get (byokRouter.endpoint.terminalEnv). */
export function terminalEnv(t: Pick<SetupTarget, 'openAIBaseUrl' | 'anthropicBaseUrl' | 'token'>): Record<string, string> {
  return {
    ANTHROPIC_BASE_URL: t.anthropicBaseUrl,
    ANTHROPIC_AUTH_TOKEN: t.token,
    OPENAI_BASE_URL: t.openAIBaseUrl,
    OPENAI_API_BASE: t.openAIBaseUrl,
    OPENAI_API_KEY: t.token,
    BYOK_ROUTER_TOKEN: t.token,
  };
}

export function setupSnippet(client: SetupClient, t: SetupTarget): string {
  const head = `# BYOK Router local endpoint, caller "${t.caller}"`;
  switch (client) {
    case 'claude-code':
      return `${head}\nexport ANTHROPIC_BASE_URL=${t.anthropicBaseUrl}\nexport ANTHROPIC_AUTH_TOKEN=${t.token}\nclaude\n`;
    case 'codex':
      return `${head}
# ~/.codex/config.toml
model = "${t.model}"
model_provider = "byok-router"

[model_providers.byok-router]
name = "BYOK Router"
base_url = "${t.openAIBaseUrl}"
env_key = "BYOK_ROUTER_TOKEN"
wire_api = "responses"

# then, in the shell that runs codex:
export BYOK_ROUTER_TOKEN=${t.token}
`;
    case 'qwen-code':
      return `${head}\nexport OPENAI_BASE_URL=${t.openAIBaseUrl}\nexport OPENAI_API_KEY=${t.token}\nexport OPENAI_MODEL=${t.model}\nqwen\n`;
    case 'opencode':
      return `${head.replace('#', '//')}
// opencode.json
${JSON.stringify(
  {
    $schema: 'https://opencode.ai/config.json',
    provider: {
      'byok-router': {
        npm: '@ai-sdk/openai-compatible',
        name: 'BYOK Router',
        options: { baseURL: t.openAIBaseUrl, apiKey: t.token },
        models: { [t.model]: { name: t.model } },
      },
    },
    model: `byok-router/${t.model}`,
  },
  null,
  2,
)}
`;
    case 'continue':
      return `${head}
# ~/.continue/config.yaml
models:
  - name: ${t.model} (BYOK Router)
    provider: openai
    model: ${t.model}
    apiBase: ${t.openAIBaseUrl}
    apiKey: ${t.token}
`;
    case 'cline-roo':
      return `${head}
API Provider: OpenAI Compatible
Base URL: ${t.openAIBaseUrl}
API Key: ${t.token}
Model ID: ${t.model}
`;
    case 'aider':
      return `${head}\nexport OPENAI_API_BASE=${t.openAIBaseUrl}\nexport OPENAI_API_KEY=${t.token}\naider --model openai/${t.model}\n`;
  }
}
