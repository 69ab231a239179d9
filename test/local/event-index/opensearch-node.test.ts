import { describe, expect, it } from 'vitest';
import type {
  OpenSearchHttp,
  OpenSearchRequest,
  OpenSearchResponse,
} from '../../../lambdas/opensearch-setup/setup';
import { deleteEventIndices, setUpOpenSearchNode } from '../../../local/event-index/opensearch-node';

const URL = 'http://127.0.0.1:9200';
const ISM = { name: 'node-1', component: 'opensearch-index-management', version: '2.19.0.0' };
const COMMON = { name: 'node-1', component: 'ingest-common', version: '2.19.0' };

/** A node answering the setup's requests; `overrides` replaces the answer for `METHOD path`. */
function fakeNode(plugins: object[], overrides: Record<string, OpenSearchResponse> = {}) {
  const sent: OpenSearchRequest[] = [];
  const http: OpenSearchHttp = async (request) => {
    sent.push(request);
    const override = overrides[`${request.method} ${request.path}`];
    if (override !== undefined) return override;
    if (request.path === '/') return { statusCode: 200, body: { version: { number: '2.19.0' } } };
    if (request.path === '/_cat/plugins') return { statusCode: 200, body: plugins };
    if (request.method === 'GET' && request.path.startsWith('/_plugins/_ism/policies/'))
      return { statusCode: 404, body: { error: 'not found' } };
    return { statusCode: 200, body: { acknowledged: true } };
  };
  return { http, sent, calls: () => sent.map((r) => `${r.method} ${r.path}`) };
}

describe('setUpOpenSearchNode', () => {
  it('applies the pipeline, the templates with 0 replicas, and the retention policy on a node with ISM', async () => {
    const node = fakeNode([COMMON, ISM]);
    const warnings: string[] = [];

    await setUpOpenSearchNode(node.http, URL, (w) => warnings.push(w));

    expect(node.calls()).toEqual([
      'GET /',
      'GET /_cat/plugins',
      'PUT /_ingest/pipeline/events-route',
      'PUT /_index_template/events',
      'PUT /_index_template/incoming',
      'GET /_plugins/_ism/policies/events-retention',
      'PUT /_plugins/_ism/policies/events-retention',
    ]);
    const templates = node.sent.filter((r) => r.path.startsWith('/_index_template/'));
    for (const template of templates) {
      expect(template.body).toMatchObject({ template: { settings: { index: { number_of_replicas: 0 } } } });
    }
    expect(warnings).toEqual([]);
  });

  it('warns once and sets up everything but retention on a node without the ISM plugin', async () => {
    const node = fakeNode([COMMON]);
    const warnings: string[] = [];

    await setUpOpenSearchNode(node.http, URL, (w) => warnings.push(w));

    expect(node.calls()).toEqual([
      'GET /',
      'GET /_cat/plugins',
      'PUT /_ingest/pipeline/events-route',
      'PUT /_index_template/events',
      'PUT /_index_template/incoming',
    ]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(`OpenSearch at ${URL} has no Index State Management plugin`);
    expect(warnings[0]).toContain('indices stay until you delete them');
  });

  it('fails naming the URL when no node answers', async () => {
    const http: OpenSearchHttp = async () => {
      throw new Error('connect ECONNREFUSED 127.0.0.1:9200');
    };

    await expect(setUpOpenSearchNode(http, URL, () => undefined)).rejects.toThrow(
      `no OpenSearch node answers at ${URL} (connect ECONNREFUSED 127.0.0.1:9200)`,
    );
  });

  it('fails naming the URL when the node wants credentials', async () => {
    const node = fakeNode([], { 'GET /': { statusCode: 401, body: 'Unauthorized' } });

    await expect(setUpOpenSearchNode(node.http, URL, () => undefined)).rejects.toThrow(
      `OpenSearch at ${URL} answered 401`,
    );
  });

  it('fails naming the URL and the step the node refused', async () => {
    const refusal = { statusCode: 400, body: { error: { type: 'mapper_parsing_exception' } } };
    const node = fakeNode([ISM], { 'PUT /_index_template/events': refusal });

    await expect(setUpOpenSearchNode(node.http, URL, () => undefined)).rejects.toThrow(
      `setting up OpenSearch at ${URL}: index template events: the domain answered 400`,
    );
  });
});

describe('deleteEventIndices (demo starts from an empty index)', () => {
  it('lists the events-* and incoming-* indices and deletes them by name', async () => {
    const listing = {
      statusCode: 200,
      body: [{ index: 'events-2026-11-22' }, { index: 'events-2026-11-21' }],
    };
    const node = fakeNode([], { 'GET /_cat/indices/events-*,incoming-*': listing });

    const deleted = await deleteEventIndices(URL, node.http);

    expect(deleted).toEqual(['events-2026-11-21', 'events-2026-11-22']);
    expect(node.calls()).toEqual([
      'GET /',
      'GET /_cat/indices/events-*,incoming-*',
      'DELETE /events-2026-11-21,events-2026-11-22',
    ]);
  });

  it('deletes nothing when there is no such index', async () => {
    const node = fakeNode([], { 'GET /_cat/indices/events-*,incoming-*': { statusCode: 200, body: [] } });

    expect(await deleteEventIndices(URL, node.http)).toEqual([]);
    expect(node.calls()).not.toContainEqual(expect.stringMatching(/^DELETE/));
  });
});
