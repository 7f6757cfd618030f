/**
 * Bucket boundaries (seconds) of `kingbridge_source_to_kingdee_latency_seconds`.
 * `LATENCY_SLO_THRESHOLD_SECONDS` must be one of them: the SLO burn-rate rules
 * in deploy/prometheus/rules read the `le="300"` bucket.
 */
export const LATENCY_BUCKETS_SECONDS: readonly number[] = [
  1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21600,
];

/** A document is "on time" when it reaches Kingdee within this many seconds. */
export const LATENCY_SLO_THRESHOLD_SECONDS = 300;

/** Share of documents that must be on time (the SLO objective). */
export const LATENCY_SLO_OBJECTIVE = 0.99;

/** At most this many distinct flows get their own series; the rest share `other`. */
export const MAX_FLOW_LABEL_VALUES = 100;

/** At most this many distinct Kingdee form ids get their own series. */
export const MAX_FORM_LABEL_VALUES = 100;

/**
 * A flow label must look like an identifier (sync plan ids do:
 * `jackyun-retail-orders-to-k3cloud-outstock`). Anything else (free text,
 * a value with spaces or slashes) collapses to `other`.
 */
export const FLOW_LABEL_PATTERN = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;

/**
 * A form label is a Kingdee form id: an identifier (K3Cloud `SAL_OUTSTOCK`,
 * `BD_Customer`) or an API path of identifier segments (JDY
 * `/jdy/v2/scm/inv_check_loss_bill`, K3 WISE `/SO/Save`).
 */
export const FORM_LABEL_PATTERN =
  /^(?=.{1,96}$)\/?[A-Za-z][A-Za-z0-9_.-]*(?:\/[A-Za-z][A-Za-z0-9_.-]*)*$/;

/** Label value used for overflow and malformed values. */
export const OVERFLOW_LABEL_VALUE = 'other';
