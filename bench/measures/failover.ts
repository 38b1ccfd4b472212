/**
 * Measure 5: from the moment simulator A sends a 429 to the moment simulator B has the next
 * route's request, both stamped inside the simulators (same process, one clock). The same span for
 * a direct client that reads the 429 and sends to B is the loopback floor; the router's time is
 * the difference. Then the cooldown: after a 429 with Retry-After, the limited key costs nothing.
 */
import { request } from 'undici';
import type { ChatRequest } from '../../src/core/chat';
import { keyRouteId } from '../../src/core/routing/cooldowns';
import { benchAgent, benchRouter, KEY, MESSAGES, NATIVE, portkeyContender, portkeySingle, SLUG } from '../contenders';
import type { PortkeyGateway } from '../portkey';
import type { FailoverMeasure } from '../results';
import { ms, roundSummary, summarize } from '../stats';
import type { OpenAISim } from '../../src/sim/openai';

const RETRY_AFTER_S = 60;

export async function measureFailover(
  simA: OpenAISim,
  simB: OpenAISim,
  portkey: PortkeyGateway | undefined,
  opts: { iterations: number; afterRequests: number },
): Promise<FailoverMeasure> {
  // Set by the simulators' scripts as each request arrives; reset before every iteration.
  let sentA: number;
  let gotB: number;
  const limited = simA.errors.rateLimited(RETRY_AFTER_S);
  simA.script = () => {
    sentA = performance.now();
    return limited;
  };
  simB.script = () => {
    gotB = performance.now();
    return undefined;
  };
  simA.requests.length = 0;
  simB.requests.length = 0;

  const router = benchRouter(simA.baseUrl, [{ id: 'k2', provider: 'openai', name: 'next', tier: 'prioritized', options: { baseUrl: simB.baseUrl } }], {
    k2: KEY,
  });
  const req: ChatRequest = { model: SLUG, messages: MESSAGES };
  const viaRouter = async () => {
    const o = await router.generate(req);
    const trail = o.record.attempts.map((a) => `${a.keyId}:${a.status}`).join(',');
    if (!o.ok || trail !== 'k1:429,k2:200') throw new Error(`router failover went ${trail}`);
    router.cooldowns.store.delete(keyRouteId('k1')); // so the next iteration meets the 429 again
    for (const [conversation] of router.policy.sticky.entries()) router.policy.sticky.forget(conversation); // and is not held on k2
  };

  const agent = benchAgent();
  const body = JSON.stringify({ model: NATIVE, messages: MESSAGES });
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${KEY}` };
  const viaDirect = async () => {
    const a = await request(`${simA.baseUrl}/chat/completions`, { method: 'POST', dispatcher: agent, headers, body });
    await a.body.text();
    if (a.statusCode !== 429) throw new Error(`direct: expected 429, got ${a.statusCode}`);
    const b = await request(`${simB.baseUrl}/chat/completions`, { method: 'POST', dispatcher: agent, headers, body });
    await b.body.json();
  };

  const pk = portkey
    ? portkeyContender(portkey.url, {
        strategy: { mode: 'fallback', on_status_codes: [429] },
        targets: [portkeySingle(simA.baseUrl), portkeySingle(simB.baseUrl)],
      })
    : undefined;
  const viaPortkey = async () => {
    await pk!.complete();
  };

  const paths: { name: 'router' | 'direct' | 'portkey'; run: () => Promise<void> }[] = [
    { name: 'direct', run: viaDirect },
    { name: 'router', run: viaRouter },
    ...(pk ? [{ name: 'portkey' as const, run: viaPortkey }] : []),
  ];
  const spans = { router: [] as number[], direct: [] as number[], portkey: [] as number[] };
  let portkeyFailure: string | undefined;
  const live = new Set(paths.map((p) => p.name));
  for (let i = -3; i < opts.iterations; i++) {
    for (let k = 0; k < paths.length; k++) {
      const p = paths[(Math.max(0, i) + k) % paths.length]!;
      if (!live.has(p.name)) continue;
      sentA = gotB = NaN;
      try {
        await p.run();
      } catch (e) {
        if (p.name !== 'portkey') throw e;
        portkeyFailure = (e as Error).message.slice(0, 300);
        live.delete('portkey');
        continue;
      }
      if (i >= 0) spans[p.name].push(gotB - sentA);
    }
  }

  // The cooldown: one more 429, then requests while the key waits out its Retry-After.
  simA.requests.length = 0;
  const first = await router.generate(req);
  if (!first.ok) throw new Error(`router: ${first.error.message}`);
  const limitedBefore = simA.requests.length;
  let servedByNext = 0;
  let skipped = 0;
  for (let i = 0; i < opts.afterRequests; i++) {
    const o = await router.generate(req);
    if (o.ok && o.record.servedBy?.keyId === 'k2') servedByNext++;
    if (o.record.plan.find((p) => p.keyId === 'k1')?.skippedUntil) skipped++;
  }
  const requestsToLimitedKey = simA.requests.length - limitedBefore;

  let portkeyRequestsToLimitedTarget: number | undefined;
  if (pk && live.has('portkey')) {
    simA.requests.length = 0;
    for (let i = 0; i < opts.afterRequests; i++) await pk.complete();
    portkeyRequestsToLimitedTarget = simA.requests.length;
  }

  simA.script = undefined;
  simB.script = undefined;
  simA.requests.length = 0;
  simB.requests.length = 0;
  await router.close();
  await agent.close();
  await pk?.close();

  const r = summarize(spans.router);
  const d = summarize(spans.direct);
  const routerAddedP50 = ms(r.p50 - d.p50);
  const routerAddedP99 = ms(r.p99 - d.p99);
  return {
    target: '≤ 2 ms (p50); a key in cooldown costs no request',
    met: routerAddedP50 <= 2 && requestsToLimitedKey === 0,
    notes: [
      'span = simulator B receives the next request − simulator A sends the 429 (both stamped in-process with performance.now)',
      'router time = router span − direct span (a client that reads the 429 and sends to B at once: two loopback hops, nothing else)',
      `cooldown: ${opts.afterRequests} requests after a 429 with Retry-After: ${RETRY_AFTER_S}`,
    ],
    iterations: opts.iterations,
    router: roundSummary(r),
    direct: roundSummary(d),
    routerAddedP50,
    routerAddedP99,
    ...(portkey ? { portkey: portkeyFailure ? { unavailable: portkeyFailure } : roundSummary(summarize(spans.portkey)) } : {}),
    cooldown: {
      requestsAfter429: opts.afterRequests,
      requestsToLimitedKey,
      servedByNextKey: servedByNext,
      skippedInPlan: skipped,
      ...(portkeyRequestsToLimitedTarget !== undefined ? { portkeyRequestsToLimitedTarget } : {}),
    },
  };
}
