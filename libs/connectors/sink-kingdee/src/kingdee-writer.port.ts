import type { KingdeeTarget } from '@kingbridge/contracts';
import type { PipelineError } from '@kingbridge/pipeline-core';

/** One document of a write request: its bill number and the target body (K3Cloud `Model`, JDY body, K3 WISE `Data`). */
export interface WriteRow {
  readonly billNo: string;
  readonly document: Readonly<Record<string, unknown>>;
}

export interface WriteRequest {
  /** K3Cloud form id, JDY API path or K3 WISE path (`/SO/Save`). */
  readonly formId: string;
  /** `Save` / `BatchSave` (K3Cloud), `save` (JDY), `Save` (K3 WISE). */
  readonly operation: string;
  /** Target flags from the plan (IsAutoSubmitAndAudit, IsVerifyBaseDataField, BatchCount, ...). */
  readonly options: Readonly<Record<string, string | number | boolean>>;
  readonly rows: readonly WriteRow[];
  readonly signal?: AbortSignal;
}

/** The bill as Kingdee knows it. */
export interface BillRef {
  readonly id: string;
  readonly number: string;
}

/**
 * A bill found under a document's number, compared with the document:
 * `same` = it is this document (written by an earlier attempt),
 * `different` = the number is used by another document (`reason` says what differs).
 */
export type BillMatch =
  | ({ readonly kind: 'same' } & BillRef)
  | ({ readonly kind: 'different'; readonly reason: string } & BillRef);

/**
 * What happened to one row. `failed` carries a classified PipelineError whose
 * message is Kingdee's own text; `isAmbiguous(error.errorClass)` says whether
 * the write may have happened anyway (verify before resending).
 */
export type RowOutcome =
  | ({ readonly kind: 'written' } & BillRef)
  | { readonly kind: 'failed'; readonly error: PipelineError };

/** Updating a written bill in place: the row outcome, or `refused` when the bill's state forbids it (audited). */
export type UpdateOutcome =
  RowOutcome | { readonly kind: 'refused'; readonly reason: string };

export interface UpdateRequest {
  readonly formId: string;
  readonly options: Readonly<Record<string, string | number | boolean>>;
  /** The bill's Kingdee id (K3Cloud FID) as the ledger recorded it. */
  readonly id: string;
  readonly row: WriteRow;
  /** The plan permits un-auditing an audited bill to update it (and auditing it again after). */
  readonly unaudit: boolean;
  readonly signal?: AbortSignal;
}

/**
 * A Kingdee target as the sink sees it. Implemented by K3CloudClient,
 * JdyClient and K3WiseClient.
 */
export interface KingdeeWriter {
  readonly target: KingdeeTarget;
  /** Documents one request of `operation` may carry (1 unless the API saves several at once). */
  maxRowsPerRequest(operation: string): number;
  /**
   * Sends one request with `rows` and maps the answer row by row, in the
   * order of `rows`. Never throws for Kingdee or transport failures: the
   * whole request failing gives every row the same classified error.
   */
  write(request: WriteRequest): Promise<RowOutcome[]>;
  /**
   * Asks Kingdee which of `billNos` exist in `formId` (ExecuteBillQuery,
   * JDY detail, K3 WISE GetList). Throws a classified PipelineError when
   * Kingdee cannot answer.
   */
  findBills(
    formId: string,
    billNos: readonly string[],
    signal?: AbortSignal,
  ): Promise<Map<string, BillRef>>;
  /**
   * The row that updates the written bill `id` in place with `row`'s content
   * (K3Cloud: the Model with its primary key). Absent: the target cannot
   * update a written document.
   */
  asUpdate?(formId: string, id: string, row: WriteRow): WriteRow;
  /**
   * Updates the written bill `id` with `row`, minding its state (K3Cloud: an unaudited bill is saved over with
   * its FID; an audited one is refused unless `unaudit`, then UnAudit → Save → Submit → Audit). Resumable: a bill
   * left un-audited by an interrupted update is audited again by the next one. Never throws for Kingdee failures.
   */
  updateBill?(request: UpdateRequest): Promise<UpdateOutcome>;
  /**
   * Like findBills, and compares each bill found with the row (more than the
   * number: date, parties, entry rows), so a bill number reused by another
   * document is never taken for ours. Absent: the sink compares numbers only.
   */
  matchBills?(
    formId: string,
    rows: readonly WriteRow[],
    signal?: AbortSignal,
  ): Promise<Map<string, BillMatch>>;
}
