// The shape of the EC2 request/response contract that generate.ts derives
// from AWS's published EC2 model (botocore's service-2.json). The simulator
// enforces it; tests check the simulator's answers and the daemon's requests
// against it. Nothing here is typed by hand: see docs/simulator.md.

/** A scalar parameter or element type, as the model names it. */
export type ScalarType = 'string' | 'boolean' | 'integer' | 'long' | 'float' | 'double' | 'timestamp' | 'blob';

export interface ParamSpec {
  readonly type: ScalarType;
  /** Allowed values, when the model gives an enum. */
  readonly enum?: readonly string[];
  /** Numeric range from the model's shape (min/max), when given. */
  readonly min?: number;
  readonly max?: number;
}

export interface ActionContract {
  /** The model's input and output shape names. */
  readonly input: string;
  readonly output?: string;
  /**
   * Every wire parameter the action accepts (EC2 Query protocol), as
   * patterns: `N` stands for a list position (1, 2, ...), e.g.
   * `InstanceId.N`, `Filter.N.Name`, `Filter.N.Value.N`.
   */
  readonly params: Readonly<Record<string, ParamSpec>>;
  /** Wire names of the top-level members the model marks required. */
  readonly required: readonly string[];
  /**
   * The filter names the `Filters` member's documentation lists, exactly as
   * written; a name with a placeholder keeps it (`tag:<key>`). Absent when
   * the action takes no filters.
   */
  readonly filters?: readonly string[];
  /** `MaxResults` range, from its shape or (when the shape is a plain Integer) its documentation. */
  readonly maxResults?: { readonly min: number; readonly max: number; readonly from: 'shape' | 'documentation' };
  /**
   * Top-level wire names the documentation says cannot be used together
   * ("You cannot specify this parameter and the instance IDs parameter in
   * the same request"), with the sentence it comes from.
   */
  readonly exclusive?: readonly { readonly a: string; readonly b: string; readonly documentation: string }[];
  /** Wire names (top-level list members) whose documentation states a maximum count, e.g. 100 instance IDs. */
  readonly maxItems?: Readonly<Record<string, number>>;
}

/** An output shape: XML element names as the EC2 protocol writes them. */
export type OutputShape =
  | { readonly type: 'structure'; readonly members: Readonly<Record<string, string>> }
  | { readonly type: 'list'; readonly item: string; readonly itemName: string }
  | { readonly type: ScalarType; readonly enum?: readonly string[] };

export interface Ec2Contract {
  readonly source: {
    readonly artifact: string;
    readonly version: string;
    readonly file: string;
    readonly sha256: string;
    readonly apiVersion: string;
  };
  /** Parameters every action accepts that the protocol adds (not model members). */
  readonly protocolParams: readonly string[];
  readonly actions: Readonly<Record<string, ActionContract>>;
  /** Output shapes reachable from the served actions' outputs, by model shape name. */
  readonly shapes: Readonly<Record<string, OutputShape>>;
}
