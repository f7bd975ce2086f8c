import { SimError } from '../../core/errors.js';

/**
 * An EC2 API error: `code` is the EC2 error code as the API returns it (e.g.
 * `InvalidInstanceID.NotFound`); CloudTrail records it with a `Client.` prefix.
 */
export class Ec2Error extends SimError {
  constructor(code: string, message: string, status = 400) {
    super(code, message, status);
  }
}

/** `InvalidXxxID.NotFound` with AWS's message shape. */
export function notFound(kind: string, id: string, noun = 'ID'): Ec2Error {
  return new Ec2Error(`Invalid${kind}.NotFound`, `The ${noun} '${id}' does not exist`);
}

/** `InvalidParameterValue` — the catch-all for a bad argument value. */
export function invalidParameter(message: string): Ec2Error {
  return new Ec2Error('InvalidParameterValue', message);
}

/** `MissingParameter` — a required argument is absent. */
export function missingParameter(name: string): Ec2Error {
  return new Ec2Error('MissingParameter', `The request must contain the parameter ${name}`);
}
