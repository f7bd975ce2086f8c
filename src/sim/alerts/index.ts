/**
 * The alerts AWS would send about the simulated account, as documents a responder receives:
 * GuardDuty findings and Cost Anomaly Detection alerts as EventBridge events, and AWS's response
 * to an exposed key (the quarantine policy attached, recorded in CloudTrail, and the Health
 * event). They are written from the account's state, independently of the tool that reads them.
 */
export { exposeAccessKey, QUARANTINE_POLICY, type Exposure } from './aws-exposure.js';
export { costAnomalyEvent } from './cost-anomaly.js';
export { guardDutyEvents } from './guardduty-events.js';
export { EXPOSED_URL, writeScenarioAlerts } from './scenario.js';
