import type { Ec2Call, Ec2OpSpec } from './operation.js';
import { Ec2Error } from './errors.js';

/**
 * Account-level EC2 settings, per region: EBS encryption by default (off until enabled, EC2 UG
 * "Encryption by default") and the instance metadata defaults (none until set, "Configure instance
 * metadata options for new instances"). Kept in their own state slice so the EC2 model stays as is.
 */
interface RegionSettings {
  ebsEncryptionByDefault: boolean;
  /** `ModifyInstanceMetadataDefaults` values; absent = no preference. */
  metadata: {
    httpTokens?: string;
    httpPutResponseHopLimit?: number;
    httpEndpoint?: string;
    instanceMetadataTags?: string;
  };
}

type SettingsState = Record<string, RegionSettings>;

function settingsOf(call: Ec2Call): RegionSettings {
  const all = call.ctx.sim.serviceState<SettingsState>(call.account, 'ec2-account-settings', () => ({}));
  return (all[call.region] ??= { ebsEncryptionByDefault: false, metadata: {} });
}

const ebsAnswer = (s: RegionSettings) => ({
  ebsEncryptionByDefault: s.ebsEncryptionByDefault,
  sseType: 'sse-ebs',
});

const CHOICES: Record<string, string[]> = {
  HttpTokens: ['optional', 'required', 'no-preference'],
  HttpEndpoint: ['enabled', 'disabled', 'no-preference'],
  InstanceMetadataTags: ['enabled', 'disabled', 'no-preference'],
};

/** EBS encryption by default and instance metadata defaults (EC2 API 2016-11-15). */
export const ACCOUNT_SETTINGS_OPERATIONS: Record<string, Ec2OpSpec> = {
  GetEbsEncryptionByDefault: { run: (call) => ebsAnswer(settingsOf(call)) },
  EnableEbsEncryptionByDefault: {
    run(call) {
      const s = settingsOf(call);
      s.ebsEncryptionByDefault = true;
      return ebsAnswer(s);
    },
  },
  DisableEbsEncryptionByDefault: {
    run(call) {
      const s = settingsOf(call);
      s.ebsEncryptionByDefault = false;
      return ebsAnswer(s);
    },
  },
  GetInstanceMetadataDefaults: {
    run(call) {
      const m = settingsOf(call).metadata;
      return Object.keys(m).length ? { accountLevel: { ...m } } : { accountLevel: {} };
    },
  },
  ModifyInstanceMetadataDefaults: {
    run(call) {
      const m = settingsOf(call).metadata;
      for (const [param, allowed] of Object.entries(CHOICES)) {
        const value = call.p.get(param);
        if (value === undefined) continue;
        if (!allowed.includes(value))
          throw new Ec2Error('InvalidParameterValue', `Value (${value}) for parameter ${param} is invalid.`);
        const field = (param[0]!.toLowerCase() + param.slice(1)) as
          'httpTokens' | 'httpEndpoint' | 'instanceMetadataTags';
        if (value === 'no-preference') delete m[field];
        else m[field] = value;
      }
      const hops = call.p.get('HttpPutResponseHopLimit');
      if (hops !== undefined) {
        const n = Number(hops);
        if (n === -1) delete m.httpPutResponseHopLimit;
        else if (Number.isInteger(n) && n >= 1 && n <= 64) m.httpPutResponseHopLimit = n;
        else
          throw new Ec2Error(
            'InvalidParameterValue',
            `Value (${hops}) for parameter HttpPutResponseHopLimit is invalid.`,
          );
      }
      return { return: true };
    },
  },
};
