import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { clickstreamStack, testApp } from './app';

interface ValidationReport {
  pluginReports: {
    pluginName: string;
    conclusion: string;
    violations: unknown[];
    suppressedViolations: { ruleName: string; reason: string; acknowledgedId: string }[];
  }[];
}

/** Synthesises the stage with cdk-nag's AwsSolutions pack as bin/app.ts does, and reads its report. */
function nagReport(stage: 'dev' | 'prod', env?: { account: string; region: string }) {
  const app = testApp();
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  clickstreamStack(stage, {}, app, env);
  const assembly = app.synth();
  const report = JSON.parse(
    readFileSync(join(assembly.directory, 'validation-report.json'), 'utf8'),
  ) as ValidationReport;
  const nag = report.pluginReports.find((plugin) => plugin.pluginName === 'AwsSolutions');
  if (nag === undefined) throw new Error('the AwsSolutions plugin did not report');
  return nag;
}

describe.each(['dev', 'prod'] as const)('cdk-nag AwsSolutions on %s', (stage) => {
  // Synthesis fails on an unacknowledged finding; the report is read for the acknowledged ones.
  const report = nagReport(stage);

  it('has zero unacknowledged findings', () => {
    expect(report.violations).toEqual([]);
    expect(report.conclusion).toBe('success');
  });

  it('gives every acknowledgement a specific reason', () => {
    const vague = report.suppressedViolations.filter(
      (finding) => finding.reason.length < 40 || /^(n\/?a|ok|todo|not needed)$/i.test(finding.reason.trim()),
    );

    expect(report.suppressedViolations.length).toBeGreaterThan(0);
    expect(vague).toEqual([]);
  });
});

// `npx cdk synth` knows the region (and, with credentials, the account), so ARNs in findings hold
// literals instead of pseudo parameters: every acknowledgement must match both forms.
describe.each(['dev', 'prod'] as const)(
  'cdk-nag AwsSolutions on %s with a concrete account and region',
  (stage) => {
    const report = nagReport(stage, { account: '123456789012', region: 'eu-west-1' });

    it('has zero unacknowledged findings', () => {
      expect(report.violations).toEqual([]);
      expect(report.conclusion).toBe('success');
    });
  },
);
