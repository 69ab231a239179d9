import { Client } from '@opensearch-project/opensearch';
import { OpenSearchEventIndex } from '../../lambdas/aggregator/opensearch/event-index';
import { renderSetupDocuments, SEARCH_INDICES } from '../../lambdas/opensearch-setup/documents';
import { unsignedOpenSearchHttp } from '../../lambdas/opensearch-setup/opensearch-http';
import { applyIndexSetup, applySetup, type OpenSearchHttp } from '../../lambdas/opensearch-setup/setup';
import { resolveStageConfig } from '../../lib/config';
import { LocalOpenSearchEventIndex } from './opensearch-event-index';

/** The ISM plugin's component name in `_cat/plugins`. */
const ISM_PLUGIN = 'opensearch-index-management';

export interface OpenSearchConnection {
  readonly index: LocalOpenSearchEventIndex;
  close(): Promise<void>;
}

/**
 * Connects the local pipeline to the OpenSearch node at `url` (no SigV4: a node on loopback),
 * set up as {@link setUpOpenSearchNode} says.
 */
export async function connectOpenSearchEventIndex(
  url: string,
  onWarning: (message: string) => void,
): Promise<OpenSearchConnection> {
  const http = unsignedOpenSearchHttp(url);
  await setUpOpenSearchNode(http, url, onWarning);
  const client = new Client({ node: url });
  return {
    index: new LocalOpenSearchEventIndex({ url, http, reads: new OpenSearchEventIndex(client) }),
    close: () => client.close(),
  };
}

/**
 * Sets the node up with the setup custom resource's own code: the `events-route` pipeline, the
 * `incoming-*` and `events-*` templates, and the retention policy. Replicas are 0 (one node could
 * never assign a replica; the lake can rebuild the index). A node without the ISM plugin gets no
 * retention policy: `onWarning` says so and the pipeline goes on. Throws, naming the URL, when
 * the node does not answer or refuses a step.
 */
export async function setUpOpenSearchNode(
  http: OpenSearchHttp,
  url: string,
  onWarning: (message: string) => void,
): Promise<void> {
  await expectNode(http, url);
  const documents = renderSetupDocuments({
    // As the dev stage keeps them.
    indexRetentionDays: resolveStageConfig('dev').opensearch.indexRetentionDays,
    replicas: 0,
  });
  try {
    if (await hasPlugin(http, ISM_PLUGIN)) {
      await applySetup(http, documents);
    } else {
      onWarning(
        `OpenSearch at ${url} has no Index State Management plugin (${ISM_PLUGIN}): the retention policy ` +
          `${documents.policy.id} is not applied, so ${SEARCH_INDICES.eventsPattern} and ${SEARCH_INDICES.incomingPattern} indices stay until you delete them`,
      );
      await applyIndexSetup(http, documents);
    }
  } catch (error) {
    throw new Error(`setting up OpenSearch at ${url}: ${messageOf(error)}`);
  }
}

/**
 * Deletes the node's `events-*` and `incoming-*` indices (named one by one, so a node that
 * requires explicit names for destructive actions takes it too). Returns the names deleted.
 */
export async function deleteEventIndices(
  url: string,
  http: OpenSearchHttp = unsignedOpenSearchHttp(url),
): Promise<string[]> {
  await expectNode(http, url);
  const listed = await http({
    method: 'GET',
    path: `/_cat/indices/${SEARCH_INDICES.eventsPattern},${SEARCH_INDICES.incomingPattern}`,
    querystring: { format: 'json', h: 'index' },
  });
  if (listed.statusCode !== 200 || !Array.isArray(listed.body)) {
    throw new Error(
      `OpenSearch at ${url} did not list its indices: ${listed.statusCode} ${JSON.stringify(listed.body)}`,
    );
  }
  const names = (listed.body as { index: string }[]).map((row) => row.index).sort();
  if (names.length > 0) {
    const deleted = await http({ method: 'DELETE', path: `/${names.join(',')}` });
    if (deleted.statusCode !== 200) {
      throw new Error(
        `OpenSearch at ${url} did not delete ${names.join(', ')}: ${JSON.stringify(deleted.body)}`,
      );
    }
  }
  return names;
}

/** Fails with a message naming the URL unless an OpenSearch node answers there. */
async function expectNode(http: OpenSearchHttp, url: string): Promise<void> {
  let response: Awaited<ReturnType<OpenSearchHttp>>;
  try {
    response = await http({ method: 'GET', path: '/' });
  } catch (error) {
    throw new Error(
      `no OpenSearch node answers at ${url} (${messageOf(error)}); start one, or leave out --opensearch-url to use DuckDB`,
    );
  }
  if (response.statusCode !== 200) {
    throw new Error(
      `OpenSearch at ${url} answered ${response.statusCode} ${JSON.stringify(response.body).slice(0, 300)}; ` +
        'the local pipeline sends no credentials, so the node must accept plain HTTP requests',
    );
  }
}

async function hasPlugin(http: OpenSearchHttp, component: string): Promise<boolean> {
  const response = await http({ method: 'GET', path: '/_cat/plugins', querystring: { format: 'json' } });
  if (response.statusCode !== 200 || !Array.isArray(response.body)) {
    throw new Error(`_cat/plugins answered ${response.statusCode} ${JSON.stringify(response.body)}`);
  }
  return (response.body as { component?: string }[]).some((plugin) => plugin.component === component);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
