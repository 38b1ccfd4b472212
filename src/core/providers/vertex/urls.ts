/**
 * Where a Vertex call goes: the project (from the key's options or its service account), the
 * region's host, and the model paths for Gemini (generateContent), Claude (rawPredict) and express
 * mode. The Gemini and Claude paths share these, so a key that cannot be used fails the same way on both.
 */
import { routeError, RouteFailure } from '../../errors';
import { pathSegment } from '../../http/url';
import type { AdapterCall } from '../types';
import { z } from 'zod';
import { looksLikeJson } from './auth';

const PROVIDER = 'google-vertex';
const serviceAccountProject = z.object({ project_id: z.string().min(1) });

/** Fetches (and caches) the OAuth access token for a Vertex key; auth.ts provides it. */
export type VertexTokenSource = (call: AdapterCall) => Promise<string>;

/** Claude ids on Vertex are `claude-…@snapshot`; everything else here is Gemini. */
export function isClaudeOnVertex(call: Pick<AdapterCall, 'nativeModel' | 'model'>): boolean {
  return /^claude/i.test(call.nativeModel) || call.model?.family === 'claude';
}

export function vertexLocation(call: AdapterCall): string {
  return call.options.region ?? 'global';
}

/** The key cannot be used as configured without a project: an auth error, whichever model it was for. */
export function vertexProject(call: AdapterCall): string {
  if (call.options.project) return call.options.project;
  const project = projectInSecret(call.secret);
  if (!project) throw new RouteFailure(routeError('auth', `${PROVIDER}: set options.project, or use a service-account key that has project_id`));
  return project;
}

/** The service account's `project_id`, if the secret is one; its other fields are the token exchange's business. */
function projectInSecret(secret: string): string | undefined {
  if (!looksLikeJson(secret)) return undefined;
  try {
    const r = serviceAccountProject.safeParse(JSON.parse(secret));
    return r.success ? r.data.project_id : undefined;
  } catch {
    return undefined; // not JSON: the message below, which never quotes the secret
  }
}

/** Vertex's host for a region: `global`, the `us`/`eu` multi-regions, or a regional host. */
export function vertexRoot(call: AdapterCall): string {
  if (call.options.baseUrl) return call.options.baseUrl.replace(/\/+$/, '').replace(/\/v1$/, '');
  const region = vertexLocation(call);
  if (region === 'global') return 'https://aiplatform.googleapis.com';
  if (region === 'us' || region === 'eu') return `https://aiplatform.${region}.rep.googleapis.com`;
  return `https://${region}-aiplatform.googleapis.com`;
}

/** `…/v1/projects/{p}/locations/{l}/publishers/{publisher}/models/`: a model under a project and region. */
function publisherModels(call: AdapterCall, publisher: 'google' | 'anthropic'): string {
  const project = pathSegment(vertexProject(call), 'project', PROVIDER);
  return `${vertexRoot(call)}/v1/projects/${project}/locations/${pathSegment(vertexLocation(call), 'region', PROVIDER)}/publishers/${publisher}/models/`;
}

/** Claude on Vertex: `…/publishers/anthropic/models/{model}:rawPredict`, or `:streamRawPredict` for a stream. */
export function vertexClaudeUrl(call: AdapterCall): string {
  const method = call.stream ? 'streamRawPredict' : 'rawPredict';
  return `${publisherModels(call, 'anthropic')}${pathSegment(call.nativeModel, 'model id', PROVIDER)}:${method}`;
}

/** Gemini on Vertex, under a project and region; `model` carries its method (`gemini-2.5-flash:generateContent`). */
export function vertexGeminiModelUrl(call: AdapterCall, model: string): string {
  return `${publisherModels(call, 'google')}${model}`;
}

/** Express mode: a Vertex API key (not a service account) reaches Gemini on the global host without a project. */
export function expressModelUrl(call: AdapterCall, model: string): string {
  return `${vertexRoot({ ...call, options: { ...call.options, region: 'global' } })}/v1/publishers/google/models/${model}`;
}
