import type { SummaryStore } from '../aggregator/ports';
import { OutdatedSummaryError } from '../aggregator/summary';
import { parseSummaryRequest } from './request';
import { querySummaries } from './summaries';

/** A summary API answer before it meets a transport: API Gateway's result, or the local server's reply. */
export interface SummaryApiAnswer {
  readonly statusCode: number;
  readonly body: unknown;
}

/** The request as both transports hand it over: the path parameter and the decoded query parameters. */
export interface SummaryApiRequest {
  readonly advertiserId: string | undefined;
  readonly parameters: Record<string, string | undefined>;
  /** Named in the message of an internal error, so a user can quote it. */
  readonly requestId: string;
}

/**
 * `GET /advertisers/{advertiserId}/summaries`, whatever carries it: the Lambda behind API Gateway
 * and the local server answer through this one function, so their statuses and bodies are the same.
 * `onError` hears failures of the store (answered 500) for logging.
 */
export async function answerSummaryRequest(
  store: SummaryStore,
  request: SummaryApiRequest,
  now: number,
  onError: (error: unknown) => void = () => undefined,
): Promise<SummaryApiAnswer> {
  const parsed = parseSummaryRequest(request.advertiserId, request.parameters, now);
  if (!parsed.ok) return { statusCode: 400, body: { error: 'bad_request', message: parsed.message } };
  try {
    return { statusCode: 200, body: await querySummaries(store, parsed.query) };
  } catch (error) {
    onError(error);
    // A window stored by the previous version: say which, rather than show it wrong or hide it.
    if (error instanceof OutdatedSummaryError) {
      return { statusCode: 500, body: { error: 'outdated_summary', message: error.message } };
    }
    return {
      statusCode: 500,
      body: {
        error: 'internal_error',
        message: `the summaries could not be read; request id ${request.requestId}`,
      },
    };
  }
}

/** The headers of every answer: JSON, never cached (a provisional window changes). */
export const SUMMARY_API_HEADERS = {
  'content-type': 'application/json',
  'cache-control': 'no-store',
} as const;
