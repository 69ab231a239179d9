import type { Refusal } from '../../contract';
import type { TransformConfig } from '../../lambdas/transform/config';
import { createEnrichers, type Enrichers } from '../../lambdas/transform/stored-event';
import { transformBatch } from '../../lambdas/transform/transform-batch';

/**
 * What the transform Lambda does with a record under one configuration: its own batch function runs
 * over the record alone, so the verdict is the transform's by construction (decoding, the
 * contract's validator, the time limits and the growth bound), not a copy of its rules.
 */
export class TransformVerdict {
  private readonly enrichers: Enrichers;

  constructor(readonly config: TransformConfig) {
    this.enrichers = createEnrichers(config);
  }

  /** Why the transform refuses `data` (base64) arriving at `arrivalMs`, or undefined when it accepts it. */
  refusalOf(data: string, arrivalMs: number): Refusal | undefined {
    let refusal: Refusal | undefined;
    transformBatch(
      [{ recordId: 'record', approximateArrivalTimestamp: arrivalMs, data }],
      this.enrichers,
      (_, r) => {
        refusal = asRefusal(r);
      },
    );
    return refusal;
  }

  /** Whether two configurations can judge a record differently (the time limits are the only settings that refuse). */
  judgesLike(other: TransformVerdict): boolean {
    return (
      this.config.maxEventAgeMs === other.config.maxEventAgeMs &&
      this.config.futureToleranceMs === other.config.futureToleranceMs &&
      this.config.ipAnonymisation === other.config.ipAnonymisation
    );
  }
}

/** A refusal alone, without the validation's `ok: false` it may come in. */
export function asRefusal(refusal: Refusal): Refusal {
  const { reason, field, message } = refusal;
  return { reason, ...(field === undefined ? {} : { field }), message };
}
