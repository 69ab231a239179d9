import { resolve } from 'node:path';
import {
  type FlushReport,
  type LocalPipelineOptions,
  type PipelineStats,
  startLocalPipeline,
} from './local-pipeline';

/** The default `clickstream serve` port, where replay and demo look for a running endpoint first. */
export const DEFAULT_PORT = 4573;

/** A local pipeline to send to: one running elsewhere (`clickstream serve`) or started in this process. */
export interface PipelineConnection {
  readonly endpointUrl: string;
  readonly streamName: string;
  readonly region: string;
  /** True when this process started the pipeline (and close() stops it). */
  readonly inProcess: boolean;
  stats(): Promise<PipelineStats>;
  flush(): Promise<FlushReport>;
  close(): Promise<void>;
}

export interface ConnectOptions extends LocalPipelineOptions {
  /** Send to this endpoint; fail if it does not answer. */
  endpointUrl?: string;
}

const PROBE_TIMEOUT_MS = 1_000;

/**
 * Connects to the endpoint at `endpointUrl`, or else to a `clickstream serve` on the default port
 * that serves the same data dir, or else starts the pipeline in this process on `dataDir`.
 */
export async function connectOrStart(options: ConnectOptions): Promise<PipelineConnection> {
  if (options.endpointUrl !== undefined) {
    const served = await probe(options.endpointUrl);
    if (served === undefined) {
      throw new Error(
        `no clickstream endpoint answers at ${options.endpointUrl} (start one with: clickstream serve)`,
      );
    }
    return remoteConnection(options.endpointUrl, served.streamName);
  }
  const url = `http://127.0.0.1:${DEFAULT_PORT}`;
  const served = await probe(url);
  if (served !== undefined && served.dataDir === resolve(options.dataDir)) {
    return remoteConnection(url, served.streamName);
  }
  return startInProcess(options);
}

/** Starts the pipeline in this process (on a free port unless `options.port` says otherwise). */
export async function startInProcess(options: LocalPipelineOptions): Promise<PipelineConnection> {
  const pipeline = await startLocalPipeline(options);
  return {
    endpointUrl: pipeline.endpointUrl,
    streamName: pipeline.streamName,
    region: pipeline.region,
    inProcess: true,
    stats: async () => pipeline.stats(),
    flush: () => pipeline.flush(),
    close: async () => {
      await pipeline.close();
    },
  };
}

function remoteConnection(url: string, streamName: string): PipelineConnection {
  return {
    endpointUrl: url,
    streamName,
    region: 'us-east-1',
    inProcess: false,
    stats: () => callLocal<PipelineStats>(url, 'Stats'),
    flush: () => callLocal<FlushReport>(url, 'Flush'),
    close: async () => undefined,
  };
}

/** What a running pipeline says about itself, or undefined when no clickstream endpoint answers. */
async function probe(url: string): Promise<{ dataDir: string; streamName: string } | undefined> {
  try {
    return await callLocal(url, 'Describe', AbortSignal.timeout(PROBE_TIMEOUT_MS));
  } catch {
    return undefined;
  }
}

/** Calls one of the endpoint's local operations (outside Firehose's API: `ClickstreamLocal.<name>`). */
async function callLocal<T>(url: string, operation: string, signal?: AbortSignal): Promise<T> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': `ClickstreamLocal.${operation}`,
    },
    body: '{}',
    signal,
  });
  const body = (await response.json()) as T & { __type?: string; message?: string };
  if (!response.ok)
    throw new Error(`${url} answered ${body.__type ?? response.status}: ${body.message ?? ''}`);
  return body;
}
