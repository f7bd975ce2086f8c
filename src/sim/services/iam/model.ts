/**
 * IAM entities as the simulated account stores them. Plain JSON so the whole account can be
 * saved and resumed; times are ISO-8601 strings from the simulated clock.
 */

export interface Tag {
  Key: string;
  Value: string;
}

/** Policies hanging off a user, group or role. */
export interface PolicyHolder {
  /** Inline policies: name → JSON document text (as stored by IAM, not URL-encoded). */
  inlinePolicies: Record<string, string>;
  /** Attached managed policy ARNs, in attachment order. */
  attachedPolicies: string[];
  permissionsBoundary?: string | undefined;
}

export interface IamUser extends PolicyHolder {
  userName: string;
  userId: string;
  arn: string;
  path: string;
  createDate: string;
  tags: Tag[];
  groups: string[];
  loginProfile?: { createDate: string; passwordResetRequired: boolean; password: string } | undefined;
  passwordLastUsed?: string | undefined;
  /** Serial numbers of MFA devices enabled for this user. */
  mfaDevices: { serialNumber: string; enableDate: string }[];
  /** Other credentials (`user-credentials.ts`); absent in states saved before they existed. */
  sshPublicKeys?: SshPublicKey[] | undefined;
  signingCertificates?: SigningCertificate[] | undefined;
  serviceSpecificCredentials?: ServiceSpecificCredential[] | undefined;
}

/** An SSH public key for CodeCommit (UploadSSHPublicKey). */
export interface SshPublicKey {
  id: string;
  body: string;
  fingerprint: string;
  status: 'Active' | 'Inactive';
  uploadDate: string;
}

/** An X.509 signing certificate (UploadSigningCertificate). */
export interface SigningCertificate {
  id: string;
  body: string;
  status: 'Active' | 'Inactive';
  uploadDate: string;
}

/** A password for one service (CodeCommit, Keyspaces) (CreateServiceSpecificCredential). */
export interface ServiceSpecificCredential {
  id: string;
  serviceName: string;
  serviceUserName: string;
  password: string;
  status: 'Active' | 'Inactive';
  createDate: string;
}

export interface AccessKey {
  accessKeyId: string;
  secretAccessKey: string;
  /** Owning user; undefined for the root user's keys. */
  userName?: string | undefined;
  status: 'Active' | 'Inactive';
  createDate: string;
  lastUsed?: { date: string; serviceName: string; region: string } | undefined;
}

export interface IamGroup extends PolicyHolder {
  groupName: string;
  groupId: string;
  arn: string;
  path: string;
  createDate: string;
}

export interface IamRole extends PolicyHolder {
  roleName: string;
  roleId: string;
  arn: string;
  path: string;
  createDate: string;
  assumeRolePolicyDocument: string;
  description?: string | undefined;
  maxSessionDuration: number;
  tags: Tag[];
  lastUsed?: { date: string; region: string } | undefined;
}

export interface PolicyVersion {
  versionId: string;
  document: string;
  createDate: string;
}

export interface ManagedPolicy {
  policyName: string;
  policyId: string;
  arn: string;
  path: string;
  description?: string | undefined;
  defaultVersionId: string;
  versions: PolicyVersion[];
  nextVersion: number;
  createDate: string;
  updateDate: string;
  tags: Tag[];
}

export interface VirtualMfaDevice {
  serialNumber: string;
  base32Seed: string;
  createDate: string;
  userName?: string | undefined;
  enableDate?: string | undefined;
}

export interface InstanceProfile {
  instanceProfileName: string;
  instanceProfileId: string;
  arn: string;
  path: string;
  createDate: string;
  roles: string[];
}

export interface SamlProvider {
  arn: string;
  metadataDocument: string;
  createDate: string;
  validUntil: string;
}

export interface OidcProvider {
  arn: string;
  url: string;
  clientIds: string[];
  thumbprints: string[];
  createDate: string;
}

export interface PasswordPolicy {
  MinimumPasswordLength: number;
  RequireSymbols: boolean;
  RequireNumbers: boolean;
  RequireUppercaseCharacters: boolean;
  RequireLowercaseCharacters: boolean;
  AllowUsersToChangePassword: boolean;
  ExpirePasswords: boolean;
  MaxPasswordAge?: number | undefined;
  PasswordReusePrevention?: number | undefined;
  HardExpiry?: boolean | undefined;
}

/** One account's IAM. */
export interface IamState {
  users: Record<string, IamUser>;
  /** Every long-term access key of the account (users' and root's), by key id. */
  accessKeys: Record<string, AccessKey>;
  groups: Record<string, IamGroup>;
  roles: Record<string, IamRole>;
  /** Customer managed policies by ARN. */
  policies: Record<string, ManagedPolicy>;
  mfaDevices: Record<string, VirtualMfaDevice>;
  instanceProfiles: Record<string, InstanceProfile>;
  samlProviders: Record<string, SamlProvider>;
  oidcProviders: Record<string, OidcProvider>;
  passwordPolicy?: PasswordPolicy | undefined;
  accountAliases: string[];
  credentialReport?: { generatedTime: string; content: string } | undefined;
  /** Root user's MFA (for the credential report and account summary). */
  rootMfa: boolean;
  rootPasswordLastUsed?: string | undefined;
}

/** An empty IAM for a new account. */
export function emptyIam(): IamState {
  return {
    users: {},
    accessKeys: {},
    groups: {},
    roles: {},
    policies: {},
    mfaDevices: {},
    instanceProfiles: {},
    samlProviders: {},
    oidcProviders: {},
    accountAliases: [],
    rootMfa: false,
  };
}
