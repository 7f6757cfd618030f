/**
 * What the sink sends to Kingdee for outbound documents, for `plan.ts dry-run`:
 * the sink's own writer clients run against a fetch that records each
 * request and answers it with a success, so the envelope printed is the one
 * the sink builds (no copy of its request code).
 */
import type { OutboundDocument } from '@kingbridge/contracts';
import {
  JdyClient,
  K3CloudClient,
  K3WiseClient,
  type KingdeeWriter,
} from '@kingbridge/sink-kingdee-client';

/** One request a writer made: method, URL path and the JSON body. */
export interface CapturedRequest {
  readonly method: string;
  readonly path: string;
  readonly body: unknown;
}

/** One Kingdee call of the dry run: which documents it carries and the request the sink sends. */
export interface RequestEnvelope {
  readonly target: OutboundDocument['target'];
  readonly formId: string;
  readonly operation: string;
  readonly billNos: readonly string[];
  readonly request: CapturedRequest;
}

const BASE = 'http://dry-run.invalid';

/** A success answer in each target's envelope (token calls included). */
function answer(target: OutboundDocument['target'], rows: number): unknown {
  switch (target) {
    case 'k3cloud':
      return {
        Result: {
          ResponseStatus: {
            IsSuccess: true,
            Errors: [],
            SuccessEntitys: Array.from({ length: rows }, (_v, i) => ({
              Id: i + 1,
              Number: '',
              DIndex: i,
            })),
            SuccessMessages: [],
            MsgCode: 0,
          },
        },
      };
    case 'jdy':
      return {
        errcode: 0,
        description: 'dry-run',
        data: { 'app-token': 'dry-run', ids: ['1'], id_number_map: {} },
      };
    case 'k3wise':
      return {
        StatusCode: 200,
        Message: 'dry-run',
        Data: { Token: 'dry-run', Validity: 3600, FInterID: 1 },
      };
  }
}

function writerFor(
  target: OutboundDocument['target'],
  captured: CapturedRequest[],
  rows: () => number,
): KingdeeWriter {
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const url = new URL(
      typeof input === 'string' || input instanceof URL ? input : input.url,
    );
    const text = typeof init?.body === 'string' ? init.body : '';
    let body: unknown = text;
    try {
      body = text === '' ? undefined : (JSON.parse(text) as unknown);
    } catch {
      // a form body stays text
    }
    captured.push({
      method: init?.method ?? 'GET',
      path: `${url.pathname}${url.search}`,
      body,
    });
    return new Response(JSON.stringify(answer(target, rows())), {
      status: 200,
      headers: { 'content-type': 'application/json' },
    });
  };
  switch (target) {
    case 'k3cloud':
      return new K3CloudClient({
        baseUrl: `${BASE}/k3cloud/`,
        acctId: 'dry-run',
        userName: 'dry-run',
        auth: {
          mode: 'signed-headers',
          appId: 'dry_run',
          appSecret: 'dry-run',
        },
        fetch,
      });
    case 'jdy':
      return new JdyClient({
        baseUrl: BASE,
        clientId: 'dry-run',
        clientSecret: 'dry-run',
        appKey: 'dry-run',
        appSecret: 'dry-run',
        routerAddr: BASE,
        fetch,
      });
    case 'k3wise':
      return new K3WiseClient({
        baseUrl: `${BASE}/K3API`,
        authorityCode: 'dry-run',
        fetch,
      });
  }
}

/**
 * The requests the sink makes for these documents, batched as it batches
 * them: consecutive documents of one target, form, operation and options, up
 * to the plan's rows per call and the writer's own limit.
 */
export async function requestEnvelopes(
  documents: readonly OutboundDocument[],
): Promise<RequestEnvelope[]> {
  const out: RequestEnvelope[] = [];
  let i = 0;
  while (i < documents.length) {
    const first = documents[i] as OutboundDocument;
    const captured: CapturedRequest[] = [];
    let size = 0;
    const writer = writerFor(first.target, captured, () => size);
    const max = Math.max(
      1,
      Math.min(first.batchRows, writer.maxRowsPerRequest(first.operation)),
    );
    const sameGroup = (d: OutboundDocument) =>
      d.target === first.target &&
      d.formId === first.formId &&
      d.operation === first.operation &&
      JSON.stringify(d.options) === JSON.stringify(first.options);
    const batch: OutboundDocument[] = [];
    while (
      i < documents.length &&
      batch.length < max &&
      sameGroup(documents[i] as OutboundDocument)
    ) {
      batch.push(documents[i] as OutboundDocument);
      i += 1;
    }
    size = batch.length;
    const outcomes = await writer.write({
      formId: first.formId,
      operation: first.operation,
      options: first.options,
      rows: batch.map((d) => ({ billNo: d.billNo, document: d.document })),
    });
    const failed = outcomes.find((o) => o.kind === 'failed');
    if (failed && failed.kind === 'failed') throw failed.error;
    // Token and login calls come first; the writes are the requests that carry a document.
    const writes = captured.filter((c) =>
      batch.some((d) => JSON.stringify(c.body ?? '').includes(d.billNo)),
    );
    for (const request of writes)
      out.push({
        target: first.target,
        formId: first.formId,
        operation: first.operation,
        billNos: batch
          .filter((d) => JSON.stringify(request.body ?? '').includes(d.billNo))
          .map((d) => d.billNo),
        request,
      });
  }
  return out;
}
