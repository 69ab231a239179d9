import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UnsummarisedWindows } from '../../../local/pipeline/unsummarised-windows';

const T = (hhmm: string) => Date.parse(`2026-11-22T${hhmm}:00.000Z`);

describe('UnsummarisedWindows', () => {
  let dir: string;
  let file: string;
  let problems: string[];
  const open = () => UnsummarisedWindows.open(file, (message) => problems.push(message));

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'unsummarised-'));
    file = join(dir, 'unsummarised-windows.json');
    problems = [];
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps recorded windows for the next start when the process stops before a summary run', async () => {
    const first = await open();
    const indexed = await first.record(new Map([['a', T('10:00')]]));
    indexed();
    await first.record(new Map([['b', T('11:15')]]));

    // No forget: the process died here.
    const next = await open();

    expect(next.settled().windows).toEqual(
      new Map([
        ['a', T('10:00')],
        ['b', T('11:15')],
      ]),
    );
  });

  it('settles only the windows whose indexing has ended, each advertiser from its earliest', async () => {
    const windows = await open();
    const first = await windows.record(new Map([['a', T('10:00')]]));
    const second = await windows.record(new Map([['a', T('09:00')]]));
    await windows.record(new Map([['b', T('11:00')]]));
    first();
    second();

    expect(windows.settled().windows).toEqual(new Map([['a', T('09:00')]]));
  });

  it('forgets what a run summarised, keeps the rest, and removes the file once nothing is left', async () => {
    const windows = await open();
    (await windows.record(new Map([['a', T('10:00')]])))();
    const summarised = windows.settled();
    const later = await windows.record(new Map([['b', T('11:00')]]));

    await windows.forget(summarised);
    expect((await open()).settled().windows).toEqual(new Map([['b', T('11:00')]]));

    later();
    await windows.forget(windows.settled());
    await expect(stat(file)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await readdir(dir)).toEqual([]);
  });

  it('writes its file readable by its owner only', async () => {
    const windows = await open();
    await windows.record(new Map([['a', T('10:00')]]));

    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it.each([
    ['not JSON', '{"a": "2026-11-22T10'],
    ['not an object', '["a"]'],
    ['a time that is not one', '{"a": "soon"}'],
  ])('reports a file that is %s, naming it, and starts without it', async (_, text) => {
    await writeFile(file, text);

    const windows = await open();

    expect(windows.settled().windows).toEqual(new Map());
    expect(problems).toEqual([`${file} is not a list of windows to summarise; ignoring it`]);
  });
});
