import { describe, expect, it } from 'vitest';
import { UserError } from '../errors.js';
import { parseSubject } from './subject.js';

describe('parseSubject', () => {
  it.each([
    ['AKIAIOSFODNN7EXAMPLE', { kind: 'access-key', accessKeyId: 'AKIAIOSFODNN7EXAMPLE' }],
    ['ASIAIOSFODNN7EXAMPLE', { kind: 'access-key', accessKeyId: 'ASIAIOSFODNN7EXAMPLE' }],
    ['root', { kind: 'root' }],
    ['arn:aws:iam::111122223333:root', { kind: 'root' }],
    ['alice', { kind: 'user', userName: 'alice' }],
    ['arn:aws:iam::111122223333:user/dev/alice', { kind: 'user', userName: 'alice' }],
    ['arn:aws:iam::111122223333:role/deploy', { kind: 'role', roleName: 'deploy' }],
    ['arn:aws:sts::111122223333:assumed-role/deploy/ci-42', { kind: 'assumed-role', roleName: 'deploy' }],
  ])('%s', (input, expected) => {
    expect(parseSubject(input)).toMatchObject({ input, ...expected });
  });

  it.each([
    'no/slash',
    'arn:aws:s3:::bucket',
    'two words',
    'arn:aws:iam::1234:user/x',
    'AKIA123',
    'asia0000',
  ])('refuses %s with a usage error', (input) => {
    expect(() => parseSubject(input)).toThrow(UserError);
  });
});
