// Prints the JSON Schema of the config file (npm run gen-schema writes it to docs/).
import { configJsonSchema } from './schema/json-schema.js';

process.stdout.write(JSON.stringify(configJsonSchema(), null, 2) + '\n');
