/**
 * `npm run bench:plan`: the plan measure at 2,000 keys × 20 callers on its own, printed as JSON
 * and one line per case. The target (issue 16, point 4) is p99 ≤ 1 ms for the plans routing makes.
 */
import { measurePlanCache } from './measures/plan-cache';

async function main() {
  const samples = Number(process.argv[2] ?? 20_000);
  const m = await measurePlanCache({ samples });
  console.log(JSON.stringify(m, null, 2));
  for (const [name, s, c] of [
    ['routed (planRoute, cache in use)', m.routed, m.cpu.routed],
    ['cold (after a cooldown change)', m.cold, m.cpu.cold],
    ['explained (explain, exclusions read)', m.explained, m.cpu.explained],
    ['before (planner before index and cache)', m.before, m.cpu.before],
  ] as const)
    console.log(`${name}: wall p50 ${s.p50} / p99 ${s.p99} ms (max ${s.max}); CPU p50 ${c.p50} / p99 ${c.p99} ms (n=${s.n})`);
  console.log(`plan at ${m.keys} keys × ${m.callers} callers: routed p99 ${m.routed.p99} ms — target p99 ≤ 1 ms ${m.routed.p99 <= 1 ? 'met' : 'NOT met'}`);
}

void main();
