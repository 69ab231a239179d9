import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@opensearch-project/opensearch';

/**
 * Responses OpenSearch gave for one scenario, recorded from a real node by
 * test/engines/opensearch/record-fixtures.ts: the advertiser listing pages in order and one
 * aggregation response per advertiser.
 */
export interface ScenarioFixture {
  advertiser_pages: unknown[];
  advertisers: Record<string, unknown>;
}

export interface RecordedRequest {
  method: string;
  path: string;
  body: Record<string, unknown>;
  /** The Authorization header, when the client signed the request. */
  authorization?: string;
}

/** Where a scenario's recorded responses live. */
export function scenarioFixtureFile(name: string): URL {
  return new URL(`../../../fixtures/opensearch/${name}.json`, import.meta.url);
}

export function loadFixture(name: string): ScenarioFixture {
  return JSON.parse(readFileSync(scenarioFixtureFile(name), 'utf8'));
}

/**
 * A loopback HTTP server answering `_search` requests from a fixture: listing requests by their
 * composite `after` key (which must be the previous page's after_key), aggregation requests by
 * their advertiser term. Every request is recorded so tests can assert what the adapter sent.
 */
export class OpenSearchFixtureServer {
  private constructor(
    private readonly server: Server,
    /** The server's base URL (http://127.0.0.1:<port>). */
    readonly url: string,
    readonly client: Client,
    readonly requests: readonly RecordedRequest[],
  ) {}

  static async start(fixture: ScenarioFixture): Promise<OpenSearchFixtureServer> {
    const requests: RecordedRequest[] = [];
    const server = createServer((req, res) => {
      let text = '';
      req.on('data', (chunk) => {
        text += chunk;
      });
      req.on('end', () => {
        const body = JSON.parse(text || '{}') as Record<string, unknown>;
        const { authorization } = req.headers;
        requests.push({
          method: req.method ?? '',
          path: req.url ?? '',
          body,
          ...(authorization ? { authorization } : {}),
        });
        const response = answer(fixture, body);
        res.writeHead(response === undefined ? 404 : 200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(response ?? { error: { type: 'fixture_missing', reason: text } }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const url = `http://127.0.0.1:${port}`;
    return new OpenSearchFixtureServer(server, url, new Client({ node: url }), requests);
  }

  async stop(): Promise<void> {
    await this.client.close();
    await new Promise<void>((resolve, reject) =>
      this.server.close((error) => (error ? reject(error) : resolve())),
    );
  }
}

interface ListingBody {
  aggs?: { advertisers?: { composite?: { after?: { advertiser_id?: string } } } };
  query?: { bool?: { filter?: { term?: { advertiser_id?: string } }[] } };
}

/** Which fixture entry answers a search body: a listing page (after a key) or one advertiser's aggregation. */
export type FixtureKey = { page: { after?: string } } | { advertiser: string };

export function fixtureKeyOf(body: ListingBody): FixtureKey | undefined {
  const composite = body.aggs?.advertisers?.composite;
  if (composite !== undefined) {
    const after = composite.after?.advertiser_id;
    return { page: after === undefined ? {} : { after } };
  }
  const advertiser = body.query?.bool?.filter?.[0]?.term?.advertiser_id;
  return advertiser === undefined ? undefined : { advertiser };
}

function answer(fixture: ScenarioFixture, body: ListingBody): unknown {
  const key = fixtureKeyOf(body);
  if (key === undefined) return undefined;
  if ('advertiser' in key) return fixture.advertisers[key.advertiser];
  const { after } = key.page;
  if (after === undefined) return fixture.advertiser_pages[0];
  const previous = fixture.advertiser_pages.findIndex((page) => afterKeyOf(page) === after);
  return previous === -1 ? undefined : fixture.advertiser_pages[previous + 1];
}

function afterKeyOf(page: unknown): string | undefined {
  const aggregations = (
    page as { aggregations?: { advertisers?: { after_key?: { advertiser_id?: string } } } }
  ).aggregations;
  return aggregations?.advertisers?.after_key?.advertiser_id;
}
