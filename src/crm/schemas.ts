import Type, { type TSchema } from 'typebox';
import { RempartError } from '../errors.js';
import { compileCoercing, compileStrict, validationDetails } from '../http/validation.js';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './commands.js';
import { joinsOrganisationName, type ResourceSpec } from './resources.js';

/**
 * The JSON schemas of every record type, derived from its spec: one source for the
 * HTTP routes (validation and OpenAPI) and the command line, so both refuse the same input.
 */

/** Formats only our validator knows; the response serializer would warn on each. */
const CUSTOM_FORMATS = new Set(['siret', 'vat', 'email', 'e164', 'country']);

/** A deep copy of a schema without the custom formats (responses need no validation). */
function withoutCustomFormats<T>(schema: T): T {
  if (Array.isArray(schema)) return schema.map((s: unknown) => withoutCustomFormats(s)) as T;
  if (schema === null || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) {
    if (k === 'format' && typeof v === 'string' && CUSTOM_FORMATS.has(v)) continue;
    out[k] = withoutCustomFormats(v);
  }
  return out as T;
}

/** Response shape of a record: its fields plus what the server sets. */
export function recordSchema(spec: ResourceSpec): TSchema {
  return withoutCustomFormats(Type.Object({
    id: Type.String({ format: 'uuid' }),
    purpose: Type.String({ description: 'The purpose the record is processed for (annex art. 1)' }),
    ...Object.fromEntries(Object.entries(spec.fields).map(([k, v]) => [k, Type.Optional(v)])),
    ...Object.fromEntries(Object.entries(spec.outputFields).map(([k, v]) => [k, Type.Optional(v)])),
    ...(joinsOrganisationName(spec)
      ? {
          organisationName: Type.Optional(
            Type.String({
              description:
                "In lists: the name of the organisation `organisationId` points to, joined in the same query; absent when your role may not read that organisation's name",
            }),
          ),
        }
      : {}),
    createdAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
  }));
}

/** Body of a create: the spec's required fields required, unknown fields refused. */
export function createSchema(spec: ResourceSpec): TSchema {
  const props = Object.fromEntries(
    Object.entries(spec.fields).map(([k, v]) => [k, spec.required.includes(k) ? v : Type.Optional(v)]),
  );
  return Type.Object(props, { additionalProperties: false });
}

/** Body of a partial update: every field optional, at least one. */
export function patchSchema(spec: ResourceSpec): TSchema {
  const props = Object.fromEntries(Object.entries(spec.fields).map(([k, v]) => [k, Type.Optional(v)]));
  return Type.Object(props, { additionalProperties: false, minProperties: 1 });
}

/** Longest search text a list accepts (words past the eighth are ignored). */
export const MAX_SEARCH_LENGTH = 200;

/**
 * Query string of a list: page size, cursor (keyset paging in creation order), the
 * spec's filters and, where the spec has searchable fields, `q`; unknown parameters refused.
 */
export function listQuerySchema(spec: ResourceSpec): TSchema {
  return Type.Object(
    {
      limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE, description: 'Records per page' })),
      cursor: Type.Optional(
        Type.String({ maxLength: 200, description: 'nextCursor of the previous page (keyset paging: stable while records are added)' }),
      ),
      ...(spec.search.length > 0
        ? {
            q: Type.Optional(
              Type.String({
                minLength: 1,
                maxLength: MAX_SEARCH_LENGTH,
                description: `Search: every word must appear, in any case and accents, in one of ${spec.search.join(', ')}; only the fields your role may see are searched`,
              }),
            ),
          }
        : {}),
      ...Object.fromEntries(
        spec.filters.map((f) => [f.param, Type.Optional({ ...f.schema, description: `Only the records whose ${f.param} is this value` })]),
      ),
    },
    { additionalProperties: false },
  );
}

const cache = new Map<string, (data: unknown) => Record<string, unknown>>();

/**
 * Validates input for a create or an update outside HTTP (the CLI), with the same
 * strict rules as the routes; throws VALIDATION_FAILED naming every bad field.
 */
export function validateInput(spec: ResourceSpec, kind: 'create' | 'patch' | 'query', data: unknown): Record<string, unknown> {
  const key = `${spec.name}:${kind}`;
  let check = cache.get(key);
  if (!check) {
    const fn =
      kind === 'query' ? compileCoercing(listQuerySchema(spec)) : compileStrict(kind === 'create' ? createSchema(spec) : patchSchema(spec));
    check = (d: unknown) => {
      if (!fn(d)) {
        throw new RempartError('VALIDATION_FAILED', `The ${spec.noun} is not valid.`, { details: validationDetails(fn.errors ?? [], kind === 'query' ? 'querystring' : 'body') });
      }
      return d as Record<string, unknown>;
    };
    cache.set(key, check);
  }
  return check(data);
}
