// The stable codes of config problems; tests and scripts assert on these,
// not on wording.
export const ErrorCode = {
  YamlSyntax: 'CFG_YAML_SYNTAX',
  Empty: 'CFG_EMPTY',
  DuplicateKey: 'CFG_DUPLICATE_KEY',
  UnknownKey: 'CFG_UNKNOWN_KEY',
  Missing: 'CFG_MISSING',
  Type: 'CFG_TYPE',
  Value: 'CFG_VALUE',
  UnknownType: 'CFG_UNKNOWN_TYPE',
  UndefinedRef: 'CFG_UNDEFINED_REF',
  Forbidden: 'CFG_FORBIDDEN',
  Cert: 'CFG_CERT',
  Placeholder: 'CFG_PLACEHOLDER',
  File: 'CFG_FILE',
  /** The file (or a directory above it) can be changed by another user; hooks in it would run their commands. */
  Unsafe: 'CFG_UNSAFE',
  TooLarge: 'CFG_TOO_LARGE',
  TooDeep: 'CFG_TOO_DEEP',
  UnknownAlias: 'CFG_UNKNOWN_ALIAS',
  AliasCycle: 'CFG_ALIAS_CYCLE',
  AliasLimit: 'CFG_ALIAS_LIMIT',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];
