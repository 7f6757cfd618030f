export interface K3Error {
  FieldName: string | null;
  Message: string;
  DIndex: number;
}

export interface K3SuccessEntity {
  Id: number;
  Number: string;
  DIndex: number;
}

export interface K3ResponseStatus {
  ErrorCode?: number;
  IsSuccess: boolean;
  Errors: K3Error[];
  SuccessEntitys: K3SuccessEntity[];
  SuccessMessages: K3Error[];
  MsgCode: number;
}

import {
  K3_AUTH_SERVICE,
  K3_MSG,
  K3_SESSION_LOST_MESSAGE,
} from '@kingbridge/sink-kingdee-client/protocol';

/** Lower-cased `AuthService.` prefix of a login service path. */
export const K3_AUTH_PREFIX = `${K3_AUTH_SERVICE.toLowerCase()}.`;

export { K3_MSG, K3_SESSION_LOST_MESSAGE };

export function k3Status(
  errors: K3Error[],
  successes: K3SuccessEntity[],
  msgCode: number,
  successMessages: K3Error[] = [],
): K3ResponseStatus {
  const ok = errors.length === 0;
  return {
    ...(ok ? {} : { ErrorCode: 500 }),
    IsSuccess: ok,
    Errors: errors,
    SuccessEntitys: successes,
    SuccessMessages: successMessages,
    MsgCode: ok ? K3_MSG.default : msgCode,
  };
}

/** `{"Result":{"ResponseStatus":{…IsSuccess:false…}}}` with a single error. */
export function k3Failure(
  msgCode: number,
  message: string,
  fieldName: string | null = '',
): { Result: { ResponseStatus: K3ResponseStatus } } {
  return {
    Result: {
      ResponseStatus: k3Status(
        [{ FieldName: fieldName, Message: message, DIndex: 0 }],
        [],
        msgCode,
      ),
    },
  };
}
