/**
 * Cooldowns and "failing auth" marks that survive a window reload or the next CLI process: a
 * rate-limited key is not hit again just because the process is new. What is kept holds no
 * secret: the route id, the kind, the expiry, the (already redacted) reason, and for auth marks
 * the one-way fingerprint that lets a new secret value clear the mark.
 */
import { z } from 'zod';
import { MemoryCooldownStore, type CooldownEntry, type CooldownStore } from './cooldowns';

const persistedSchema = z.object({
  v: z.literal(1),
  entries: z
    .array(
      z.object({
        route: z.string().max(200),
        kind: z.enum(['rate_limited', 'auth']),
        /** Epoch ms; null while an auth mark waits for a new secret. */
        until: z.number().nullable(),
        reason: z.string().max(2000),
        failures: z.number().int().min(0).max(1000),
        secretFingerprint: z
          .string()
          .regex(/^[0-9a-f]{16}$/)
          .optional(),
      }),
    )
    .max(10_000),
});
export type PersistedCooldowns = z.infer<typeof persistedSchema>;

/** The entries still worth keeping: auth marks, and rate-limit cooldowns not yet over. */
export function snapshotCooldowns(store: CooldownStore, now: number): PersistedCooldowns {
  const entries: PersistedCooldowns['entries'] = [];
  for (const [route, e] of store.entries()) {
    if (e.kind !== 'auth' && e.kind !== 'rate_limited') continue;
    if (e.kind === 'rate_limited' && !(e.until > now)) continue;
    entries.push({
      route,
      kind: e.kind,
      until: Number.isFinite(e.until) ? e.until : null,
      reason: e.reason.slice(0, 2000),
      failures: Math.min(e.failures, 1000),
      ...(e.secretFingerprint ? { secretFingerprint: e.secretFingerprint } : {}),
    });
  }
  return { v: 1, entries };
}

/** Loads a snapshot; anything malformed or expired is dropped rather than trusted. */
export function restoreCooldowns(store: CooldownStore, data: unknown, now: number): number {
  const r = persistedSchema.safeParse(data);
  if (!r.success) return 0;
  let n = 0;
  for (const p of r.data.entries) {
    const until = p.until === null ? Infinity : p.until;
    if (p.kind === 'rate_limited' && !(until > now)) continue;
    if (p.kind === 'auth' && !p.secretFingerprint) continue; // nothing could ever lift it
    const entry: CooldownEntry = {
      kind: p.kind,
      until,
      reason: p.reason,
      failures: p.failures,
      ...(p.secretFingerprint ? { secretFingerprint: p.secretFingerprint } : {}),
    };
    store.set(p.route, entry);
    n++;
  }
  return n;
}

/** A memory store that reports every change, so its host can save a snapshot. */
export class ObservedCooldownStore extends MemoryCooldownStore {
  constructor(private readonly changed: () => void) {
    super();
  }
  override set(id: string, e: CooldownEntry) {
    super.set(id, e);
    this.changed();
  }
  override delete(id: string) {
    const had = !!this.get(id);
    super.delete(id);
    if (had) this.changed();
  }
}
