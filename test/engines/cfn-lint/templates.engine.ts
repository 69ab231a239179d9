import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { pythonVenvTool } from '../../../engines/python/venv';
import { CFN_LINT_METADATA, CFN_LINT_REASONS_METADATA } from '../../../lib/cfn-lint';
import { clickstreamStack, testApp } from '../../lib/app';

const STAGES = ['dev', 'prod'] as const;
type Stage = (typeof STAGES)[number];

interface Template {
  Resources: Record<string, { Type: string; Metadata?: Record<string, unknown> }>;
}

/** One cfn-lint result in its `--format json` output. */
interface Finding {
  Filename: string;
  Level: 'Error' | 'Warning' | 'Informational';
  Message: string;
  Rule: { Id: string };
  Location: { Path: (string | number)[] };
}

/** The stage's template as the CDK app synthesizes it (assets not bundled: their code is not linted). */
function synthesize(stage: Stage): Template {
  const app = testApp();
  const stack = clickstreamStack(stage, {}, app);
  return app.synth().getStackByName(stack.stackName).template as Template;
}

/** The same template without its cfn-lint acknowledgements, so cfn-lint reports every finding. */
function withoutAcknowledgements(template: Template): Template {
  const resources = Object.entries(template.Resources).map(([id, resource]) => {
    const {
      [CFN_LINT_METADATA]: _ignored,
      [CFN_LINT_REASONS_METADATA]: _reasons,
      ...metadata
    } = resource.Metadata ?? {};
    return [id, { ...resource, Metadata: metadata }];
  });
  return { ...template, Resources: Object.fromEntries(resources) };
}

/** Each acknowledgement as `<resource> <rule>`, with its reason. */
function acknowledgements(template: Template): Map<string, string> {
  const found = new Map<string, string>();
  for (const [id, resource] of Object.entries(template.Resources)) {
    const config = resource.Metadata?.[CFN_LINT_METADATA] as
      | { config?: { ignore_checks?: string[] } }
      | undefined;
    const reasons = (resource.Metadata?.[CFN_LINT_REASONS_METADATA] ?? {}) as Record<string, string>;
    for (const rule of config?.config?.ignore_checks ?? []) found.set(`${id} ${rule}`, reasons[rule] ?? '');
  }
  return found;
}

/** Runs the venv's cfn-lint on the files; its exit code is a bit mask of levels found, 1 a failure. */
function cfnLint(files: readonly string[]): Promise<Finding[]> {
  const executable = pythonVenvTool(inject('enginesCacheDir'), 'cfn-lint');
  if (!existsSync(executable)) {
    throw new Error(
      `${executable} is missing: the moto engine's prepare builds the Python venv (include moto in ENGINES)`,
    );
  }
  return new Promise((resolveRun, reject) => {
    const child = spawn(executable, ['--format', 'json', ...files], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    child.once('error', reject);
    child.once('close', (code) => {
      if (code === null || code === 1 || code > 15) reject(new Error(`cfn-lint failed (${code}): ${stderr}`));
      else resolveRun(JSON.parse(stdout) as Finding[]);
    });
  });
}

/** The logical id of the resource a finding is in, or where else in the template it is. */
function resourceOf(finding: Finding): string {
  const [section, id] = finding.Location.Path;
  return section === 'Resources' ? String(id) : String(section ?? '(template)');
}

const templates = new Map<Stage, Template>();
const asSynthesized = new Map<Stage, Finding[]>();
const unacknowledged = new Map<Stage, Finding[]>();

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cfn-lint-'));
  const file = (stage: Stage, variant: string) => join(dir, `${stage}.${variant}.json`);
  for (const stage of STAGES) {
    const template = synthesize(stage);
    templates.set(stage, template);
    writeFileSync(file(stage, 'synthesized'), JSON.stringify(template, null, 1));
    writeFileSync(file(stage, 'unacknowledged'), JSON.stringify(withoutAcknowledgements(template), null, 1));
  }
  // One run for all four files: most of cfn-lint's time is loading its resource schemas.
  const variants = [
    ['synthesized', asSynthesized],
    ['unacknowledged', unacknowledged],
  ] as const;
  const files = variants.flatMap(([variant]) => STAGES.map((stage) => file(stage, variant)));
  const findings = await cfnLint(files);
  for (const [variant, results] of variants) {
    for (const stage of STAGES) {
      const name = file(stage, variant);
      results.set(
        stage,
        findings.filter((f) => f.Filename === name),
      );
    }
  }
});

describe.each(STAGES)('cfn-lint on the %s template', (stage) => {
  it('reports no error and no warning', () => {
    const described = (f: Finding) => `${f.Rule.Id} ${f.Location.Path.join('/')}: ${f.Message}`;
    const findings = asSynthesized.get(stage)?.map(described);

    expect(findings).toEqual([]);
  });

  it('finds no error even where a rule is acknowledged', () => {
    const errors = unacknowledged.get(stage)?.filter((f) => f.Level === 'Error');

    expect(errors).toEqual([]);
  });

  it('has each acknowledgement beside a resource with that finding, and a reason', () => {
    const acknowledged = acknowledgements(templates.get(stage) ?? { Resources: {} });
    const found = new Set((unacknowledged.get(stage) ?? []).map((f) => `${resourceOf(f)} ${f.Rule.Id}`));

    expect(acknowledged.size).toBeGreaterThan(0);
    // Every finding is acknowledged on its resource, and no acknowledgement outlives its finding.
    expect([...found].sort()).toEqual([...acknowledged.keys()].sort());
    const vague = [...acknowledged].filter(([, reason]) => reason.length < 40);
    expect(vague).toEqual([]);
  });
});
