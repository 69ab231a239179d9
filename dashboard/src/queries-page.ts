import { errorMessage, fetchQueries, runQuery, runQueryCsv } from './api';
import { announce, byId, el, table } from './dom';
import { formatCount } from './format';
import {
  type FormValue,
  inputRules,
  parseParameter,
  type QueryParameter,
  rangeHint,
  type SavedQueryInfo,
} from './query-params';

const list = byId<HTMLUListElement>('query-list');
const form = byId<HTMLFormElement>('query-form');
const fields = byId('query-fields');
const status = byId('query-status');
const result = byId('query-result');
const errorBox = byId('queries-error');

let queries: SavedQueryInfo[] = [];
let current: SavedQueryInfo | undefined;

function inputId(p: QueryParameter): string {
  return `param-${p.name}`;
}

function texts(): Map<string, string> {
  const values = new Map<string, string>();
  for (const p of current?.parameters ?? []) values.set(p.name, byId<HTMLInputElement>(inputId(p)).value);
  return values;
}

function choose(name: string, focus: boolean): void {
  current = queries.find((q) => q.name === name);
  if (current === undefined) return;
  for (const link of list.querySelectorAll('a')) {
    if (link.dataset.query === name) link.setAttribute('aria-current', 'true');
    else link.removeAttribute('aria-current');
  }
  byId('query-heading').textContent = current.name;
  byId('query-description').textContent = current.description;
  const today = new Date().toISOString().slice(0, 10);
  fields.replaceChildren(...current.parameters.map((p) => field(p, p.type === 'date' ? today : '')));
  applyRules();
  form.hidden = false;
  result.replaceChildren();
  status.textContent = '';
  history.replaceState(null, '', `#${encodeURIComponent(name)}`);
  if (focus) byId('query-heading').focus();
}

function field(p: QueryParameter, initial: string): HTMLElement {
  const id = inputId(p);
  const hint = [
    p.description,
    rangeHint(p) === ''
      ? ''
      : `Accepts ${p.type === 'date' ? 'a date' : p.type === 'integer' ? 'a whole number' : 'text'} ${rangeHint(p)}.`,
  ]
    .filter((t) => t !== '')
    .join(' ');
  return el(
    'div',
    { class: 'field' },
    el('label', { for: id }, `${p.name} `, el('span', { class: 'type' }, `(${p.type})`)),
    el('input', {
      id,
      name: p.name,
      value: initial,
      required: true,
      'aria-describedby': `${id}-hint ${id}-error`,
    }),
    el('span', { class: 'hint', id: `${id}-hint` }, hint),
    el('span', { class: 'field-error', id: `${id}-error` }),
  );
}

/** Sets each input's type and bounds; a bound naming another parameter follows that parameter's value. */
function applyRules(): void {
  const values = texts();
  for (const p of current?.parameters ?? []) {
    const input = byId<HTMLInputElement>(inputId(p));
    const rules = inputRules(p, values);
    if (input.type !== rules.type) input.type = rules.type;
    for (const key of ['min', 'max', 'step'] as const) {
      const value = rules[key];
      if (value === undefined) input.removeAttribute(key);
      else input.setAttribute(key, value);
    }
    if (rules.maxLength !== undefined) input.maxLength = rules.maxLength;
  }
}

/** The parameters, or undefined after marking every invalid field (and focusing the first). */
function readParameters(): Record<string, FormValue> | undefined {
  const values = texts();
  const parameters: Record<string, FormValue> = {};
  let firstInvalid: HTMLInputElement | undefined;
  for (const p of current?.parameters ?? []) {
    const input = byId<HTMLInputElement>(inputId(p));
    const parsed = parseParameter(p, input.value, values);
    const message = 'error' in parsed ? parsed.error : '';
    byId(`${inputId(p)}-error`).textContent = message;
    input.setAttribute('aria-invalid', String(message !== ''));
    if ('value' in parsed) parameters[p.name] = parsed.value;
    else firstInvalid ??= input;
  }
  if (firstInvalid === undefined) return parameters;
  firstInvalid.focus();
  return undefined;
}

async function run(): Promise<void> {
  const query = current;
  const parameters = readParameters();
  if (query === undefined || parameters === undefined) return;
  showError(undefined);
  status.textContent = `Running ${query.name}…`;
  result.setAttribute('aria-busy', 'true');
  const started = performance.now();
  try {
    const answer = await runQuery(query.name, parameters);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    result.replaceChildren(
      answer.rows.length === 0
        ? el('p', { class: 'note' }, 'No rows.')
        : table(
            `${query.name}: ${formatCount(answer.rows.length)} rows`,
            answer.columns,
            answer.rows.map((row) => row.map((v) => (v === null ? '' : String(v)))),
            {
              numeric: answer.columns.map((_, i) =>
                answer.rows.every(
                  (r) =>
                    r[i] === null ||
                    typeof r[i] === 'number' ||
                    /^-?\d+(\.\d+)?(e[+-]?\d+)?$/i.test(String(r[i])),
                ),
              ),
            },
          ),
    );
    status.textContent = `${formatCount(answer.rows.length)} rows in ${seconds} s.`;
    announce(status.textContent);
  } catch (error) {
    status.textContent = '';
    showError(errorMessage(error));
  } finally {
    result.removeAttribute('aria-busy');
  }
}

async function downloadCsv(): Promise<void> {
  const query = current;
  const parameters = readParameters();
  if (query === undefined || parameters === undefined) return;
  showError(undefined);
  try {
    const blob = await runQueryCsv(query.name, parameters);
    const url = URL.createObjectURL(blob);
    const values = Object.values(parameters).join('_');
    const link = el('a', { href: url, download: `${query.name}${values === '' ? '' : `_${values}`}.csv` });
    document.body.append(link);
    link.click();
    link.remove();
    // The download has its own copy of the bytes once it started.
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
    announce(`Downloading ${query.name} as CSV.`);
  } catch (error) {
    showError(errorMessage(error));
  }
}

function showError(message: string | undefined): void {
  errorBox.hidden = message === undefined;
  errorBox.textContent = message ?? '';
}

async function start(): Promise<void> {
  try {
    queries = await fetchQueries();
  } catch (error) {
    showError(errorMessage(error));
    return;
  }
  list.replaceChildren(
    ...queries.map((q) =>
      el(
        'li',
        {},
        el(
          'a',
          { href: `#${encodeURIComponent(q.name)}`, 'data-query': q.name, title: q.description },
          q.name,
        ),
      ),
    ),
  );
  const wanted = decodeURIComponent(location.hash.slice(1));
  const first = queries.find((q) => q.name === wanted) ?? queries[0];
  if (first !== undefined) choose(first.name, false);
}

list.addEventListener('click', (event) => {
  const link = event.target instanceof Element ? event.target.closest('a') : null;
  if (link?.dataset.query === undefined) return;
  event.preventDefault();
  choose(link.dataset.query, true);
});
form.addEventListener('input', applyRules);
form.addEventListener('submit', (event) => {
  event.preventDefault();
  void run();
});
byId('download-csv').addEventListener('click', () => void downloadCsv());
byId('query-heading').setAttribute('tabindex', '-1');
void start();
