// A few DOM helpers shared by the pages: the pages build their markup with these, never with
// innerHTML, so no value from the server is ever parsed as HTML.

type Child = Node | string | number | null | undefined | false;

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string | number | boolean | undefined> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    element.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    element.append(typeof child === 'number' ? String(child) : child);
  }
  return element;
}

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (element === null) throw new Error(`the page has no #${id}`);
  return element as T;
}

/** A table with a caption, column headers and rows; numeric columns are right-aligned. */
export function table(
  caption: string,
  headers: readonly string[],
  rows: readonly (readonly Child[])[],
  options: { numeric?: readonly boolean[]; rowClass?: (index: number) => string | undefined } = {},
): HTMLTableElement {
  const cls = (i: number) => (options.numeric?.[i] ? 'num' : undefined);
  return el(
    'table',
    {},
    el('caption', {}, caption),
    el('thead', {}, el('tr', {}, ...headers.map((h, i) => el('th', { scope: 'col', class: cls(i) }, h)))),
    el(
      'tbody',
      {},
      ...rows.map((row, r) =>
        el(
          'tr',
          { class: options.rowClass?.(r) },
          ...row.map((cell, i) =>
            i === 0 ? el('th', { scope: 'row', class: cls(i) }, cell) : el('td', { class: cls(i) }, cell),
          ),
        ),
      ),
    ),
  );
}

/** Says `text` to screen readers through the page's polite live region. */
export function announce(text: string): void {
  const region = document.getElementById('announcer');
  if (region !== null) region.textContent = text;
}
