import type { ErrorClass } from '@kingbridge/contracts';
import {
  NonRetriableError,
  RetriableError,
  type PipelineError,
} from '@kingbridge/pipeline-core';

/**
 * Error classes whose outcome is unknown: the write may have happened even
 * though the call failed (timeout, lost or garbled answer, duplicate bill
 * number). The sink asks Kingdee whether the bill exists before resending.
 */
const AMBIGUOUS: ReadonlySet<ErrorClass> = new Set<ErrorClass>([
  'timeout',
  'network',
  'bad_response',
  'server_error',
  'duplicate_number',
  'unknown',
]);

/** Retrying cannot help: fix the data or master data, then replay. */
const PERMANENT: ReadonlySet<ErrorClass> = new Set<ErrorClass>([
  'validation',
  'missing_base_data',
  'schema',
  'mapping',
  'lookup',
  'duplicate_number_conflict',
  'changed_after_write',
]);

export function isAmbiguous(errorClass: ErrorClass): boolean {
  return AMBIGUOUS.has(errorClass);
}

export function isPermanent(errorClass: ErrorClass): boolean {
  return PERMANENT.has(errorClass);
}

/**
 * A classified Kingdee failure. The message is Kingdee's own text (prefixed
 * with the target), never a credential. Permanent classes give a
 * NonRetriableError, everything else a RetriableError; `duplicate_number`
 * is retriable only in the sense that it must be verified, never resent blind.
 */
export function kingdeeError(
  errorClass: ErrorClass,
  message: string,
  options: { fieldPath?: string; retryAfterMs?: number; cause?: unknown } = {},
): PipelineError {
  const fieldPath =
    options.fieldPath !== undefined && options.fieldPath !== ''
      ? options.fieldPath
      : undefined;
  if (isPermanent(errorClass)) {
    return new NonRetriableError(message, {
      errorClass,
      ...(fieldPath !== undefined ? { fieldPath } : {}),
      cause: options.cause,
    });
  }
  return new RetriableError(message, {
    errorClass,
    ...(fieldPath !== undefined ? { fieldPath } : {}),
    ...(options.retryAfterMs !== undefined
      ? { retryAfterMs: options.retryAfterMs }
      : {}),
    cause: options.cause,
  });
}

const DUPLICATE_PATTERNS = [
  /违反字段唯一性要求/,
  /已经被使用/,
  /已经存在，不能重复/,
  /已存在，不能重复/,
  /重复提交的数据包/,
];
const MISSING_BASE_DATA_PATTERNS = [
  /在基础资料中不存在/,
  /代码\[[^\]]*\]不存在/,
  /\]不存在或已禁用/,
  /不是商品\[[^\]]*\]的计量单位/,
  /单位\[[^\]]*\]不存在/,
];
const TRANSIENT_TEXT = [
  /死锁/,
  /超时/,
  /繁忙/,
  /稍后重试/,
  /事务已回滚/,
  /系统异常/,
];

/** Classifies one Kingdee message (a row error or a whole answer) by its text. */
export function classifyKingdeeMessage(
  message: string,
): ErrorClass | undefined {
  if (DUPLICATE_PATTERNS.some((p) => p.test(message)))
    return 'duplicate_number';
  if (MISSING_BASE_DATA_PATTERNS.some((p) => p.test(message)))
    return 'missing_base_data';
  if (TRANSIENT_TEXT.some((p) => p.test(message))) return 'server_error';
  return undefined;
}

/** K3Cloud `MsgCode` (WebAPI explorer table) to an error class. */
export function classifyK3MsgCode(
  msgCode: number,
  message: string,
): ErrorClass {
  switch (msgCode) {
    case 1:
      return 'session_lost';
    case 14:
      return 'concurrency_limit';
    case 13:
      return 'concurrency_limit';
    case 6:
      return 'server_error';
    case 2:
    case 7:
    case 15:
      return 'auth';
    case 9:
      return 'missing_base_data';
    case 4:
      // "exception": an unknown form is permanent, anything else may pass on retry.
      return /业务对象不存在|不存在或未实现/.test(message)
        ? 'validation'
        : 'server_error';
    case 3:
    case 5:
    case 8:
    case 10:
    case 11:
    case 12:
      return 'validation';
    default:
      return 'unknown';
  }
}

/** One K3Cloud row error: its text decides first, the answer's MsgCode second. */
export function classifyK3RowError(
  msgCode: number,
  message: string,
): ErrorClass {
  return classifyKingdeeMessage(message) ?? classifyK3MsgCode(msgCode, message);
}

/** An HTTP status outside 2xx (answer body not a Kingdee envelope). */
export function classifyHttpStatus(status: number): ErrorClass {
  if (status === 429) return 'throttled';
  if (status === 401 || status === 403 || status === 519) return 'auth';
  if (status >= 500) return 'server_error';
  return 'bad_response';
}
