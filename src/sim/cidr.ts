// CIDR parsing for route destinations, VPC and subnet ranges: the program's
// one parser (net/address.ts), which puts IPv6 blocks in RFC 5952 form so
// that `2001:DB8:0::1/128` and `2001:db8::1/128` name the same route, as in
// AWS. A CIDR here always has a prefix (`10.0.0.0` alone is not one).
export { cidrContains, formatIpv4, hasHostBits, parseCidr, parseIpv4, type Cidr } from '../net/address.js';
