import type { QueryParams } from '../../core/params.js';
import { Ec2Error, invalidParameter } from './errors.js';
import { checkFilters, matchesFilters, type FilterTable } from './filters.js';
import type { Ec2Call, Ec2OpSpec } from './operation.js';
import type { Ec2RegionState, LaunchTemplate, LaunchTemplateVersion, WireObject } from './model.js';
import { filtersOf, intOf, tagsFor } from './parse.js';
import { f, readSchema, type Schema } from './query-schema.js';
import { ec2Region, ec2Time, newId, paginate, tagSet, tagsOf } from './world.js';

const TAGS: Schema = { Key: f.str('key'), Value: f.str('value') };

/** The launch parameters the simulator keeps (RequestLaunchTemplateData → ResponseLaunchTemplateData). */
const LAUNCH_TEMPLATE_DATA: Schema = {
  KernelId: f.str('kernelId'),
  EbsOptimized: f.bool('ebsOptimized'),
  IamInstanceProfile: f.struct('iamInstanceProfile', { Arn: f.str('arn'), Name: f.str('name') }),
  BlockDeviceMapping: f.list('blockDeviceMappingSet', {
    DeviceName: f.str('deviceName'),
    VirtualName: f.str('virtualName'),
    NoDevice: f.str('noDevice'),
    Ebs: f.struct('ebs', {
      Encrypted: f.bool('encrypted'),
      DeleteOnTermination: f.bool('deleteOnTermination'),
      Iops: f.int('iops'),
      KmsKeyId: f.str('kmsKeyId'),
      SnapshotId: f.str('snapshotId'),
      VolumeSize: f.int('volumeSize'),
      VolumeType: f.str('volumeType'),
      Throughput: f.int('throughput'),
    }),
  }),
  NetworkInterface: f.list('networkInterfaceSet', {
    AssociatePublicIpAddress: f.bool('associatePublicIpAddress'),
    DeleteOnTermination: f.bool('deleteOnTermination'),
    Description: f.str('description'),
    DeviceIndex: f.int('deviceIndex'),
    SecurityGroupId: f.list('groupSet', 'string'),
    NetworkInterfaceId: f.str('networkInterfaceId'),
    PrivateIpAddress: f.str('privateIpAddress'),
    SubnetId: f.str('subnetId'),
  }),
  ImageId: f.str('imageId'),
  InstanceType: f.str('instanceType'),
  KeyName: f.str('keyName'),
  Monitoring: f.struct('monitoring', { Enabled: f.bool('enabled') }),
  Placement: f.struct('placement', {
    AvailabilityZone: f.str('availabilityZone'),
    GroupName: f.str('groupName'),
    Tenancy: f.str('tenancy'),
  }),
  RamDiskId: f.str('ramDiskId'),
  DisableApiTermination: f.bool('disableApiTermination'),
  InstanceInitiatedShutdownBehavior: f.str('instanceInitiatedShutdownBehavior'),
  UserData: f.str('userData'),
  TagSpecification: f.list('tagSpecificationSet', {
    ResourceType: f.str('resourceType'),
    Tag: f.list('tagSet', TAGS),
  }),
  SecurityGroupId: f.list('securityGroupIdSet', 'string'),
  SecurityGroup: f.list('securityGroupSet', 'string'),
  InstanceMarketOptions: f.struct('instanceMarketOptions', {
    MarketType: f.str('marketType'),
    SpotOptions: f.struct('spotOptions', {
      MaxPrice: f.str('maxPrice'),
      SpotInstanceType: f.str('spotInstanceType'),
      InstanceInterruptionBehavior: f.str('instanceInterruptionBehavior'),
    }),
  }),
  CreditSpecification: f.struct('creditSpecification', { CpuCredits: f.str('cpuCredits') }),
  CpuOptions: f.struct('cpuOptions', {
    CoreCount: f.int('coreCount'),
    ThreadsPerCore: f.int('threadsPerCore'),
  }),
  MetadataOptions: f.struct('metadataOptions', {
    HttpTokens: f.str('httpTokens'),
    HttpPutResponseHopLimit: f.int('httpPutResponseHopLimit'),
    HttpEndpoint: f.str('httpEndpoint'),
    HttpProtocolIpv6: f.str('httpProtocolIpv6'),
    InstanceMetadataTags: f.str('instanceMetadataTags'),
  }),
  DisableApiStop: f.bool('disableApiStop'),
};

function templatesOf(region: Ec2RegionState): Record<string, LaunchTemplate> {
  return (region.launchTemplates ??= {});
}

/** The template a request names by id or by name (EC2's two NotFound errors). */
function findTemplate(region: Ec2RegionState, p: QueryParams): LaunchTemplate {
  const id = p.get('LaunchTemplateId');
  const name = p.get('LaunchTemplateName');
  if (id === undefined && name === undefined)
    throw new Ec2Error(
      'MissingParameter',
      'The request must contain the parameter LaunchTemplateName or LaunchTemplateId',
    );
  const templates = Object.values(templatesOf(region));
  if (id !== undefined) {
    const found = templates.find((t) => t.launchTemplateId === id);
    if (!found)
      throw new Ec2Error(
        'InvalidLaunchTemplateId.NotFound',
        `The specified launch template, with template ID ${id}, does not exist.`,
      );
    return found;
  }
  const found = templates.find((t) => t.launchTemplateName === name);
  if (!found)
    throw new Ec2Error(
      'InvalidLaunchTemplateName.NotFoundException',
      `The specified launch template, with template name ${name}, does not exist.`,
    );
  return found;
}

/** A version by number, `$Latest` or `$Default`. */
function findVersion(template: LaunchTemplate, spec: string): LaunchTemplateVersion {
  const number =
    spec === '$Latest'
      ? template.latestVersion
      : spec === '$Default'
        ? template.defaultVersion
        : Number(spec);
  const version = template.versions.find((v) => v.versionNumber === number);
  if (!version)
    throw new Ec2Error(
      'InvalidLaunchTemplateId.VersionNotFound',
      `Could not find launch template version ${spec} for launch template ID ${template.launchTemplateId}.`,
    );
  return version;
}

function templateWire(region: Ec2RegionState, t: LaunchTemplate): WireObject {
  const tags = tagSet(region, t.launchTemplateId);
  return {
    launchTemplateId: t.launchTemplateId,
    launchTemplateName: t.launchTemplateName,
    createTime: t.createTime,
    createdBy: t.createdBy,
    defaultVersionNumber: t.defaultVersion,
    latestVersionNumber: t.latestVersion,
    ...(tags.length ? { tagSet: tags } : {}),
  };
}

function versionWire(t: LaunchTemplate, v: LaunchTemplateVersion): WireObject {
  return {
    launchTemplateId: t.launchTemplateId,
    launchTemplateName: t.launchTemplateName,
    versionNumber: v.versionNumber,
    versionDescription: v.versionDescription,
    createTime: v.createTime,
    createdBy: v.createdBy,
    defaultVersion: v.versionNumber === t.defaultVersion,
    launchTemplateData: v.data,
  };
}

function templateData(c: Ec2Call): WireObject {
  const data = c.p.struct('LaunchTemplateData');
  if (!data)
    throw new Ec2Error('MissingParameter', 'The request must contain the parameter LaunchTemplateData');
  return readSchema(data, LAUNCH_TEMPLATE_DATA);
}

function newVersion(c: Ec2Call, number: number, data: WireObject): LaunchTemplateVersion {
  const description = c.p.get('VersionDescription');
  return {
    versionNumber: number,
    ...(description !== undefined ? { versionDescription: description } : {}),
    createTime: ec2Time(c.deps.now()),
    createdBy: c.ctx.caller.arn,
    data,
  };
}

const region = (c: Ec2Call): Ec2RegionState => ec2Region(c.world, c.deps, c.account, c.region);

const TEMPLATE_FILTERS: FilterTable<LaunchTemplate> = {
  'launch-template-name': (t) => t.launchTemplateName,
  'create-time': (t) => t.createTime,
};

const templateArn = (c: Ec2Call, id: string): string =>
  `arn:aws:ec2:${c.region}:${c.account}:launch-template/${id}`;

/** The ARN of the template a request names (for authorization), `*` when it names none. */
function namedTemplateArn(c: Ec2Call): string {
  const id = c.p.get('LaunchTemplateId');
  if (id) return templateArn(c, id);
  const name = c.p.get('LaunchTemplateName');
  const found = Object.values(templatesOf(region(c))).find((t) => t.launchTemplateName === name);
  return templateArn(c, found?.launchTemplateId ?? '*');
}

/** Launch templates: create, version, set the default version, describe, delete. */
export const LAUNCH_TEMPLATE_OPERATIONS: Record<string, Ec2OpSpec> = {
  CreateLaunchTemplate: {
    trailStyle: 'wrapped',
    resources: (c) => [templateArn(c, '*')],
    run: (c) => {
      const r = region(c);
      const name = c.p.require('LaunchTemplateName');
      if (!/^[a-zA-Z0-9().\-/_]{3,128}$/.test(name))
        throw new Ec2Error(
          'InvalidLaunchTemplateName.MalformedException',
          'A launch template name must be between 3 and 128 characters, and may contain letters, numbers, and the following characters: - ( ) . / _.',
        );
      if (Object.values(templatesOf(r)).some((t) => t.launchTemplateName === name))
        throw new Ec2Error(
          'InvalidLaunchTemplateName.AlreadyExistsException',
          'Launch template name already in use.',
        );
      const version = newVersion(c, 1, templateData(c));
      const template: LaunchTemplate = {
        launchTemplateId: newId(c.deps, 'lt'),
        launchTemplateName: name,
        createTime: version.createTime,
        createdBy: c.ctx.caller.arn,
        defaultVersion: 1,
        latestVersion: 1,
        versions: [version],
      };
      templatesOf(r)[template.launchTemplateId] = template;
      const tags = tagsFor(c.p, 'launch-template');
      if (tags.length) r.tags[template.launchTemplateId] = tags;
      return { launchTemplate: templateWire(r, template) };
    },
  },
  CreateLaunchTemplateVersion: {
    trailStyle: 'wrapped',
    resources: (c) => [namedTemplateArn(c)],
    run: (c) => {
      const template = findTemplate(region(c), c.p);
      const source = c.p.get('SourceVersion');
      // A new version inherits the source version's parameters; those given replace them.
      const base = source !== undefined ? findVersion(template, source).data : {};
      const version = newVersion(c, template.latestVersion + 1, { ...base, ...templateData(c) });
      template.versions.push(version);
      template.latestVersion = version.versionNumber;
      return { launchTemplateVersion: versionWire(template, version) };
    },
  },
  ModifyLaunchTemplate: {
    trailStyle: 'wrapped',
    resources: (c) => [namedTemplateArn(c)],
    run: (c) => {
      const r = region(c);
      const template = findTemplate(r, c.p);
      const target = c.p.get('SetDefaultVersion');
      if (target !== undefined) template.defaultVersion = findVersion(template, target).versionNumber;
      return { launchTemplate: templateWire(r, template) };
    },
  },
  DeleteLaunchTemplate: {
    trailStyle: 'wrapped',
    resources: (c) => [namedTemplateArn(c)],
    run: (c) => {
      const r = region(c);
      const template = findTemplate(r, c.p);
      const wire = templateWire(r, template);
      delete templatesOf(r)[template.launchTemplateId];
      delete r.tags[template.launchTemplateId];
      return { launchTemplate: wire };
    },
  },
  DescribeLaunchTemplates: {
    trailStyle: 'wrapped',
    run: (c) => {
      const r = region(c);
      const ids = c.p.list('LaunchTemplateId');
      const names = c.p.list('LaunchTemplateName');
      const all = Object.values(templatesOf(r));
      const missing = [
        ...ids
          .filter((id) => !all.some((t) => t.launchTemplateId === id))
          .map(() => 'InvalidLaunchTemplateId.NotFound'),
        ...names
          .filter((name) => !all.some((t) => t.launchTemplateName === name))
          .map(() => 'InvalidLaunchTemplateName.NotFoundException'),
      ];
      if (missing[0])
        throw new Ec2Error(
          missing[0],
          'At least one of the launch templates specified in the request does not exist.',
        );
      const filters = filtersOf(c.p);
      checkFilters(filters, TEMPLATE_FILTERS);
      const selected = all.filter(
        (t) =>
          (!ids.length || ids.includes(t.launchTemplateId)) &&
          (!names.length || names.includes(t.launchTemplateName)) &&
          matchesFilters(t, filters, TEMPLATE_FILTERS, (x) => tagsOf(r, x.launchTemplateId)),
      );
      const { page, nextToken } = paginate(selected, intOf(c.p, 'MaxResults'), c.p.get('NextToken'));
      return { launchTemplates: page.map((t) => templateWire(r, t)), nextToken };
    },
  },
  DescribeLaunchTemplateVersions: {
    trailStyle: 'wrapped',
    run: (c) => {
      const r = region(c);
      const named = c.p.has('LaunchTemplateId') || c.p.has('LaunchTemplateName');
      const templates = named ? [findTemplate(r, c.p)] : Object.values(templatesOf(r));
      const specs = c.p.list('LaunchTemplateVersion');
      if (!named && specs.some((s) => s !== '$Latest' && s !== '$Default'))
        throw invalidParameter('A launch template ID or name is required to describe numbered versions.');
      const min = intOf(c.p, 'MinVersion');
      const max = intOf(c.p, 'MaxVersion');
      const versions = templates.flatMap((t) =>
        (specs.length ? specs.map((s) => findVersion(t, s)) : t.versions)
          .filter(
            (v) =>
              (min === undefined || v.versionNumber >= min) && (max === undefined || v.versionNumber <= max),
          )
          .map((v) => versionWire(t, v)),
      );
      const { page, nextToken } = paginate(versions, intOf(c.p, 'MaxResults'), c.p.get('NextToken'));
      return { launchTemplateVersionSet: page, nextToken };
    },
  },
};
