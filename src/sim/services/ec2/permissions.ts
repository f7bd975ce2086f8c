import { Ec2Error } from './errors.js';
import type { WireObject } from './model.js';

/** One createVolumePermission / launchPermission entry: an account or the group `all`. */
export interface PermissionEntry {
  userId?: string;
  group?: string;
}

/** A requested change, as ModifySnapshotAttribute / ModifyImageAttribute express it. */
export interface PermissionChange {
  add: PermissionEntry[];
  remove: PermissionEntry[];
}

interface Shareable {
  sharedWith: string[];
  isPublic: boolean;
}

/**
 * Apply an add/remove to a snapshot's or image's sharing. Group `all` makes the resource
 * public; any other group name is rejected, and account ids must be 12 digits (EC2 returns
 * InvalidParameterValue / InvalidUserID.Malformed for those).
 */
export function applyPermissionChange(target: Shareable, change: PermissionChange): void {
  const apply = (entry: PermissionEntry, adding: boolean): void => {
    if (entry.group !== undefined) {
      if (entry.group !== 'all') {
        throw new Ec2Error('InvalidParameterValue', `Invalid value '${entry.group}' for group`);
      }
      target.isPublic = adding;
      return;
    }
    const userId = entry.userId ?? '';
    if (!/^\d{12}$/.test(userId)) {
      throw new Ec2Error('InvalidUserID.Malformed', `Invalid user id: '${userId}'`);
    }
    if (adding && !target.sharedWith.includes(userId)) target.sharedWith.push(userId);
    if (!adding) target.sharedWith = target.sharedWith.filter((id) => id !== userId);
  };
  for (const entry of change.add) apply(entry, true);
  for (const entry of change.remove) apply(entry, false);
}

/** The wire list of a resource's permissions: `{group: 'all'}` first, then `{userId}` items. */
export function permissionList(target: Shareable): WireObject[] {
  return [...(target.isPublic ? [{ group: 'all' }] : []), ...target.sharedWith.map((userId) => ({ userId }))];
}

/** True when `accountId` may use the resource through sharing (explicitly or publicly). */
export function sharedWithAccount(target: Shareable, accountId: string): boolean {
  return target.isPublic || target.sharedWith.includes(accountId);
}
