// How instances and their interfaces look in DescribeInstances, RunInstances
// and DescribeNetworkInterfaces responses.
import type { Instance, NetworkInterface } from '../model.js';
import { STATE_CODES, tagsToXml } from '../model.js';
import type { Ec2State } from '../state.js';
import type { XmlObject } from '../xml.js';

const iso = (ms: number): string => new Date(ms).toISOString();
/** The metadata hop limit every simulated instance reports. */
export const IMDS_HOP_LIMIT = 2;

export const instanceProfileArn = (state: Ec2State, role: string): string => `arn:aws:iam::${state.accountId}:instance-profile/${role}`;

export const dnsName = (ip: string, region: string): string =>
  `ip-${ip.replaceAll('.', '-')}.${region === 'us-east-1' ? 'ec2.internal' : `${region}.compute.internal`}`;

export const stateXml = (i: Instance): XmlObject => ({ code: STATE_CODES[i.state], name: i.state });

export function instanceEniXml(state: Ec2State, e: NetworkInterface): XmlObject {
  const dns = dnsName(e.privateIp, state.region);
  return {
    networkInterfaceId: e.id,
    subnetId: e.subnetId,
    vpcId: e.vpcId,
    description: e.description,
    ownerId: state.accountId,
    status: e.attachment !== undefined ? 'in-use' : 'available',
    macAddress: e.mac,
    privateIpAddress: e.privateIp,
    privateDnsName: dns,
    sourceDestCheck: e.sourceDestCheck,
    groupSet: [],
    attachment:
      e.attachment !== undefined
        ? {
            attachmentId: e.attachment.id,
            deviceIndex: e.attachment.deviceIndex,
            networkCardIndex: 0,
            status: 'attached',
            attachTime: iso(e.attachment.attachTimeWall),
            deleteOnTermination: e.attachment.deleteOnTermination,
          }
        : undefined,
    privateIpAddressesSet: [{ privateIpAddress: e.privateIp, privateDnsName: dns, primary: true }],
    ipv6AddressesSet: [],
    interfaceType: 'interface',
  };
}

export function eniXml(state: Ec2State, e: NetworkInterface): XmlObject {
  const base = instanceEniXml(state, e);
  return {
    ...base,
    availabilityZone: e.az,
    requesterManaged: false,
    attachment:
      e.attachment !== undefined
        ? { ...(base.attachment as XmlObject), instanceId: e.attachment.instanceId, instanceOwnerId: state.accountId }
        : undefined,
    tagSet: tagsToXml(e.tags),
  };
}

export function instanceXml(state: Ec2State, i: Instance, launchIndex = 0): XmlObject {
  const enis = state.attachedEnis(i);
  const primary = enis[0];
  return {
    instanceId: i.id,
    imageId: i.imageId,
    instanceState: stateXml(i),
    privateDnsName: primary !== undefined ? dnsName(primary.privateIp, state.region) : '',
    dnsName: '',
    reason: '',
    amiLaunchIndex: launchIndex,
    productCodes: [],
    instanceType: i.instanceType,
    launchTime: iso(i.launchTimeWall),
    placement: { availabilityZone: i.az, groupName: '', tenancy: 'default' },
    monitoring: { state: 'disabled' },
    subnetId: i.state === 'terminated' ? undefined : i.subnetId,
    vpcId: i.state === 'terminated' ? undefined : i.vpcId,
    privateIpAddress: primary?.privateIp,
    sourceDestCheck: primary?.sourceDestCheck,
    groupSet: [],
    architecture: 'x86_64',
    rootDeviceType: 'ebs',
    rootDeviceName: '/dev/xvda',
    blockDeviceMapping: [],
    virtualizationType: 'hvm',
    hypervisor: 'xen',
    iamInstanceProfile:
      i.iamRole !== undefined
        ? { arn: instanceProfileArn(state, i.iamRole), id: 'AIPAEXAMPLEPROFILE0001' }
        : undefined,
    tagSet: tagsToXml(i.tags),
    networkInterfaceSet: enis.map((e) => instanceEniXml(state, e)),
    metadataOptions: {
      state: 'applied',
      httpTokens: i.imdsV2Required ? 'required' : 'optional',
      httpPutResponseHopLimit: IMDS_HOP_LIMIT,
      httpEndpoint: 'enabled',
      httpProtocolIpv6: 'disabled',
      instanceMetadataTags: 'disabled',
    },
  };
}
