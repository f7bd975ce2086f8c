/** EC2 resource ARNs as IAM policies name them (Service Authorization Reference, Amazon EC2). */
export const ec2Arn = {
  instance: (region: string, account: string, id: string) =>
    `arn:aws:ec2:${region}:${account}:instance/${id}`,
  volume: (region: string, account: string, id: string) => `arn:aws:ec2:${region}:${account}:volume/${id}`,
  // Snapshots and AMIs have no account in their ARN.
  snapshot: (region: string, id: string) => `arn:aws:ec2:${region}::snapshot/${id}`,
  image: (region: string, id: string) => `arn:aws:ec2:${region}::image/${id}`,
  securityGroup: (region: string, account: string, id: string) =>
    `arn:aws:ec2:${region}:${account}:security-group/${id}`,
  keyPair: (region: string, account: string, name: string) =>
    `arn:aws:ec2:${region}:${account}:key-pair/${name}`,
  subnet: (region: string, account: string, id: string) => `arn:aws:ec2:${region}:${account}:subnet/${id}`,
};

/** The ARN of a resource id of any taggable type (CreateTags / DeleteTags authorize on these). */
export function arnOfResourceId(region: string, account: string, id: string): string {
  if (id.startsWith('i-')) return ec2Arn.instance(region, account, id);
  if (id.startsWith('vol-')) return ec2Arn.volume(region, account, id);
  if (id.startsWith('snap-')) return ec2Arn.snapshot(region, id);
  if (id.startsWith('ami-')) return ec2Arn.image(region, id);
  if (id.startsWith('sg-')) return ec2Arn.securityGroup(region, account, id);
  const type = id.slice(0, id.indexOf('-'));
  return `arn:aws:ec2:${region}:${account}:${type}/${id}`;
}
