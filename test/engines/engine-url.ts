import { inject } from 'vitest';

type EngineName = 'opensearch' | 'trino' | 'moto';

/** The URL of a running engine of the suite, or a clear error when `$ENGINES` left it out. */
export function engineUrl(name: EngineName): string {
  const url = inject(`${name}Url`);
  if (url === undefined) {
    throw new Error(`engine '${name}' is not running in this suite: unset ENGINES or include ${name} in it`);
  }
  return url;
}
