import { describe, expect, it } from 'vitest';
import { renderSetupDocuments } from '../../../lambdas/opensearch-setup/documents';
import { applySetup, SetupError } from '../../../lambdas/opensearch-setup/setup';
import { replay } from './replay';

// The recordings hold the fingerprint of the policy rendered for these settings.
const documents = renderSetupDocuments({ indexRetentionDays: 14, replicas: 0 });

describe('applySetup', () => {
  it('creates the pipeline, both templates and the policy on an empty domain', async () => {
    const domain = replay('first-deploy.json');

    const steps = await applySetup(domain.http, documents);

    expect(steps).toEqual([
      { step: 'pipeline', name: 'events-route', outcome: 'applied' },
      { step: 'template', name: 'events', outcome: 'applied' },
      { step: 'template', name: 'incoming', outcome: 'applied' },
      { step: 'policy', name: 'events-retention', outcome: 'created' },
    ]);
    expect(domain.remaining()).toBe(0);
  });

  it('sends the rendered documents as the request bodies', async () => {
    const domain = replay('first-deploy.json');

    await applySetup(domain.http, documents);

    expect(domain.sent[0]?.body).toEqual(documents.pipeline.body);
    expect(domain.sent[1]?.body).toEqual(documents.templates[0]?.body);
    expect(domain.sent[2]?.body).toEqual(documents.templates[1]?.body);
  });

  it('writes the fingerprint into the policy description', async () => {
    const domain = replay('first-deploy.json');

    await applySetup(domain.http, documents);

    expect(domain.sent[4]?.body).toMatchObject({
      policy: {
        description: 'Deletes events-* and incoming-* indices 14 days after creation [fc075ac83871]',
      },
    });
  });

  it('leaves an up-to-date policy alone on a redeploy', async () => {
    const domain = replay('redeploy-unchanged.json');

    const steps = await applySetup(domain.http, documents);

    expect(steps.at(-1)).toEqual({ step: 'policy', name: 'events-retention', outcome: 'unchanged' });
    expect(domain.remaining()).toBe(0);
  });

  it('replaces a changed policy conditionally and re-applies it to managed indices', async () => {
    const domain = replay('retention-changed.json');

    const steps = await applySetup(domain.http, documents);

    expect(steps.at(-1)).toEqual({ step: 'policy', name: 'events-retention', outcome: 'updated' });
    expect(domain.sent.at(-1)?.body).toEqual({ policy_id: 'events-retention' });
    expect(domain.remaining()).toBe(0);
  });

  it.each([
    ['template-rejected.json', 'index template events: the domain answered 400', 'mapper_parsing_exception'],
    ['policy-conflict.json', 'ISM policy events-retention: the domain answered 409', 'version_conflict'],
  ])('fails on %s with the step and the answer in the message', async (fixture, step, reason) => {
    const domain = replay(fixture);

    const error = await applySetup(domain.http, documents).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(SetupError);
    expect((error as SetupError).message).toContain(step);
    expect((error as SetupError).message).toContain(reason);
  });
});
