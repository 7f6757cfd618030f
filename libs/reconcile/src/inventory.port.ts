/**
 * Range of source records to reconcile, `[fromMs, toMs)`. Its meaning is the inventory's: the flow's own
 * query over the range (`SourceApiInventory` in the source-connector service: consign time for shipped
 * orders, modified time otherwise), or the record's creation time (`SimulatorSourceInventory`).
 */
export interface TimeRange {
  readonly fromMs: number;
  readonly toMs: number;
}

/** The latest version of one source record. */
export interface SourceRecord {
  readonly sourceId: string;
  readonly version: number;
  /** Creation time at the source (first version), epoch ms. */
  readonly createdAt: number;
  /** Time of the latest version, epoch ms. */
  readonly modifiedAt: number;
  readonly payload: Record<string, unknown>;
}

/**
 * What a source system holds. Implementations: `SourceApiInventory` (services/source-connector: the
 * platform's list API with the flow's query and the production client, real platform or simulator) and
 * `SimulatorSourceInventory` (simulator admin endpoint, every record ever generated).
 */
export interface SourceInventory {
  /** Latest version of every record created in `range` for `entity`. */
  list(entity: string, range: TimeRange): Promise<SourceRecord[]>;
  /** Latest version of every record, whatever its time (master data), when the source can list them all. */
  listAll?(entity: string): Promise<SourceRecord[]>;
}

/** One document as the Kingdee system holds it. */
export interface KingdeeDocument {
  readonly id: string;
  readonly billNo: string;
  /** Times this bill was created (1 = written once; an update in place is not counted); undefined when the system cannot tell. */
  readonly writeCount?: number | undefined;
  readonly firstWrittenAt?: string | undefined;
  /** Last successful write of this bill (ISO), when the system tells. */
  readonly lastWrittenAt?: string | undefined;
  /** The stored document (model / bill / data); used for quantity and amount sums. */
  readonly body: unknown;
}

/**
 * What a Kingdee system holds for one form. Implementations: `SimulatorKingdeeInventory`
 * (simulator admin endpoint) and `K3CloudBillQueryInventory` (`ExecuteBillQuery`).
 */
export interface KingdeeInventory {
  list(formId: string): Promise<KingdeeDocument[]>;
}
