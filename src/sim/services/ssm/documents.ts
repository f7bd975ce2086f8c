import { createHash } from 'node:crypto';
import { parse as parseYaml } from 'yaml';
import { SimError } from '../../core/errors.js';
import { bodyString, offsetPage } from '../../core/params.js';
import type { OpContext, OperationDef } from '../../core/service.js';

/** A document the account owns (one version: UpdateDocument is not simulated). */
export interface SsmDocument {
  name: string;
  content: string;
  format: string;
  documentType: string;
  schemaVersion: string;
  createdDate: string;
  owner: string;
  targetType?: string | undefined;
  /** Accounts it is shared with (`all` = public), as ModifyDocumentPermission keeps them. */
  sharedWith: string[];
}

/** A State Manager association: a document run on targets (on a schedule). */
export interface SsmAssociation {
  associationId: string;
  name: string;
  associationName?: string | undefined;
  targets: { Key: string; Values: string[] }[];
  scheduleExpression?: string | undefined;
  parameters?: Record<string, string[]> | undefined;
  date: string;
}

/** The documents and associations slice of SSM's per-account state. */
export interface SsmDocumentState {
  documents?: Record<string, Record<string, SsmDocument>>;
  associations?: Record<string, SsmAssociation[]>;
}

type Ctx = OpContext<SsmDocumentState>;

/** A few of the documents Amazon owns in every region (the ones attackers use to run commands). */
const AMAZON_DOCUMENTS = ['AWS-RunShellScript', 'AWS-RunPowerShellScript', 'AWS-ApplyAnsiblePlaybooks'];

function docsOf(ctx: Ctx): Record<string, SsmDocument> {
  return ((ctx.state.documents ??= {})[ctx.region] ??= {});
}

function associationsOf(ctx: Ctx): SsmAssociation[] {
  return ((ctx.state.associations ??= {})[ctx.region] ??= []);
}

function docArn(ctx: Ctx, name: string): string {
  return `arn:aws:ssm:${ctx.region}:${ctx.caller.accountId}:document/${name}`;
}

function invalidDocument(): SimError {
  return new SimError('InvalidDocument', 'The specified document does not exist.', 400, {
    Message: 'The specified document does not exist.',
  });
}

/** The caller's own document named by `Name` (a name or its ARN). */
function ownDocument(ctx: Ctx): SsmDocument {
  const raw = bodyString(ctx.body.Name);
  const doc = docsOf(ctx)[raw.startsWith('arn:') ? raw.slice(raw.lastIndexOf('/') + 1) : raw];
  if (!doc) throw invalidDocument();
  return doc;
}

function parseContent(content: string, format: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = format === 'YAML' ? parseYaml(content) : JSON.parse(content);
  } catch {
    parsed = undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || !('schemaVersion' in parsed))
    throw new SimError('InvalidDocumentContent', 'The content for the document is not valid.', 400, {
      Message: 'The content for the document is not valid.',
    });
  return parsed;
}

function identifier(d: SsmDocument) {
  return {
    Name: d.name,
    CreatedDate: new Date(d.createdDate),
    Owner: d.owner,
    PlatformTypes: ['Linux', 'MacOS'],
    DocumentVersion: '1',
    DocumentType: d.documentType,
    SchemaVersion: d.schemaVersion,
    DocumentFormat: d.format,
    TargetType: d.targetType,
    Tags: [],
  };
}

function description(d: SsmDocument) {
  const hash = createHash('sha256').update(d.content).digest('hex');
  return {
    ...identifier(d),
    Hash: hash,
    HashType: 'Sha256',
    Status: 'Active',
    Parameters: [],
    LatestVersion: '1',
    DefaultVersion: '1',
  };
}

function associationShape(a: SsmAssociation) {
  return {
    Name: a.name,
    AssociationId: a.associationId,
    AssociationVersion: '1',
    Targets: a.targets,
    ScheduleExpression: a.scheduleExpression,
    AssociationName: a.associationName,
    Overview: { Status: 'Pending', DetailedStatus: 'Creating' },
  };
}

/** An association as CreateAssociation and DescribeAssociation describe it. */
function associationDescription(a: SsmAssociation) {
  return {
    ...associationShape(a),
    Date: new Date(a.date),
    LastUpdateAssociationDate: new Date(a.date),
    DocumentVersion: '$DEFAULT',
    Parameters: a.parameters,
    Status: { Date: new Date(a.date), Name: 'Pending', Message: 'Associated with ' + a.name },
  };
}

function noAssociation(): SimError {
  return new SimError('AssociationDoesNotExist', 'The specified association does not exist.', 400, {
    Message: 'The specified association does not exist.',
  });
}

/** NextToken paging with `MaxResults`. */
function paged<T>(ctx: Ctx, items: T[], fallback: number): { items: T[]; NextToken?: string | undefined } {
  const size = typeof ctx.body.MaxResults === 'number' ? ctx.body.MaxResults : fallback;
  const { items: page, next } = offsetPage(items, bodyString(ctx.body.NextToken), size);
  return { items: page, NextToken: next };
}

/** Whether `ListDocuments`' Owner filter (Self, Amazon, All, Private, Public, ThirdParty) keeps an owner. */
function ownerWanted(ctx: Ctx): (owner: string) => boolean {
  const filters = Array.isArray(ctx.body.Filters)
    ? (ctx.body.Filters as { Key?: string; Values?: string[] }[])
    : [];
  const values = filters.find((f) => f.Key === 'Owner')?.Values ?? ['All'];
  return (owner) =>
    values.some((v) =>
      v === 'Self' || v === 'Private'
        ? owner === ctx.caller.accountId
        : v === 'Amazon'
          ? owner === 'Amazon'
          : v === 'All',
    );
}

/** Documents (create, list, describe, share, delete) and State Manager associations. */
export const documentOps: Record<string, OperationDef<SsmDocumentState>> = {
  CreateDocument: {
    auth: { resource: (ctx: Ctx) => docArn(ctx, bodyString(ctx.body.Name)) },
    handler(ctx) {
      const name = bodyString(ctx.body.Name);
      if (!/^[a-zA-Z0-9_\-.]{3,128}$/.test(name) || /^(aws|amazon|amzn)/i.test(name))
        throw new SimError('ValidationException', `Invalid document name ${name}.`, 400);
      if (docsOf(ctx)[name])
        throw new SimError('DocumentAlreadyExists', 'Document with same name already exists', 400, {
          Message: 'Document with same name already exists',
        });
      const format = bodyString(ctx.body.DocumentFormat) || 'JSON';
      const content = bodyString(ctx.body.Content);
      const parsed = parseContent(content, format);
      const doc: SsmDocument = {
        name,
        content,
        format,
        documentType: bodyString(ctx.body.DocumentType) || 'Command',
        schemaVersion: String(parsed.schemaVersion),
        createdDate: ctx.sim.nowIso(),
        owner: ctx.caller.accountId,
        targetType: bodyString(ctx.body.TargetType) || undefined,
        sharedWith: [],
      };
      docsOf(ctx)[name] = doc;
      return { DocumentDescription: description(doc) };
    },
  },
  DescribeDocument: {
    handler(ctx) {
      return { Document: description(ownDocument(ctx)) };
    },
  },
  GetDocument: {
    handler(ctx) {
      const d = ownDocument(ctx);
      return { ...identifier(d), Content: d.content, Status: 'Active' };
    },
  },
  ListDocuments: {
    handler(ctx) {
      const wanted = ownerWanted(ctx);
      const amazon = AMAZON_DOCUMENTS.map((name) => ({
        Name: name,
        Owner: 'Amazon',
        PlatformTypes: ['Linux', 'MacOS'],
        DocumentVersion: '1',
        DocumentType: 'Command',
        SchemaVersion: '2.2',
        DocumentFormat: 'JSON',
        Tags: [],
      }));
      const all = [...amazon, ...Object.values(docsOf(ctx)).map(identifier)]
        .filter((d) => wanted(d.Owner))
        .sort((a, b) => a.Name.localeCompare(b.Name));
      const { items, NextToken } = paged(ctx, all, 50);
      return { DocumentIdentifiers: items, NextToken };
    },
  },
  DescribeDocumentPermission: {
    handler(ctx) {
      if (bodyString(ctx.body.PermissionType) !== 'Share')
        throw new SimError('InvalidPermissionType', 'The permission type is not supported.', 400, {
          Message: 'The permission type is not supported.',
        });
      const d = ownDocument(ctx);
      return {
        AccountIds: d.sharedWith,
        AccountSharingInfoList: d.sharedWith.map((AccountId) => ({
          AccountId,
          SharedDocumentVersion: 'Default',
        })),
      };
    },
  },
  ModifyDocumentPermission: {
    auth: { resource: (ctx: Ctx) => docArn(ctx, bodyString(ctx.body.Name)) },
    handler(ctx) {
      if (bodyString(ctx.body.PermissionType) !== 'Share')
        throw new SimError('InvalidPermissionType', 'The permission type is not supported.', 400, {
          Message: 'The permission type is not supported.',
        });
      const d = ownDocument(ctx);
      const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(bodyString) : []);
      const add = list(ctx.body.AccountIdsToAdd);
      const remove = new Set(list(ctx.body.AccountIdsToRemove));
      for (const a of add)
        if (a !== 'all' && !/^\d{12}$/.test(a))
          throw new SimError('ValidationException', `Invalid account id ${a}.`, 400);
      d.sharedWith = [...new Set([...d.sharedWith, ...add])].filter((a) => !remove.has(a));
      return {};
    },
  },
  DeleteDocument: {
    auth: { resource: (ctx: Ctx) => docArn(ctx, bodyString(ctx.body.Name)) },
    handler(ctx) {
      const d = ownDocument(ctx);
      if (associationsOf(ctx).some((a) => a.name === d.name))
        throw new SimError(
          'AssociatedInstances',
          'You must disassociate a document from all instances before you can delete it.',
          400,
          {
            Message: 'You must disassociate a document from all instances before you can delete it.',
          },
        );
      delete docsOf(ctx)[d.name];
      return {};
    },
  },
  CreateAssociation: {
    auth: { resource: (ctx: Ctx) => docArn(ctx, bodyString(ctx.body.Name)) },
    handler(ctx) {
      const name = bodyString(ctx.body.Name);
      if (!AMAZON_DOCUMENTS.includes(name)) ownDocument(ctx);
      const targets = Array.isArray(ctx.body.Targets)
        ? (ctx.body.Targets as { Key?: string; Values?: string[] }[]).map((t) => ({
            Key: bodyString(t.Key),
            Values: (t.Values ?? []).map(bodyString),
          }))
        : [];
      const instance = bodyString(ctx.body.InstanceId);
      if (targets.length === 0 && !instance)
        throw new SimError('InvalidTarget', 'Targets or InstanceId must be specified.', 400, {
          Message: 'Targets or InstanceId must be specified.',
        });
      const a: SsmAssociation = {
        associationId: ctx.sim.ids.uuid(),
        name,
        associationName: bodyString(ctx.body.AssociationName) || undefined,
        targets: targets.length ? targets : [{ Key: 'InstanceIds', Values: [instance] }],
        scheduleExpression: bodyString(ctx.body.ScheduleExpression) || undefined,
        parameters: ctx.body.Parameters as Record<string, string[]> | undefined,
        date: ctx.sim.nowIso(),
      };
      associationsOf(ctx).push(a);
      return { AssociationDescription: associationDescription(a) };
    },
  },
  DescribeAssociation: {
    handler(ctx) {
      const id = bodyString(ctx.body.AssociationId);
      const a = associationsOf(ctx).find((x) => x.associationId === id);
      if (!a) throw noAssociation();
      return { AssociationDescription: associationDescription(a) };
    },
  },
  ListAssociations: {
    handler(ctx) {
      const { items, NextToken } = paged(ctx, associationsOf(ctx), 50);
      return { Associations: items.map(associationShape), NextToken };
    },
  },
  DeleteAssociation: {
    handler(ctx) {
      const id = bodyString(ctx.body.AssociationId);
      const list = associationsOf(ctx);
      const i = list.findIndex((a) => a.associationId === id);
      if (i < 0) throw noAssociation();
      list.splice(i, 1);
      return {};
    },
  },
};
