import { policyFingerprint, type SetupDocuments } from './documents';

export interface OpenSearchRequest {
  method: 'GET' | 'PUT' | 'POST' | 'DELETE';
  path: string;
  querystring?: Record<string, string | number>;
  body?: unknown;
}

export interface OpenSearchResponse {
  statusCode: number;
  body: unknown;
}

/** One signed REST call; resolves for every HTTP status (the caller decides what is an error). */
export type OpenSearchHttp = (request: OpenSearchRequest) => Promise<OpenSearchResponse>;

/** A step the domain refused; the message names the step and the domain's answer. */
export class SetupError extends Error {
  override readonly name = 'SetupError';
}

export type SetupStep =
  | { step: 'pipeline' | 'template'; name: string; outcome: 'applied' }
  | { step: 'policy'; name: string; outcome: 'created' | 'updated' | 'unchanged' };

/**
 * Applies the documents to the domain. Idempotent: the pipeline and templates are PUT (replacing
 * any earlier version), and the ISM policy is created, updated (with optimistic concurrency, then
 * re-applied to already-managed indices) or left alone when its fingerprint matches.
 */
export async function applySetup(http: OpenSearchHttp, documents: SetupDocuments): Promise<SetupStep[]> {
  const steps = await applyIndexSetup(http, documents);
  steps.push({
    step: 'policy',
    name: documents.policy.id,
    outcome: await applyPolicy(http, documents.policy),
  });
  return steps;
}

/**
 * The pipeline and templates alone (applySetup's first steps): what an OpenSearch without the ISM
 * plugin can take (the local pipeline on a plain node, which then has no retention).
 */
export async function applyIndexSetup(
  http: OpenSearchHttp,
  documents: Pick<SetupDocuments, 'pipeline' | 'templates'>,
): Promise<SetupStep[]> {
  const steps: SetupStep[] = [];
  const { pipeline } = documents;
  await expectOk(
    http,
    { method: 'PUT', path: `/_ingest/pipeline/${pipeline.id}`, body: pipeline.body },
    `pipeline ${pipeline.id}`,
  );
  steps.push({ step: 'pipeline', name: pipeline.id, outcome: 'applied' });

  for (const template of documents.templates) {
    await expectOk(
      http,
      { method: 'PUT', path: `/_index_template/${template.name}`, body: template.body },
      `index template ${template.name}`,
    );
    steps.push({ step: 'template', name: template.name, outcome: 'applied' });
  }
  return steps;
}

async function applyPolicy(
  http: OpenSearchHttp,
  policy: SetupDocuments['policy'],
): Promise<'created' | 'updated' | 'unchanged'> {
  const fingerprint = policyFingerprint(policy.body.policy);
  const description = `${String(policy.body.policy.description)} [${fingerprint}]`;
  const body = { policy: { ...policy.body.policy, description } };
  const path = `/_plugins/_ism/policies/${policy.id}`;
  const what = `ISM policy ${policy.id}`;

  const current = await http({ method: 'GET', path });
  if (current.statusCode === 404) {
    await expectOk(http, { method: 'PUT', path, body }, what);
    return 'created';
  }
  if (current.statusCode !== 200) throw refused(what, current);

  const stored = readStoredPolicy(current.body);
  if (stored === undefined)
    throw new SetupError(`${what}: unexpected GET response ${JSON.stringify(current.body)}`);
  if (stored.description === description) return 'unchanged';

  await expectOk(
    http,
    {
      method: 'PUT',
      path,
      querystring: { if_seq_no: stored.seqNo, if_primary_term: stored.primaryTerm },
      body,
    },
    what,
  );
  // Indices keep the policy version they were enrolled with until told otherwise.
  const patterns = (policy.body.policy.ism_template as { index_patterns: string[] }[]).flatMap(
    (template) => template.index_patterns,
  );
  await expectOk(
    http,
    {
      method: 'POST',
      path: `/_plugins/_ism/change_policy/${patterns.join(',')}`,
      body: { policy_id: policy.id },
    },
    `${what} (re-applying to managed indices)`,
  );
  return 'updated';
}

function readStoredPolicy(
  body: unknown,
): { description: string; seqNo: number; primaryTerm: number } | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const { _seq_no: seqNo, _primary_term: primaryTerm, policy } = body as Record<string, unknown>;
  if (typeof seqNo !== 'number' || typeof primaryTerm !== 'number') return undefined;
  const description = (policy as { description?: unknown } | undefined)?.description;
  return { description: typeof description === 'string' ? description : '', seqNo, primaryTerm };
}

async function expectOk(http: OpenSearchHttp, request: OpenSearchRequest, what: string): Promise<void> {
  const response = await http(request);
  if (response.statusCode < 200 || response.statusCode > 299) throw refused(what, response);
}

function refused(what: string, response: OpenSearchResponse): SetupError {
  return new SetupError(
    `${what}: the domain answered ${response.statusCode} ${JSON.stringify(response.body)}`,
  );
}
