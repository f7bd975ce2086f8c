import type { Subject } from '../case/schema.js';
import { UsageError } from '../errors.js';
import { ACCESS_KEY, KEY_LIKE, notAKeyId } from '../key-id.js';

const USER_NAME = /^[\w+=,.@-]{1,64}$/;
const ARN = /^arn:aws[a-z-]*:(iam|sts)::(\d{12}):(.+)$/;

/**
 * What the responder typed, classified without calling AWS: an access key id (AKIA long-term,
 * ASIA temporary; aws-facts §3.7), `root`, an IAM user name, or a user, role, assumed-role or
 * root ARN.
 */
export function parseSubject(raw: string): Subject {
  const input = raw.trim();
  if (ACCESS_KEY.test(input)) return { input, kind: 'access-key', accessKeyId: input };
  if (KEY_LIKE.test(input)) throw notAKeyId(input);
  if (input.toLowerCase() === 'root') return { input, kind: 'root' };
  const arn = ARN.exec(input);
  if (arn) {
    const [, service, , resource] = arn;
    const parts = resource!.split('/');
    if (service === 'iam' && resource === 'root') return { input, kind: 'root', arn: input };
    if (service === 'iam' && parts[0] === 'user' && parts.length >= 2)
      return { input, kind: 'user', userName: parts.at(-1)!, arn: input };
    if (service === 'iam' && parts[0] === 'role' && parts.length >= 2)
      return { input, kind: 'role', roleName: parts.at(-1)!, arn: input };
    if (service === 'sts' && parts[0] === 'assumed-role' && parts.length === 3)
      return { input, kind: 'assumed-role', roleName: parts[1]!, arn: input };
  } else if (USER_NAME.test(input) && !input.startsWith('arn:')) {
    return { input, kind: 'user', userName: input };
  }
  throw new UsageError(
    `"${input}" is not an access key id, IAM user name or ARN, role ARN, or "root".`,
    'Examples: AKIAIOSFODNN7EXAMPLE, alice, arn:aws:iam::111122223333:role/deploy, root.',
  );
}

/** The account id in an ARN. */
export function accountOfArn(arn: string | undefined): string | undefined {
  const account = arn?.split(':')[4];
  return account && /^\d{12}$/.test(account) ? account : undefined;
}
