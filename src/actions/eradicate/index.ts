import type { ActionDef } from '../action.js';
import { deleteLoginProfile } from '../login-profile.js';
import { restoreBedrockLogging } from './bedrock.js';
import { deleteSesIdentity, restoreSmsAttributes } from './messaging.js';
import { deleteRdsSnapshot, unshareRdsSnapshot } from './rds.js';
import { scheduleKmsKeyDeletion } from './kms.js';
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
import { cancelSpotRequest, deleteLaunchTemplate } from './ec2-launch.js';
import {
  deleteEventRule,
  deleteSsmAssociation,
  deleteSsmDocument,
  restoreEventBusPolicy,
} from './events-ssm.js';
import { deleteGuardDutyFilter, deleteGuardDutyIpSet, deleteGuardDutyThreatIntelSet } from './guardduty.js';
import { removeUserFromGroup } from './iam-groups.js';
import { deleteFunction, deleteFunctionUrl, removeFunctionPermission } from './lambda.js';
import { deleteLayerVersions, restoreFunctionEnvironment } from './lambda-layers-env.js';
import { deleteBucket, restoreBucketAcl, restoreBucketPolicy } from './s3.js';
import { deleteObject, restoreBucketLifecycle, restoreEncryptedObjects } from './s3-ransom.js';
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
  // Then what hides findings: suppression rules, trusted IP lists, attacker-made threat lists.
  deleteGuardDutyFilter,
  deleteGuardDutyIpSet,
  deleteGuardDutyThreatIntelSet,
  restoreBedrockLogging,
  restoreSmsAttributes,
  deleteSesIdentity,
  // A spot request before its instance: a persistent one would launch it again.
  cancelSpotRequest,
  // S3 ransomware: the expiry rules off before anything else, the objects back, then the note.
  restoreBucketLifecycle,
  restoreEncryptedObjects,
  deleteObject,
  terminateInstance,
  deleteLaunchTemplate,
  deleteSecurityGroup,
  revokeIngress,
  deleteKeyPair,
  unshareSnapshot,
  unshareImage,
  // The share off first (also on the company's own snapshots), then the attacker's copies deleted.
  unshareRdsSnapshot,
  deleteRdsSnapshot,
  // The key the copies were made under, once they are gone: unusable at once, deleted after a week.
  scheduleKmsKeyDeletion,
  deleteFunction,
  deleteFunctionUrl,
  removeFunctionPermission,
  restoreFunctionEnvironment,
  deleteLayerVersions,
  // Rules first: they forward the account's events (and may trigger the rest) until removed.
  deleteEventRule,
  restoreEventBusPolicy,
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
  removeUserFromGroup,
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
