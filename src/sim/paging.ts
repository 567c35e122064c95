// MaxResults / NextToken pagination. The token is opaque to clients: the
// offset of the next item plus the action it belongs to.
import { Ec2Error } from './errors.js';

export interface Page<T> {
  readonly items: readonly T[];
  readonly nextToken: string | undefined;
}

const badToken = (): Ec2Error =>
  new Ec2Error('InvalidPaginationToken', 'The specified pagination token is not valid or is expired.');

export function paginate<T>(action: string, all: readonly T[], maxResults: number | undefined, token: string | undefined): Page<T> {
  let start = 0;
  if (token !== undefined && token !== '') {
    const m = /^([A-Za-z]+):(\d+)$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
    if (m === null || m[1] !== action) throw badToken();
    start = Number(m[2]);
    if (start > all.length) throw badToken();
  }
  if (maxResults === undefined) return { items: start === 0 ? all : all.slice(start), nextToken: undefined };
  const end = start + maxResults;
  return {
    items: all.slice(start, end),
    nextToken: end < all.length ? Buffer.from(`${action}:${end}`, 'utf8').toString('base64url') : undefined,
  };
}
