/** GuardDuty state of one account: one detector per region, findings kept in the detector. */

/** A finding in GuardDuty's wire shape (lowerCamel member names, ISO timestamps). */
export type Finding = Record<string, unknown> & {
  id: string;
  type: string;
  region: string;
  updatedAt: string;
};

export interface Detector {
  detectorId: string;
  createdAt: string;
  updatedAt: string;
  status: 'ENABLED' | 'DISABLED';
  findingPublishingFrequency: string;
  findings: Finding[];
  /** Aggregation keys of raised findings (type + principal + ip…) → finding id. */
  raised: Record<string, string>;
  /** Suppression rules by name (absent in states saved before they existed). */
  filters?: Record<string, SuppressionFilter>;
  /** Trusted IP lists by id. */
  ipSets?: Record<string, IpSet>;
  /** Threat intel sets by id (same shape: a named list of addresses in S3). */
  threatIntelSets?: Record<string, IpSet>;
}

/** A findings filter (CreateFilter): ARCHIVE ones are suppression rules. */
export interface SuppressionFilter {
  name: string;
  description?: string | undefined;
  action: string;
  rank: number;
  /** Finding field path → condition (`{ eq: [...] }`, `{ gte: 7 }`…), as GuardDuty takes it. */
  criterion: Record<string, Record<string, unknown>>;
}

/** A trusted IP list (CreateIPSet) or a threat intel set (CreateThreatIntelSet). */
export interface IpSet {
  ipSetId: string;
  name: string;
  format: string;
  location: string;
  status: string;
}

export interface GuardDutyState {
  detectors: Record<string, Detector>;
  /** How far the account's event log has been analysed (index into its events). */
  cursor: number;
  /** principal → source IP → first time seen: the behaviour baseline of the anomaly model. */
  ipHistory: Record<string, Record<string, string>>;
}

/** Empty per-account state. */
export function emptyGuardDuty(): GuardDutyState {
  return { detectors: {}, cursor: 0, ipHistory: {} };
}
