import type { ActionDef } from '../action.js';
import { registryOf } from '../engine.js';
import {
  deleteInlinePolicy,
  deleteManagedPolicy,
  detachPolicy,
  restorePolicyVersion,
} from './iam-policies.js';
import { deleteOidcProvider, deleteRole, deleteSamlProvider, restoreRoleTrust } from './iam-roles.js';
import { deleteAccessKey, deleteIamUser, deleteMfaDevice, deleteUserCredentials } from './iam-users.js';

/**
 * Every eradication and restoration action, by name. Removals keep their evidence first and
 * refuse anything AWS dates before the attack; restorations put a pre-existing resource back.
 */
export const ERADICATION_ACTIONS: ActionDef[] = [
  deleteIamUser,
  deleteAccessKey,
  deleteMfaDevice,
  ...deleteUserCredentials,
  restorePolicyVersion,
  deleteManagedPolicy,
  detachPolicy,
  deleteInlinePolicy,
  restoreRoleTrust,
  deleteRole,
  deleteOidcProvider,
  deleteSamlProvider,
];

export const eradicationRegistry = registryOf(ERADICATION_ACTIONS);
