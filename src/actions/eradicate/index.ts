import type { ActionDef } from '../action.js';
import { deleteLoginProfile } from '../login-profile.js';
import { restoreBedrockLogging } from './bedrock.js';
import { deleteSesIdentity, restoreSmsAttributes } from './messaging.js';
import { registryOf } from '../engine.js';
import {
  deleteInlinePolicy,
  deleteManagedPolicy,
  detachPolicy,
  restorePolicyVersion,
} from './iam-policies.js';
import { deleteOidcProvider, deleteRole, deleteSamlProvider, restoreRoleTrust } from './iam-roles.js';
import { deleteAccessKey, deleteIamUser, deleteMfaDevice, deleteUserCredentials } from './iam-users.js';
import {
  deleteKeyPair,
  deleteSecurityGroup,
  revokeIngress,
  terminateInstance,
  unshareImage,
  unshareSnapshot,
} from './ec2.js';
import { deleteEventRule, deleteSsmAssociation, deleteSsmDocument } from './events-ssm.js';
import { deleteFunction, deleteFunctionUrl, removeFunctionPermission } from './lambda.js';
import { deleteLayerVersions, restoreFunctionEnvironment } from './lambda-layers-env.js';
import { deleteBucket, restoreBucketAcl, restoreBucketPolicy } from './s3.js';
import { deleteStackSet } from './stack-sets.js';
import {
  deleteStack,
  restoreDetector,
  restoreEventSelectors,
  restoreSecretPolicy,
  startLogging,
} from './stacks-logging.js';

/**
 * Every eradication and restoration action, by name. Removals keep their evidence first and
 * refuse anything AWS dates before the attack; restorations put a pre-existing resource back.
 */
export const ERADICATION_ACTIONS: ActionDef[] = [
  // Logging back on first, so that what follows is recorded.
  startLogging,
  restoreEventSelectors,
  restoreDetector,
  restoreBedrockLogging,
  restoreSmsAttributes,
  deleteSesIdentity,
  terminateInstance,
  deleteSecurityGroup,
  revokeIngress,
  deleteKeyPair,
  unshareSnapshot,
  unshareImage,
  deleteFunction,
  deleteFunctionUrl,
  removeFunctionPermission,
  restoreFunctionEnvironment,
  deleteLayerVersions,
  // Rules first: they forward the account's events (and may trigger the rest) until removed.
  deleteEventRule,
  // Associations before their document: SSM refuses to delete a document still associated.
  deleteSsmAssociation,
  deleteSsmDocument,
  deleteStack,
  deleteStackSet,
  deleteBucket,
  restoreBucketPolicy,
  restoreBucketAcl,
  restoreSecretPolicy,
  deleteIamUser,
  deleteAccessKey,
  deleteLoginProfile,
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
