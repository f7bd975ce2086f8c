import { SimError } from '../../core/errors.js';
import { bodyString } from '../../core/params.js';
import { defineService, type OpContext, type OperationDef } from '../../core/service.js';

/** A Glue column (`{Name, Type}`, Hive type text). */
export interface GlueColumn {
  Name: string;
  Type: string;
}

/** A table of the Data Catalog as CreateTable's TableInput gives it, with where it lives. */
export interface GlueTable {
  Name: string;
  DatabaseName: string;
  CreateTime: string;
  UpdateTime: string;
  TableType?: string;
  Parameters: Record<string, string>;
  PartitionKeys: GlueColumn[];
  StorageDescriptor: {
    Columns: GlueColumn[];
    Location?: string;
    InputFormat?: string;
    OutputFormat?: string;
    SerdeInfo?: { SerializationLibrary?: string; Parameters?: Record<string, string> };
  };
}

/** A database of the Data Catalog. */
export interface GlueDatabase {
  Name: string;
  Description?: string;
  CreateTime: string;
}

/** One account's Data Catalog, per region (`region/db`, `region/db/table`; names lower case as Glue keeps them). */
export interface GlueState {
  databases: Record<string, GlueDatabase>;
  tables: Record<string, GlueTable>;
}

type Ctx = OpContext<GlueState>;
type Op = OperationDef<GlueState>;

/** The table a catalog lookup names, or undefined (the Athena double reads the catalog through this). */
export function catalogTable(
  state: GlueState,
  region: string,
  database: string,
  table: string,
): GlueTable | undefined {
  return state.tables[`${region}/${database.toLowerCase()}/${table.toLowerCase()}`];
}

/** Whether the region's catalog has the database. */
export function catalogDatabase(state: GlueState, region: string, database: string): boolean {
  return state.databases[`${region}/${database.toLowerCase()}`] !== undefined;
}

function required(member: string, value: unknown): string {
  const text = bodyString(value);
  if (!text)
    throw new SimError(
      'InvalidInputException',
      `1 validation error detected: Value null at '${member}' failed to satisfy constraint: Member must not be null`,
      400,
    );
  if (!/^[\w-]{1,255}$/.test(text))
    throw new SimError('InvalidInputException', `${member} ${text} is not a valid name.`, 400);
  return text.toLowerCase();
}

function arn(ctx: Ctx, path: string): string {
  return `arn:aws:glue:${ctx.region}:${ctx.caller.accountId}:${path}`;
}

function database(ctx: Ctx, name: string): GlueDatabase {
  const db = ctx.state.databases[`${ctx.region}/${name}`];
  if (!db) throw new SimError('EntityNotFoundException', `Database ${name} not found.`, 400);
  return db;
}

function tableFromInput(
  ctx: Ctx,
  dbName: string,
  input: Record<string, unknown>,
  created?: string,
): GlueTable {
  const name = required('tableInput.name', input.Name);
  const sd = (input.StorageDescriptor ?? {}) as GlueTable['StorageDescriptor'];
  const now = ctx.sim.nowIso();
  return {
    Name: name,
    DatabaseName: dbName,
    CreateTime: created ?? now,
    UpdateTime: now,
    ...(typeof input.TableType === 'string' ? { TableType: input.TableType } : {}),
    Parameters: (input.Parameters ?? {}) as Record<string, string>,
    PartitionKeys: ((input.PartitionKeys ?? []) as GlueColumn[]).map((c) => ({
      Name: c.Name.toLowerCase(),
      Type: c.Type,
    })),
    StorageDescriptor: {
      ...sd,
      Columns: (sd.Columns ?? []).map((c) => ({ Name: c.Name.toLowerCase(), Type: c.Type })),
    },
  };
}

function tableOut(t: GlueTable) {
  return {
    ...t,
    CreateTime: new Date(t.CreateTime),
    UpdateTime: new Date(t.UpdateTime),
    CatalogId: undefined,
  };
}

const tableAuth = (action: string): Op['auth'] => ({
  action,
  resource: (ctx) => [
    arn(ctx, 'catalog'),
    arn(ctx, `database/${bodyString(ctx.body.DatabaseName).toLowerCase()}`),
    arn(
      ctx,
      `table/${bodyString(ctx.body.DatabaseName).toLowerCase()}/${bodyString(ctx.body.Name ?? (ctx.body.TableInput as { Name?: string } | undefined)?.Name).toLowerCase()}`,
    ),
  ],
});

const operations: Record<string, Op> = {
  CreateDatabase: {
    handler(ctx) {
      const input = (ctx.body.DatabaseInput ?? {}) as Record<string, unknown>;
      const name = required('databaseInput.name', input.Name);
      const key = `${ctx.region}/${name}`;
      if (ctx.state.databases[key])
        throw new SimError('AlreadyExistsException', 'Database already exists.', 400);
      ctx.state.databases[key] = {
        Name: name,
        ...(typeof input.Description === 'string' ? { Description: input.Description } : {}),
        CreateTime: ctx.sim.nowIso(),
      };
      return {};
    },
  },
  GetDatabase: {
    handler(ctx) {
      const db = database(ctx, required('name', ctx.body.Name));
      return { Database: { ...db, CreateTime: new Date(db.CreateTime), CatalogId: ctx.caller.accountId } };
    },
  },
  CreateTable: {
    auth: tableAuth('glue:CreateTable'),
    handler(ctx) {
      const dbName = required('databaseName', ctx.body.DatabaseName);
      database(ctx, dbName);
      const table = tableFromInput(ctx, dbName, (ctx.body.TableInput ?? {}) as Record<string, unknown>);
      const key = `${ctx.region}/${dbName}/${table.Name}`;
      if (ctx.state.tables[key]) throw new SimError('AlreadyExistsException', 'Table already exists.', 400);
      ctx.state.tables[key] = table;
      return {};
    },
  },
  UpdateTable: {
    auth: tableAuth('glue:UpdateTable'),
    handler(ctx) {
      const dbName = required('databaseName', ctx.body.DatabaseName);
      database(ctx, dbName);
      const input = (ctx.body.TableInput ?? {}) as Record<string, unknown>;
      const key = `${ctx.region}/${dbName}/${required('tableInput.name', input.Name)}`;
      const old = ctx.state.tables[key];
      if (!old) throw new SimError('EntityNotFoundException', `Table ${String(input.Name)} not found.`, 400);
      ctx.state.tables[key] = tableFromInput(ctx, dbName, input, old.CreateTime);
      return {};
    },
  },
  GetTable: {
    auth: tableAuth('glue:GetTable'),
    handler(ctx) {
      const dbName = required('databaseName', ctx.body.DatabaseName);
      database(ctx, dbName);
      const name = required('name', ctx.body.Name);
      const table = ctx.state.tables[`${ctx.region}/${dbName}/${name}`];
      if (!table) throw new SimError('EntityNotFoundException', `Table ${name} not found.`, 400);
      return { Table: tableOut(table) };
    },
  },
  DeleteTable: {
    auth: tableAuth('glue:DeleteTable'),
    handler(ctx) {
      const dbName = required('databaseName', ctx.body.DatabaseName);
      const name = required('name', ctx.body.Name);
      const key = `${ctx.region}/${dbName}/${name}`;
      if (!ctx.state.tables[key])
        throw new SimError('EntityNotFoundException', `Table ${name} not found.`, 400);
      delete ctx.state.tables[key];
      return {};
    },
  },
};

/**
 * The AWS Glue Data Catalog (awsJson1.1, `AWSGlue`): the database and table calls Athena's
 * CloudTrail table needs. Tables are kept as given (columns, partition keys, location, SerDe,
 * partition-projection parameters); the Athena double reads them.
 */
export const glueService = defineService<GlueState>({
  signingName: 'glue',
  protocol: 'json',
  targetPrefix: 'AWSGlue',
  eventSource: 'glue.amazonaws.com',
  apiVersion: '2017-03-31',
  endpointHost: (region) => `glue.${region}.amazonaws.com`,
  initState: () => ({ databases: {}, tables: {} }),
  operations,
});
