import { SimError } from '../../core/errors.js';
import type { OperationDef } from '../../core/service.js';
import { getUser } from './entities.js';
import { d, page, type IamCtx } from './shapes.js';
import { userArn } from './users.js';

type Ops = Record<string, OperationDef<undefined>>;

const base32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function device(ctx: IamCtx, serial: string) {
  const dev = ctx.account.iam.mfaDevices[serial];
  if (!dev)
    throw new SimError('NoSuchEntity', `MFA Device with serial number ${serial} does not exist.`, 404);
  return dev;
}

/** Virtual MFA devices (create / enable / deactivate / list / delete). */
export const mfaOps: Ops = {
  CreateVirtualMFADevice: {
    auth: {
      resource: (ctx) =>
        `arn:aws:iam::${ctx.caller.accountId}:mfa${ctx.params.get('Path') ?? '/'}${ctx.params.require('VirtualMFADeviceName')}`,
    },
    handler(ctx) {
      const name = ctx.params.require('VirtualMFADeviceName');
      const serial = `arn:aws:iam::${ctx.account.accountId}:mfa${ctx.params.get('Path') ?? '/'}${name}`;
      if (ctx.account.iam.mfaDevices[serial])
        throw new SimError(
          'EntityAlreadyExists',
          'MFADevice entity at the same path and name already exists.',
          409,
        );
      const seed = ctx.sim.ids.token(32, base32);
      ctx.account.iam.mfaDevices[serial] = {
        serialNumber: serial,
        base32Seed: seed,
        createDate: ctx.sim.nowIso(),
      };
      // The seed is a secret: CloudTrail shows only the serial number.
      ctx.trail.responseElements = { virtualMFADevice: { serialNumber: serial } };
      return {
        VirtualMFADevice: {
          SerialNumber: serial,
          Base32StringSeed: Buffer.from(seed).toString('base64'),
          QRCodePNG: Buffer.from(`otpauth://totp/${name}?secret=${seed}`).toString('base64'),
        },
      };
    },
  },
  EnableMFADevice: {
    auth: { resource: (ctx) => userArn(ctx, ctx.params.require('UserName')) },
    handler(ctx) {
      const user = getUser(ctx.account, ctx.params.require('UserName'));
      const dev = device(ctx, ctx.params.require('SerialNumber'));
      const codes = [ctx.params.require('AuthenticationCode1'), ctx.params.require('AuthenticationCode2')];
      if (!codes.every((c) => /^\d{6}$/.test(c)))
        throw new SimError('InvalidAuthenticationCode', 'Authentication code for device is not valid.', 403);
      if (dev.userName) throw new SimError('EntityAlreadyExists', 'MFA Device is already in use.', 409);
      dev.userName = user.userName;
      dev.enableDate = ctx.sim.nowIso();
      user.mfaDevices.push({ serialNumber: dev.serialNumber, enableDate: dev.enableDate });
      return undefined;
    },
  },
  DeactivateMFADevice: {
    auth: { resource: (ctx) => userArn(ctx, ctx.params.get('UserName')) },
    handler(ctx) {
      const dev = device(ctx, ctx.params.require('SerialNumber'));
      const user = getUser(ctx.account, ctx.params.get('UserName') ?? dev.userName ?? '');
      if (dev.userName !== user.userName)
        throw new SimError(
          'NoSuchEntity',
          `MFA Device with serial number ${dev.serialNumber} does not exist.`,
          404,
        );
      user.mfaDevices = user.mfaDevices.filter((m) => m.serialNumber !== dev.serialNumber);
      dev.userName = undefined;
      dev.enableDate = undefined;
      return undefined;
    },
  },
  DeleteVirtualMFADevice: {
    auth: { resource: (ctx) => ctx.params.require('SerialNumber') },
    handler(ctx) {
      const dev = device(ctx, ctx.params.require('SerialNumber'));
      if (dev.userName) throw new SimError('DeleteConflict', 'MFA Device is still in use.', 409);
      delete ctx.account.iam.mfaDevices[dev.serialNumber];
      return undefined;
    },
  },
  ListMFADevices: {
    auth: { resource: (ctx) => userArn(ctx, ctx.params.get('UserName') ?? ctx.caller.userName) },
    handler(ctx) {
      const name = ctx.params.get('UserName') ?? ctx.caller.userName;
      const devices = name ? getUser(ctx.account, name).mfaDevices : [];
      const p = page(devices, ctx.params);
      return {
        MFADevices: p.items.map((m) => ({
          UserName: name,
          SerialNumber: m.serialNumber,
          EnableDate: d(m.enableDate),
        })),
        IsTruncated: p.IsTruncated,
        Marker: p.Marker,
      };
    },
  },
  ListVirtualMFADevices: {
    handler(ctx) {
      const status = ctx.params.get('AssignmentStatus') ?? 'Any';
      const all = Object.values(ctx.account.iam.mfaDevices).filter((m) =>
        status === 'Assigned' ? m.userName : status === 'Unassigned' ? !m.userName : true,
      );
      const p = page(all, ctx.params);
      return {
        VirtualMFADevices: p.items.map((m) => {
          const u = m.userName ? ctx.account.iam.users[m.userName] : undefined;
          return {
            SerialNumber: m.serialNumber,
            User: u
              ? {
                  Path: u.path,
                  UserName: u.userName,
                  UserId: u.userId,
                  Arn: u.arn,
                  CreateDate: d(u.createDate),
                }
              : undefined,
            EnableDate: d(m.enableDate),
          };
        }),
        IsTruncated: p.IsTruncated,
        Marker: p.Marker,
      };
    },
  },
};

/** SAML and OIDC identity providers. */
export const providerOps: Ops = {
  CreateSAMLProvider: {
    handler(ctx) {
      const name = ctx.params.require('Name');
      const arn = `arn:aws:iam::${ctx.account.accountId}:saml-provider/${name}`;
      if (ctx.account.iam.samlProviders[arn])
        throw new SimError('EntityAlreadyExists', `SAMLProvider ${name} already exists.`, 409);
      const now = ctx.now;
      ctx.account.iam.samlProviders[arn] = {
        arn,
        metadataDocument: ctx.params.require('SAMLMetadataDocument'),
        createDate: ctx.sim.nowIso(),
        validUntil: new Date(now.getTime() + 365 * 86_400_000).toISOString(),
      };
      // The metadata document is long and not interesting to CloudTrail readers.
      ctx.trail.requestParameters = { name };
      return { SAMLProviderArn: arn };
    },
  },
  GetSAMLProvider: {
    handler(ctx) {
      const p = ctx.account.iam.samlProviders[ctx.params.require('SAMLProviderArn')];
      if (!p) throw new SimError('NoSuchEntity', 'SAML provider not found.', 404);
      return {
        SAMLMetadataDocument: p.metadataDocument,
        CreateDate: d(p.createDate),
        ValidUntil: d(p.validUntil),
      };
    },
  },
  ListSAMLProviders: {
    handler: (ctx) => ({
      SAMLProviderList: Object.values(ctx.account.iam.samlProviders).map((p) => ({
        Arn: p.arn,
        ValidUntil: d(p.validUntil),
        CreateDate: d(p.createDate),
      })),
    }),
  },
  DeleteSAMLProvider: {
    handler(ctx) {
      const arn = ctx.params.require('SAMLProviderArn');
      if (!ctx.account.iam.samlProviders[arn])
        throw new SimError('NoSuchEntity', 'SAML provider not found.', 404);
      delete ctx.account.iam.samlProviders[arn];
      return undefined;
    },
  },
  CreateOpenIDConnectProvider: {
    handler(ctx) {
      const url = ctx.params.require('Url');
      const host = url.replace(/^https:\/\//, '');
      const arn = `arn:aws:iam::${ctx.account.accountId}:oidc-provider/${host}`;
      if (ctx.account.iam.oidcProviders[arn])
        throw new SimError('EntityAlreadyExists', `Provider with url ${url} already exists.`, 409);
      ctx.account.iam.oidcProviders[arn] = {
        arn,
        url: host,
        clientIds: ctx.params.list('ClientIDList'),
        thumbprints: ctx.params.list('ThumbprintList'),
        createDate: ctx.sim.nowIso(),
      };
      return { OpenIDConnectProviderArn: arn };
    },
  },
  GetOpenIDConnectProvider: {
    handler(ctx) {
      const p = ctx.account.iam.oidcProviders[ctx.params.require('OpenIDConnectProviderArn')];
      if (!p) throw new SimError('NoSuchEntity', 'OpenIDConnect provider not found.', 404);
      return {
        Url: p.url,
        ClientIDList: p.clientIds,
        ThumbprintList: p.thumbprints,
        CreateDate: d(p.createDate),
      };
    },
  },
  ListOpenIDConnectProviders: {
    handler: (ctx) => ({
      OpenIDConnectProviderList: Object.keys(ctx.account.iam.oidcProviders).map((Arn) => ({ Arn })),
    }),
  },
  DeleteOpenIDConnectProvider: {
    handler(ctx) {
      const arn = ctx.params.require('OpenIDConnectProviderArn');
      if (!ctx.account.iam.oidcProviders[arn])
        throw new SimError('NoSuchEntity', 'OpenIDConnect provider not found.', 404);
      delete ctx.account.iam.oidcProviders[arn];
      return undefined;
    },
  },
};
