import {
  AddUserToGroupCommand,
  GetUserCommand,
  ListAttachedGroupPoliciesCommand,
  ListGroupPoliciesCommand,
  ListGroupsForUserCommand,
  RemoveUserFromGroupCommand,
} from '@aws-sdk/client-iam';
import type { ClientPool } from '../../aws/pool.js';
import type { StepParams } from '../action.js';
import { iamList, iamOf, readOrAbsent } from '../iam-read.js';
import { asJson, restoration } from './declare.js';

interface Membership {
  userName: string;
  /** Every group the user is in now. */
  groups: string[];
  /** What the group grants (its managed policies and inline policy names), when the user is in it. */
  grants?: { attached: string[]; inline: string[] };
}

async function readMembership(pool: ClientPool, p: StepParams): Promise<Membership | undefined> {
  const iam = iamOf(pool);
  const user = await readOrAbsent(() => iam.send(new GetUserCommand({ UserName: p.userName })));
  if (!user?.User) return undefined;
  const groups = await iamList(
    (Marker) => iam.send(new ListGroupsForUserCommand({ UserName: p.userName, Marker })),
    (o) => o.Groups,
  );
  const names = groups.map((g) => g.GroupName ?? '');
  if (!names.includes(p.groupName ?? '')) return { userName: p.userName!, groups: names };
  const q = { GroupName: p.groupName };
  const [attached, inline] = await Promise.all([
    iamList(
      (Marker) => iam.send(new ListAttachedGroupPoliciesCommand({ ...q, Marker })),
      (o) => o.AttachedPolicies,
    ),
    iamList(
      (Marker) => iam.send(new ListGroupPoliciesCommand({ ...q, Marker })),
      (o) => o.PolicyNames,
    ),
  ]);
  return {
    userName: p.userName!,
    groups: names,
    grants: { attached: attached.map((a) => a.PolicyArn ?? ''), inline },
  };
}

/**
 * Take a user that stays out of a group the attacker added it to (the group stays too): the
 * user's groups and what the group grants are kept first. Undo adds the user back.
 */
export const removeUserFromGroup = restoration<Membership>({
  name: 'remove-user-from-group',
  summary:
    "keep the user's groups and what the group grants, then remove the user from a group the attacker added it to",
  target: (p) => `${p.userName ?? '?'}/${p.groupName ?? '?'}`,
  read: readMembership,
  restored: (m, p) => !m.groups.includes(p.groupName ?? ''),
  describe: (m, p) =>
    `keep the membership, remove ${p.userName ?? '?'} from ${p.groupName ?? '?'} (grants ${[...(m.grants?.attached ?? []), ...(m.grants?.inline ?? [])].join(', ') || 'nothing'})`,
  evidence: (m) => [{ file: 'membership.json', content: asJson(m) }],
  async write(pool, p) {
    await readOrAbsent(() =>
      iamOf(pool).send(new RemoveUserFromGroupCommand({ UserName: p.userName, GroupName: p.groupName })),
    );
    return { removed: `${p.userName ?? '?'} from ${p.groupName ?? '?'}` };
  },
  async undo(pool, step, before) {
    if (!before.groups.includes(step.params.groupName ?? '')) return { restored: 'it was not a member' };
    await iamOf(pool).send(
      new AddUserToGroupCommand({ UserName: step.params.userName, GroupName: step.params.groupName }),
    );
    return { restored: `${step.params.userName ?? '?'} back in ${step.params.groupName ?? '?'}` };
  },
});
