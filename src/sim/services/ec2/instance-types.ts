/**
 * Instance types the simulator accepts: vCPUs (for `cpuOptions` and cost estimates) and the
 * architecture, which must match the AMI's. A representative set, including the GPU and
 * large compute types crypto-mining attackers launch.
 */
const TYPES: Record<string, { vcpus: number; arch: 'x86_64' | 'arm64' }> = {
  'm1.small': { vcpus: 1, arch: 'x86_64' },
  't2.micro': { vcpus: 1, arch: 'x86_64' },
  't2.small': { vcpus: 1, arch: 'x86_64' },
  't2.medium': { vcpus: 2, arch: 'x86_64' },
  't3.nano': { vcpus: 2, arch: 'x86_64' },
  't3.micro': { vcpus: 2, arch: 'x86_64' },
  't3.small': { vcpus: 2, arch: 'x86_64' },
  't3.medium': { vcpus: 2, arch: 'x86_64' },
  't3.large': { vcpus: 2, arch: 'x86_64' },
  't3.xlarge': { vcpus: 4, arch: 'x86_64' },
  't4g.micro': { vcpus: 2, arch: 'arm64' },
  't4g.small': { vcpus: 2, arch: 'arm64' },
  'm5.large': { vcpus: 2, arch: 'x86_64' },
  'm5.xlarge': { vcpus: 4, arch: 'x86_64' },
  'm5.2xlarge': { vcpus: 8, arch: 'x86_64' },
  'm6i.large': { vcpus: 2, arch: 'x86_64' },
  'm6g.large': { vcpus: 2, arch: 'arm64' },
  'm7g.large': { vcpus: 2, arch: 'arm64' },
  'c5.large': { vcpus: 2, arch: 'x86_64' },
  'c5.xlarge': { vcpus: 4, arch: 'x86_64' },
  'c5.4xlarge': { vcpus: 16, arch: 'x86_64' },
  'c5.9xlarge': { vcpus: 36, arch: 'x86_64' },
  'c5.12xlarge': { vcpus: 48, arch: 'x86_64' },
  'c5.18xlarge': { vcpus: 72, arch: 'x86_64' },
  'c5.24xlarge': { vcpus: 96, arch: 'x86_64' },
  'r5.large': { vcpus: 2, arch: 'x86_64' },
  'p2.xlarge': { vcpus: 4, arch: 'x86_64' },
  'p3.2xlarge': { vcpus: 8, arch: 'x86_64' },
  'p3.8xlarge': { vcpus: 32, arch: 'x86_64' },
  'p3.16xlarge': { vcpus: 64, arch: 'x86_64' },
  'p4d.24xlarge': { vcpus: 96, arch: 'x86_64' },
  'p5.48xlarge': { vcpus: 192, arch: 'x86_64' },
  'p5en.48xlarge': { vcpus: 192, arch: 'x86_64' },
  'g4dn.xlarge': { vcpus: 4, arch: 'x86_64' },
  'g4dn.2xlarge': { vcpus: 8, arch: 'x86_64' },
  'g4dn.4xlarge': { vcpus: 16, arch: 'x86_64' },
  'g4dn.12xlarge': { vcpus: 48, arch: 'x86_64' },
  'g5.xlarge': { vcpus: 4, arch: 'x86_64' },
  'g5.12xlarge': { vcpus: 48, arch: 'x86_64' },
};

/** The type's facts, or undefined for a type the simulator does not know. */
export function instanceTypeInfo(type: string): { vcpus: number; arch: 'x86_64' | 'arm64' } | undefined {
  return Object.hasOwn(TYPES, type) ? TYPES[type] : undefined;
}
