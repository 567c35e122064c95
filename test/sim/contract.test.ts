// The simulator refuses what AWS refuses, for every action it serves, as
// AWS's published EC2 model says (src/sim/contract/gen/, from
// botocore's service-2.json). Table-driven from the model and sent as raw
// form-encoded HTTP, so no SDK client-side validation gets in the way.
// Each action's API reference page: https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_<Action>.html
// Error codes: https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html
// (UnknownParameter, MissingParameter, InvalidParameterValue, InvalidParameterCombination
// and the …Malformed codes, spelled as that page spells them).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { EC2_CONTRACT } from '../../src/sim/contract/gen/index.js';
import { ID_PARAMS } from '../../src/sim/contract/enforce.js';
import type { ParamSpec } from '../../src/sim/contract/types.js';
import { ACTIONS } from '../../src/sim/ec2-actions/index.js';
import { implementedFilters } from '../../src/sim/filters.js';
import type { Simulator } from '../../src/sim/simulator.js';
import { sim } from './helpers.js';

const ERRORS_PAGE = 'https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html';
const apiPage = (action: string): string => `https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_${action}.html`;
const NOT_MODELLED = /is documented for \w+, but this simulator does not model it/;

interface Answer {
  readonly status: number;
  readonly code: string | undefined;
  readonly message: string | undefined;
}

const unescape = (s: string): string =>
  s.replace(/&(lt|gt|quot|apos|amp);/g, (_, e: string) => ({ lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' })[e]!);

/** The id parameter kind of a wire pattern (`InstanceId`, `InstanceId.N`), if it is one. */
function idKind(pattern: string): { prefix: string; code: string } | undefined {
  const m = /^([A-Za-z]+)(\.N)?$/.exec(pattern);
  return m !== null ? ID_PARAMS[m[1]!] : undefined;
}

/** A valid value for a parameter, from its spec. */
function validValue(pattern: string, spec: ParamSpec): string {
  const kind = idKind(pattern);
  if (kind !== undefined) return `${kind.prefix}-0123456789abcdef0`;
  if (spec.enum !== undefined) return spec.enum[0]!;
  switch (spec.type) {
    case 'boolean':
      return 'false';
    case 'integer':
    case 'long':
      return String(spec.min ?? 1);
    case 'timestamp':
      return '2030-01-01T00:00:00.000Z';
    default:
      return 'x';
  }
}

const wire = (pattern: string): string => pattern.replace(/\.N(?=\.|$)/g, '.1');

/** The required parameters of an action, each with a valid value. */
function minimal(action: string): Record<string, string> {
  const c = EC2_CONTRACT.actions[action]!;
  const out: Record<string, string> = {};
  for (const name of c.required) {
    const pattern = Object.keys(c.params).find((p) => p === name || p.startsWith(`${name}.`))!;
    out[wire(pattern)] = validValue(pattern, c.params[pattern]!);
  }
  return out;
}

describe('the request contract, for every action the simulator serves', () => {
  let s: Simulator;
  before(async () => {
    s = await sim();
  });
  after(async () => {
    await s.close();
  });

  async function call(action: string, params: Record<string, string>): Promise<Answer> {
    const r = await fetch(s.ec2Endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ Action: action, Version: '2016-11-15', ...params }).toString(),
    });
    const body = await r.text();
    const code = /<Code>([^<]*)<\/Code>/.exec(body)?.[1];
    const message = /<Message>([^<]*)<\/Message>/.exec(body)?.[1];
    return { status: r.status, code, message: message !== undefined ? unescape(message) : undefined };
  }

  async function refused(action: string, params: Record<string, string>, code: string, message?: RegExp | string): Promise<void> {
    const a = await call(action, params);
    assert.equal(a.status, 400, `${action} ${JSON.stringify(params)}: ${a.code ?? ''} ${a.message ?? ''}`);
    assert.equal(a.code, code, `${action} ${JSON.stringify(params)}: ${a.message ?? ''}`);
    if (typeof message === 'string') assert.equal(a.message, message);
    else if (message !== undefined) assert.match(a.message ?? '', message);
  }

  const allFilters = new Set(Object.values(EC2_CONTRACT.actions).flatMap((c) => c.filters ?? []));

  for (const [action, c] of Object.entries(EC2_CONTRACT.actions).sort(([a], [b]) => (a < b ? -1 : 1))) {
    describe(`${action} (${apiPage(action)})`, () => {
      it(`an unknown parameter is UnknownParameter (${ERRORS_PAGE})`, async () => {
        await refused(action, { ...minimal(action), NoSuchParameter: 'x' }, 'UnknownParameter', 'The parameter NoSuchParameter is not recognized');
      });

      it('validation comes before DryRun: an unknown parameter with DryRun=true is still UnknownParameter', async () => {
        await refused(action, { ...minimal(action), DryRun: 'true', NoSuchParameter: 'x' }, 'UnknownParameter');
      });

      it('DryRun must be true or false (InvalidParameterValue)', async () => {
        await refused(action, { ...minimal(action), DryRun: 'maybe' }, 'InvalidParameterValue', /DryRun/);
      });

      const integer = Object.entries(c.params).find(([, p]) => p.type === 'integer');
      if (integer !== undefined)
        it(`an integer parameter (${integer[0]}) that is not an integer is InvalidParameterValue`, async () => {
          await refused(action, { ...minimal(action), [wire(integer[0])]: 'seven' }, 'InvalidParameterValue');
        });

      const enumerated = Object.entries(c.params).find(([, p]) => p.enum !== undefined);
      if (enumerated !== undefined)
        it(`a value outside the model's enum (${enumerated[0]}) is InvalidParameterValue`, async () => {
          await refused(action, { ...minimal(action), [wire(enumerated[0])]: 'no-such-value' }, 'InvalidParameterValue');
        });

      for (const name of c.required)
        it(`without the required ${name} it is MissingParameter`, async () => {
          const params = Object.fromEntries(Object.entries(minimal(action)).filter(([k]) => k !== name && !k.startsWith(`${name}.`)));
          await refused(action, params, 'MissingParameter', `The request must contain the parameter ${name}`);
        });

      for (const pattern of Object.keys(c.params)) {
        const kind = idKind(pattern);
        if (kind === undefined) continue;
        it(`a malformed ${pattern} is ${kind.code} (ids are ${kind.prefix}- and 8 or 17 characters: https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/resource-ids.html)`, async () => {
          await refused(action, { ...minimal(action), [wire(pattern)]: `${kind.prefix}-123` }, kind.code);
          await refused(action, { ...minimal(action), [wire(pattern)]: 'x-0123456789abcdef0' }, kind.code);
        });
      }

      const mr = c.maxResults;
      if (mr !== undefined)
        it(`MaxResults ${mr.min - 1} and ${mr.max + 1} are outside ${mr.min}–${mr.max}: InvalidParameterValue`, async () => {
          await refused(action, { MaxResults: String(mr.min - 1) }, 'InvalidParameterValue');
          await refused(action, { MaxResults: String(mr.max + 1) }, 'InvalidParameterValue');
          const ok = await call(action, { MaxResults: String(mr.min) });
          assert.equal(ok.status, 200, `${ok.code ?? ''} ${ok.message ?? ''}`);
        });

      for (const { a, b, documentation } of c.exclusive ?? [])
        it(`${a} with ${b} is InvalidParameterCombination ("${documentation}")`, async () => {
          const idParam = `${b}.N` in c.params ? `${b}.N` : b;
          await refused(action, { [a]: String(mr?.min ?? 5), [wire(idParam)]: validValue(idParam, c.params[idParam]!) }, 'InvalidParameterCombination');
        });

      for (const [name, max] of Object.entries(c.maxItems ?? {}))
        it(`more than ${max} ${name} values is refused (InvalidRequest, as EC2 answered in https://github.com/bastillion-io/Bastillion-EC2/issues/8)`, async () => {
          const params = Object.fromEntries(Array.from({ length: max + 1 }, (_, n) => [`${name}.${n + 1}`, `i-${String(n).padStart(17, '0')}`]));
          await refused(action, params, 'InvalidRequest', /exceeds the maximum number/);
        });

      const documented = c.filters;
      if (documented === undefined) return;

      it("an undocumented filter name is InvalidParameterValue \"The filter 'X' is invalid\"", async () => {
        await refused(action, { 'Filter.1.Name': 'no-such-filter', 'Filter.1.Value.1': 'x' }, 'InvalidParameterValue', "The filter 'no-such-filter' is invalid");
      });

      const elsewhere = [...allFilters].filter((f) => f !== 'tag:<key>' && !documented.includes(f)).sort()[0];
      if (elsewhere !== undefined)
        it(`a filter documented for another action but not this one (${elsewhere}) is InvalidParameterValue`, async () => {
          await refused(action, { 'Filter.1.Name': elsewhere, 'Filter.1.Value.1': 'x' }, 'InvalidParameterValue', `The filter '${elsewhere}' is invalid`);
        });

      it('every documented filter is either answered or refused as a limit of the simulator, never a 500', async () => {
        const def = ACTIONS.get(action)!;
        const implemented = new Set(implementedFilters(def.filters!));
        const refusedNames: string[] = [];
        for (const name of documented) {
          const sent = name === 'tag:<key>' ? 'tag:Name' : name;
          const a = await call(action, { 'Filter.1.Name': sent, 'Filter.1.Value.1': '*' });
          if (a.status === 200) {
            assert.ok(implemented.has(name), `${name} answered but is not implemented`);
            continue;
          }
          assert.equal(a.status, 400, `${name}: ${a.code ?? ''} ${a.message ?? ''}`);
          assert.equal(a.code, 'InvalidParameterValue', `${name}: ${a.message ?? ''}`);
          assert.match(a.message ?? '', NOT_MODELLED, name);
          refusedNames.push(name);
        }
        assert.deepEqual(refusedNames, documented.filter((f) => !implemented.has(f)));
      });
    });
  }
});
