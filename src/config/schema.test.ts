import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { configJsonSchema } from './schema/json-schema.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const committed = JSON.parse(readFileSync(resolve(ROOT, 'docs/awsnycast.schema.json'), 'utf8')) as unknown;

test('the committed JSON Schema matches the zod source (run `npm run gen-schema` after changing the schema)', () => {
  assert.deepEqual(committed, JSON.parse(JSON.stringify(configJsonSchema())));
});

test('the JSON Schema accepts the valid examples and rejects the invalid ones an editor can see', () => {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  const validate = ajv.compile(committed as object);
  const load = (f: string): unknown => parse(readFileSync(resolve(ROOT, 'examples', f), 'utf8'));
  for (const f of ['compat-minimal.yaml', 'compat-nat-ha.yaml', 'compat-every-finder.yaml', 'extended.yaml'])
    assert.equal(validate(load(f)), true, `${f}: ${JSON.stringify(validate.errors)}`);
  for (const f of ['bad-finders.yaml', 'bad-values.yaml', 'no-routetables.yaml', 'typo-top-level.yaml', 'wrong-shapes.yaml', 'remote-with-destination.yaml'])
    assert.equal(validate(load(`invalid/${f}`)), false, f);
});
