// The JSON Schema of the config file, for editors (docs/awsnycast.schema.json,
// `npm run gen-schema`), derived from the same zod schema the loader uses.
import * as z from 'zod';
import { configSchema } from './config-file.js';
import { jsonShapes } from './leaf.js';

export function configJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(configSchema('/awsnycast.yaml'), {
    io: 'input',
    unrepresentable: 'any',
    cycles: 'ref',
    override: (ctx) => {
      // zod's defaults are the model's values, not what to write; the descriptions say them.
      delete ctx.jsonSchema.default;
      const shape = jsonShapes.get(ctx.zodSchema as unknown as z.ZodType);
      if (shape !== undefined) Object.assign(ctx.jsonSchema, shape);
    },
  });
  return {
    ...schema,
    // One of the two spellings is required; zod cannot say "either" by itself.
    anyOf: [{ required: ['routetables'] }, { required: ['route_tables'] }],
    $id: 'awsnycast.schema.json',
    title: 'awsnycast configuration',
    description: 'Config file of the awsnycast route daemon (AWSnycast-compatible).',
  };
}
