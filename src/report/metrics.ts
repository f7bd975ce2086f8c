import { isUnknown, unknown, type Fact } from './unknown.js';

/** A span of time with its words. */
export interface Duration {
  ms: number;
  text: string;
}

/** The response metrics of the playbook's review. */
export interface ResponseMetrics {
  /** First attacker event → awareness. */
  timeToDetect: Fact<Duration>;
  /** Awareness → verified containment. */
  timeToContain: Fact<Duration>;
  /** First attacker event → verified containment: how long the credential was the attacker's. */
  exposure: Fact<Duration>;
  /** Awareness → eradication read back and verified. */
  timeToEradicate: Fact<Duration>;
  /** Awareness → the owner's credential rotated (recovery completed). */
  timeToRecover: Fact<Duration>;
}

/** `2 d 3 h 4 min`, `5 min 6 s`, `12 s`. */
export function durationText(ms: number): string {
  const sign = ms < 0 ? '-' : '';
  const rest = Math.round(Math.abs(ms) / 1000);
  const parts: [number, string][] = [
    [Math.floor(rest / 86_400), 'd'],
    [Math.floor((rest % 86_400) / 3600), 'h'],
    [Math.floor((rest % 3600) / 60), 'min'],
    [rest % 60, 's'],
  ];
  const shown = parts.filter(([n]) => n > 0);
  // Seconds matter only for short spans; beyond an hour they are noise.
  const trimmed = shown.length > 2 ? shown.slice(0, 3).filter(([, u]) => u !== 's') : shown;
  return sign + (trimmed.length ? trimmed.map(([n, u]) => `${n} ${u}`).join(' ') : '0 s');
}

function between(from: Fact<string>, to: Fact<string>, fromName: string, toName: string): Fact<Duration> {
  if (isUnknown(from)) return unknown(`${fromName}: ${from.unknown}`);
  if (isUnknown(to)) return unknown(`${toName}: ${to.unknown}`);
  const ms = Date.parse(to) - Date.parse(from);
  return { ms, text: durationText(ms) };
}

/** Time to detect, contain, eradicate and recover, and the exposure window, from the stage times. */
export function responseMetrics(times: {
  awareness: Fact<string>;
  firstAttackerEvent: Fact<string>;
  containment: Fact<string>;
  eradication: Fact<string>;
  recovery: Fact<string>;
}): ResponseMetrics {
  return {
    timeToDetect: between(times.firstAttackerEvent, times.awareness, 'first attacker event', 'awareness'),
    timeToContain: between(times.awareness, times.containment, 'awareness', 'containment'),
    exposure: between(times.firstAttackerEvent, times.containment, 'first attacker event', 'containment'),
    timeToEradicate: between(times.awareness, times.eradication, 'awareness', 'eradication'),
    timeToRecover: between(times.awareness, times.recovery, 'awareness', 'recovery'),
  };
}
