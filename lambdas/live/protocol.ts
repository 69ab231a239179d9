import type { FailureReason } from '../../contract';
import { isAdvertiserId } from '../aggregator/advertiser-id';
import type { SummaryJson } from '../aggregator/summary';

/**
 * The live protocol (docs/live.md), one definition for the local server's `/live` and the AWS
 * WebSocket API's Lambdas: what a client may send, what the server answers and pushes. Client
 * messages follow API Gateway's convention of routing by an `action` member.
 */

/**
 * The largest client message read, in UTF-8 bytes. The longest valid message is under 150 bytes;
 * anything bigger is refused before it is parsed.
 */
export const MAX_CLIENT_MESSAGE_BYTES = 1024;

/**
 * Advertisers one connection may follow at once. A dashboard follows one; the bound keeps a
 * single connection from making unbounded subscription state.
 */
export const MAX_SUBSCRIPTIONS_PER_CONNECTION = 50;

export type ClientMessage =
  | { readonly action: 'subscribe'; readonly advertiserId: string }
  | { readonly action: 'unsubscribe'; readonly advertiserId: string }
  | { readonly action: 'tail' }
  | { readonly action: 'untail' };

export type ClientAction = ClientMessage['action'];

export const CLIENT_ACTIONS: readonly ClientAction[] = ['subscribe', 'unsubscribe', 'tail', 'untail'];

/** Every `error` a server message may carry. */
export const LIVE_ERROR_CODES = [
  /** The message is longer than MAX_CLIENT_MESSAGE_BYTES. */
  'message_too_large',
  /** The message is not JSON text (or is binary). */
  'not_json',
  /** JSON, but not an object with a string `action`, or with members the action does not take. */
  'bad_message',
  /** `action` is none of CLIENT_ACTIONS. */
  'unknown_action',
  /** `advertiser_id` is missing or does not match the contract's pattern. */
  'bad_advertiser_id',
  /** A subscribe beyond MAX_SUBSCRIPTIONS_PER_CONNECTION; unsubscribe from one first. */
  'too_many_subscriptions',
  /** A valid action that a deployed stack does not serve (the live tail). */
  'not_available_on_stack',
  /** The server failed to act on a valid message; sending it again may work. */
  'internal_error',
] as const;

export type LiveErrorCode = (typeof LIVE_ERROR_CODES)[number];

export type ParsedClientMessage =
  | { readonly ok: true; readonly message: ClientMessage }
  | { readonly ok: false; readonly error: LiveErrorCode; readonly message: string };

const MEMBERS: Record<ClientAction, readonly string[]> = {
  subscribe: ['action', 'advertiser_id'],
  unsubscribe: ['action', 'advertiser_id'],
  tail: ['action'],
  untail: ['action'],
};

/** Reads one client message (a WebSocket text frame); never throws. */
export function parseClientMessage(text: string): ParsedClientMessage {
  const fail = (error: LiveErrorCode, message: string): ParsedClientMessage => ({
    ok: false,
    error,
    message,
  });
  if (Buffer.byteLength(text, 'utf8') > MAX_CLIENT_MESSAGE_BYTES) {
    return fail('message_too_large', `a message may be at most ${MAX_CLIENT_MESSAGE_BYTES} bytes`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return fail(
      'not_json',
      'the message is not JSON; send an object such as {"action":"subscribe","advertiser_id":"…"}',
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return fail('bad_message', 'the message must be a JSON object with an "action" member');
  }
  const members = value as Record<string, unknown>;
  const { action } = members;
  if (typeof action !== 'string') return fail('bad_message', 'the message has no string "action" member');
  if (!isClientAction(action)) {
    return fail(
      'unknown_action',
      `unknown action ${JSON.stringify(action)}; expected one of ${CLIENT_ACTIONS.join(', ')}`,
    );
  }
  const unexpected = Object.keys(members).filter((name) => !MEMBERS[action].includes(name));
  if (unexpected.length > 0) {
    return fail(
      'bad_message',
      `action ${action} takes only ${MEMBERS[action].join(', ')}; unexpected ${unexpected.join(', ')}`,
    );
  }
  if (action === 'tail' || action === 'untail') return { ok: true, message: { action } };
  const advertiserId = members.advertiser_id;
  if (typeof advertiserId !== 'string' || !isAdvertiserId(advertiserId)) {
    return fail(
      'bad_advertiser_id',
      `advertiser_id ${JSON.stringify(advertiserId ?? null)} is not an advertiser id (1-64 letters, digits, '_' or '-', starting with a letter or digit)`,
    );
  }
  return { ok: true, message: { action, advertiserId } };
}

function isClientAction(action: string): action is ClientAction {
  return (CLIENT_ACTIONS as readonly string[]).includes(action);
}

/** One event of the live tail: the transform's outcome for a record the endpoint accepted. */
export interface LiveTailEvent {
  received_at: string;
  outcome: 'ok' | 'dropped' | 'failed';
  /**
   * Why a record failed (outcome `failed` only): the transform's FailureReason, or Firehose's error
   * code (`Lambda.FunctionError`, …) when the invocation itself failed.
   */
  reason?: FailureReason | (string & {});
  /** The stored event, or a decoded, size-bounded preview of the raw record. */
  event: unknown;
}

export type ServerMessage =
  | { type: 'summary'; summary: SummaryJson }
  /** `omitted`: events left out since the previous message (a delivery bigger than a message, or a slow reader). */
  | { type: 'events'; events: LiveTailEvent[]; omitted?: number }
  | { type: 'subscribed' | 'unsubscribed'; advertiser_id: string }
  | { type: 'subscribed' | 'unsubscribed'; tail: true }
  | { type: 'error'; error: LiveErrorCode; message: string };

/** The push for one stored window; `summary` is exactly what the summary API returns for it. */
export function summaryMessage(summary: SummaryJson): ServerMessage {
  return { type: 'summary', summary };
}

export function eventsMessage(events: LiveTailEvent[], omitted = 0): ServerMessage {
  return omitted > 0 ? { type: 'events', events, omitted } : { type: 'events', events };
}

/** The answer to a message that was acted on. */
export function acknowledgement(message: ClientMessage): ServerMessage {
  const type = message.action === 'subscribe' || message.action === 'tail' ? 'subscribed' : 'unsubscribed';
  return message.action === 'tail' || message.action === 'untail'
    ? { type, tail: true }
    : { type, advertiser_id: message.advertiserId };
}

export function errorMessage(error: LiveErrorCode, message: string): ServerMessage {
  return { type: 'error', error, message };
}

/** The answer to a refused client message. */
export function refusal(parsed: Extract<ParsedClientMessage, { ok: false }>): ServerMessage {
  return errorMessage(parsed.error, parsed.message);
}

/** The answer a deployed stack gives to the live tail, which only the local pipeline has. */
export const TAIL_NOT_ON_STACK = errorMessage(
  'not_available_on_stack',
  'the live tail of transform outcomes exists only on the local server (clickstream serve); a deployed stack has no per-record stream to watch',
);

/** A server message as the text frame sent. */
export function encodeServerMessage(message: ServerMessage): string {
  return JSON.stringify(message);
}
