// The `status` section (the local status socket and the optional HTTP
// endpoint) and the `drain` section (where drain state is kept).
import { ErrorCode } from '../codes.js';
import { formatHostPort, isLoopbackIp, parseHostPort } from '../../net/address.js';
import type { HostPort } from '../../net/address.js';
import { DEFAULTS } from '../model.js';
import { show } from '../values.js';
import { Fail, isPlainObject, report } from './issues.js';
import { bool, leaf, text, typeFail } from './leaf.js';
import { mappingOf, strictKeys } from './shapes.js';
import type { PartialCheck } from './shapes.js';

const listenAddress = () =>
  leaf<HostPort>({ type: 'string', pattern: '^(\\[[0-9a-fA-F:.]+\\]|[0-9.]+):[0-9]{1,5}$' }, (v) => {
    if (typeof v !== 'string') return typeFail('HOST:PORT', v);
    const hp = parseHostPort(v, { ipOnly: true });
    return hp !== undefined ? Object.freeze({ ...hp }) : new Fail(ErrorCode.Value, `${show(v)} is not HOST:PORT with an IP address (e.g. 127.0.0.1:9273)`);
  });

/** The endpoint shows routes and checks to whoever reaches it: loopback only, unless the user says otherwise. */
const loopbackUnlessAllowed: PartialCheck = (status, ctx) => {
  const listen = status.listen;
  if (status.allow_non_loopback === true || !isPlainObject(listen) || typeof listen.host !== 'string' || isLoopbackIp(listen.host)) return;
  report(
    ctx,
    ErrorCode.Value,
    `${show(formatHostPort(listen.host, Number(listen.port)))} is not a loopback address; the status endpoint shows your routes and checks to anyone who can reach it (set allow_non_loopback: true to allow it)`,
    { path: ['listen'] },
  );
};

export const statusSection = mappingOf(
  strictKeys(
    {
      socket: text()
        .default(DEFAULTS.statusSocket)
        .describe('Unix socket for status, metrics, drain and undrain (mode 0600). Default /run/awsnycast/awsnycast.sock; "" turns it off.'),
      listen: listenAddress().optional().describe('Also serve GET /status, /healthz and /metrics over HTTP here. Default: off. Loopback only unless allow_non_loopback.'),
      allow_non_loopback: bool().default(false).describe('Allow `listen` on a non-loopback address. Default false.'),
    },
    loopbackUnlessAllowed,
  ).transform((s): { readonly statusSocket?: string; readonly statusListen?: HostPort } => ({
    ...(s.socket !== '' ? { statusSocket: s.socket } : {}),
    ...(s.listen !== undefined ? { statusListen: s.listen } : {}),
  })),
).prefault({});

export const drainSection = mappingOf(
  strictKeys({
    state_file: text().default(DEFAULTS.drainStateFile).describe('Where `awsnycast drain` is remembered across restarts. Default /var/lib/awsnycast/drained.'),
    maintenance_file: text().default(DEFAULTS.maintenanceFile).describe('While this file exists, the instance is drained. Default /etc/awsnycast/maintenance.'),
  }).transform((d) => ({ drainStateFile: d.state_file, maintenanceFile: d.maintenance_file })),
).prefault({});
