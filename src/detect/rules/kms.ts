import { SUCCEEDED, and, api, foreignAccount, grantsForeignAccount, grantsPublic, or, req } from '../sql.js';
import { rules } from './types.js';

const POLICY_OPENED = or(grantsForeignAccount('requestparameters'), grantsPublic('requestparameters'));
const USE = api(
  'kms',
  'Decrypt',
  'ReEncrypt',
  'GenerateDataKey',
  'GenerateDataKeyWithoutPlaintext',
  'CreateGrant',
);

/** KMS: keys destroyed, opened to other accounts, or swapped for key material someone else holds. */
export const KMS_RULES = rules([
  {
    id: 'kms-key-deletion',
    title: 'KMS key scheduled for deletion or disabled',
    category: 'impact',
    technique: 'T1485',
    tactic: 'impact',
    severity: 'high',
    where: api('kms', 'ScheduleKeyDeletion', 'DisableKey'),
    explain: 'Data under this key becomes unreadable.',
    remediation: 'CancelKeyDeletion within the waiting period (EnableKey for a disabled key).',
  },
  {
    id: 'kms-key-policy-opened',
    title: 'KMS key policy grants another account or everyone',
    category: 'persistence',
    technique: 'T1098',
    tactic: 'persistence',
    severity: 'high',
    where: and(api('kms', 'PutKeyPolicy', 'CreateKey'), POLICY_OPENED),
    explain: 'An outside principal may now use the key, and decrypt whatever it protects.',
    remediation: 'Restore the key policy and list the key’s use by other accounts since the change.',
  },
  {
    id: 'kms-key-policy-lockout',
    title: 'KMS key policy written past the lockout safety check',
    category: 'impact',
    technique: 'T1531',
    tactic: 'impact',
    severity: 'high',
    where: and(api('kms', 'PutKeyPolicy', 'CreateKey'), `${req('bypassPolicyLockoutSafetyCheck')} = 'true'`),
    explain: 'Skipping the safety check allows a policy that locks the account out of its own key.',
    remediation: 'Read the new policy; if the account lost access, open an AWS Support case at once.',
  },
  {
    id: 'kms-grant-foreign',
    title: 'KMS grant for a principal of another account',
    category: 'persistence',
    technique: 'T1098',
    tactic: 'persistence',
    severity: 'high',
    where: and(api('kms', 'CreateGrant'), SUCCEEDED, foreignAccount(req('granteePrincipal'))),
    explain: 'A grant lets the outside principal use the key without any policy change to see.',
    remediation: 'Revoke the grant (grantId in the response) and review the key’s use since.',
  },
  {
    id: 'kms-external-key-material',
    title: 'KMS key with imported or external key material',
    category: 'impact',
    technique: 'T1486',
    tactic: 'impact',
    severity: 'medium',
    where: or(
      api('kms', 'ImportKeyMaterial', 'CreateCustomKeyStore'),
      and(
        api('kms', 'CreateKey'),
        or(`${req('origin')} = 'EXTERNAL'`, `${req('origin')} = 'EXTERNAL_KEY_STORE'`),
      ),
    ),
    explain:
      'Key material held outside KMS can be withdrawn at will: the ransomware set-up for encrypted data.',
    remediation: 'Find what the key encrypts and re-encrypt it under a key the account fully controls.',
  },
  {
    id: 'kms-key-material-deleted',
    title: 'Imported KMS key material deleted',
    category: 'impact',
    technique: 'T1486',
    tactic: 'impact',
    severity: 'high',
    where: api('kms', 'DeleteImportedKeyMaterial'),
    explain: 'Everything encrypted under the key is unreadable until the same material is imported again.',
    remediation: 'Find who holds the original key material; restore data from copies under other keys.',
  },
  {
    id: 'kms-used-by-foreign-account',
    title: 'KMS key used by a principal of another account',
    category: 'data-access',
    technique: 'T1530',
    tactic: 'collection',
    severity: 'medium',
    where: and(
      USE,
      SUCCEEDED,
      `useridentity.type IN ('IAMUser', 'AssumedRole', 'FederatedUser', 'Root')`,
      `useridentity.accountid <> recipientaccountid`,
    ),
    explain: 'Someone outside the account decrypted or derived keys with this account’s key.',
    remediation:
      'Check the caller’s account is a known partner, else remove it from the key policy and grants.',
  },
]);
