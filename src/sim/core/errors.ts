/**
 * An AWS error as a service returns it. Handlers throw these; the protocol codec writes the
 * envelope (query `<ErrorResponse>`, EC2 `<Response><Errors>`, S3 `<Error>`, JSON `__type`) and
 * CloudTrail records `errorCode`/`errorMessage`.
 */
export class SimError extends Error {
  override readonly name = 'SimError';
  readonly code: string;
  readonly status: number;
  /** `Sender` for client faults, `Receiver` for server faults (awsQuery `<Type>`). */
  readonly faultType: 'Sender' | 'Receiver';
  /** Extra members some errors carry (S3 `<Resource>`, `<BucketName>`…). */
  readonly extra: Record<string, string> | undefined;

  constructor(code: string, message: string, status = 400, extra?: Record<string, string>) {
    super(message);
    this.code = code;
    this.status = status;
    this.faultType = status >= 500 ? 'Receiver' : 'Sender';
    this.extra = extra;
  }
}

/** Whether a thrown value is a SimError. */
export function isSimError(error: unknown): error is SimError {
  return error instanceof SimError;
}
