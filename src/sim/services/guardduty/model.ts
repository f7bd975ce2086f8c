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
