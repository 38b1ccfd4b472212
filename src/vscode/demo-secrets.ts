/**
 * `npm start` runs the editor in a demo profile whose keys open only the loopback simulators. Their
 * made-up values have to reach secret storage, which lives in the browser: the launcher names a
 * file in BYOK_ROUTER_DEMO_SECRETS and the extension stores whatever is missing. The browser tests
 * seed their starting keys the same way; nothing else reads that variable.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { Log } from './log';
import type { SecretVault } from './secrets';

const demoFile = z.object({
  keys: z.array(z.object({ id: z.string(), provider: z.string(), secret: z.string().min(1) })).default([]),
  callers: z.array(z.object({ name: z.string(), secret: z.string().min(1) })).default([]),
});

export async function seedDemoSecrets(vault: SecretVault, log: Log, path = process.env.BYOK_ROUTER_DEMO_SECRETS): Promise<void> {
  if (!path) return;
  let parsed: z.infer<typeof demoFile>;
  try {
    parsed = demoFile.parse(JSON.parse(await readFile(path, 'utf8')));
  } catch (e) {
    log.warn(`demo secrets: cannot read ${path}: ${(e as Error).message}`);
    return;
  }
  let stored = 0;
  for (const k of parsed.keys) {
    if (await vault.keySecret(k.id)) continue;
    await vault.storeKey(k.id, k.provider, k.secret);
    stored++;
  }
  for (const c of parsed.callers) {
    if (await vault.callerSecret(c.name)) continue;
    await vault.storeCaller(c.name, c.secret);
    stored++;
  }
  log.info(`demo profile: ${stored} demo secret(s) stored, ${parsed.keys.length + parsed.callers.length - stored} already present`);
}
