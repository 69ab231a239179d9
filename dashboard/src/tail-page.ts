import { announce, byId, el } from './dom';
import { formatCount } from './format';
import { LiveConnection, liveStateText, type TailEvent } from './live';

// Bounded, so a busy endpoint cannot grow the page without limit.
const MAX_ROWS = 200;
// Screen readers hear a count now and then, not every event.
const ANNOUNCE_EVERY_MS = 5_000;

const pauseButton = byId<HTMLButtonElement>('pause');
const refusedOnly = byId<HTMLInputElement>('refused-only');
const body = byId<HTMLTableElement>('tail').tBodies[0]!;

let events: TailEvent[] = [];
let paused = false;
let heldWhilePaused = 0;
const counts = { received: 0, refused: 0, omitted: 0 };
let lastAnnounced = 0;

byId('tail-limit').textContent = String(MAX_ROWS);

const live = new LiveConnection({
  onState: (state) => {
    byId('live-state').textContent = liveStateText(state);
  },
  onMessage: (message) => {
    if (message.type === 'events') receive(message.events, message.omitted ?? 0);
    else if (message.type === 'subscribed' && message.tail)
      byId('live-state').textContent = 'Live: following events';
    else if (message.type === 'error') {
      // On a deployed stack the tail is `not_available_on_stack`: say so instead of an empty list.
      const box = byId('tail-error');
      box.hidden = false;
      box.textContent = `${message.message} (${message.error})`;
    }
  },
});
live.ensure('tail', { action: 'tail' });

function receive(batch: readonly TailEvent[], omitted: number): void {
  counts.received += batch.length;
  counts.omitted += omitted;
  counts.refused += batch.filter((e) => e.outcome === 'failed').length;
  if (paused) heldWhilePaused += batch.length;
  // Newest first; the list keeps its bound whether paused or not, so resuming shows the latest.
  events = [...[...batch].reverse(), ...events].slice(0, MAX_ROWS);
  if (!paused) render();
  renderCounts();
  if (Date.now() - lastAnnounced > ANNOUNCE_EVERY_MS) {
    lastAnnounced = Date.now();
    announce(`${formatCount(counts.received)} events received, ${formatCount(counts.refused)} refused.`);
  }
}

function render(): void {
  const shown = refusedOnly.checked ? events.filter((e) => e.outcome !== 'ok') : events;
  if (shown.length > 0) body.replaceChildren(...shown.map(row));
  else {
    const waiting =
      events.length === 0
        ? 'No events yet: send one to the endpoint.'
        : 'No refused events among the latest.';
    body.replaceChildren(el('tr', {}, el('td', { colspan: 7, class: 'note' }, waiting)));
  }
}

interface TextPreview {
  preview: string;
  truncated: boolean;
  bytes: number;
}

function isTextPreview(value: unknown): value is TextPreview {
  return typeof value === 'object' && value !== null && typeof (value as TextPreview).preview === 'string';
}

/**
 * The event's members: the stored event, a refused record's object (personal fields hidden by the
 * server), or what a text preview of a big record still parses to (nothing, when it was cut).
 */
function membersOf(event: unknown): Record<string, unknown> {
  let value = event;
  if (isTextPreview(value)) {
    try {
      value = JSON.parse(value.preview);
    } catch {
      return {};
    }
  }
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

/** What *Show* opens: the event as JSON, a big record's preview, or why there is nothing to show. */
function details(event: unknown): string {
  if (event === null) return 'The record is not a JSON object: nothing in it can be shown.';
  if (isTextPreview(event)) {
    const note = event.truncated ? `\n… (the first part of ${formatCount(event.bytes)} bytes)` : '';
    return `${event.preview}${note}`;
  }
  return JSON.stringify(event, null, 2);
}

function row(tail: TailEvent): HTMLTableRowElement {
  const event = membersOf(tail.event);
  const text = (key: string) => (typeof event[key] === 'string' ? (event[key] as string) : '');
  const json = details(tail.event);
  return el(
    'tr',
    { class: `outcome-${tail.outcome}` },
    el('td', {}, tail.received_at.replace('T', ' ').replace(/(\.\d+)?Z$/, '')),
    el('td', {}, el('span', { class: `badge ${tail.outcome}` }, tail.outcome)),
    el('td', {}, tail.reason ?? ''),
    el('td', {}, text('event_type')),
    el('td', {}, text('advertiser_id')),
    el('td', { class: 'mono' }, text('event_id')),
    el('td', {}, el('details', {}, el('summary', {}, 'Show'), el('pre', {}, json))),
  );
}

function renderCounts(): void {
  const held = paused && heldWhilePaused > 0 ? ` ${formatCount(heldWhilePaused)} arrived while paused.` : '';
  const omitted =
    counts.omitted > 0
      ? ` ${formatCount(counts.omitted)} more were not sent to this page (too many at once).`
      : '';
  byId('tail-counts').textContent =
    `${formatCount(counts.received)} received, ${formatCount(counts.refused)} refused since this page opened.${held}${omitted}`;
}

pauseButton.addEventListener('click', () => {
  paused = !paused;
  pauseButton.setAttribute('aria-pressed', String(paused));
  pauseButton.textContent = paused ? 'Resume' : 'Pause';
  if (!paused) {
    heldWhilePaused = 0;
    render();
  }
  renderCounts();
  announce(paused ? 'Tail paused.' : 'Tail resumed.');
});
refusedOnly.addEventListener('change', render);
byId('clear').addEventListener('click', () => {
  events = [];
  heldWhilePaused = 0;
  render();
  renderCounts();
});
render();
renderCounts();
