/**
 * Parses Temporal's list filter (the SQL-like `query` of List/CountWorkflowExecutions) into an AST that
 * matchVisibility.ts evaluates against visibility rows. The supported subset is the common filters of
 * ARCHITECTURE.md §5 (Visibility):
 *
 *   query      := [expr] [ORDER BY (StartTime | CloseTime) [ASC | DESC]] | [expr] GROUP BY ExecutionStatus
 *   expr       := and (OR and)*                      -- AND binds tighter than OR
 *   and        := primary (AND primary)*
 *   primary    := '(' expr ')' | predicate
 *   predicate  := attr (= | != | <> | < | <= | > | >=) literal
 *               | attr [NOT] IN '(' literal (',' literal)* ')'
 *               | attr [NOT] BETWEEN literal AND literal
 *               | attr [NOT] STARTS_WITH literal
 *               | attr IS [NOT] NULL
 *
 * Attribute names may be backquoted; string literals use single or double quotes (a quote is escaped by doubling
 * it or with a backslash). Times are RFC 3339 strings. Anything else is a {@link VisibilityQueryError} whose
 * message says what is wrong and what is supported. Pure: no clock, no I/O.
 */

/** Keyword attributes (compared as strings). */
export type KeywordAttribute = 'WorkflowId' | 'RunId' | 'WorkflowType' | 'TaskQueue' | 'ExecutionStatus';
/** Time attributes (compared as epoch milliseconds; CloseTime is null while a run is open). */
export type TimeAttribute = 'StartTime' | 'CloseTime' | 'ExecutionTime';
export type VisibilityAttribute = KeywordAttribute | TimeAttribute;

export type ComparisonOperator = '=' | '!=' | '<' | '<=' | '>' | '>=';

/** A predicate value: a string for keyword attributes, epoch ms for time attributes. */
export type VisibilityValue = string | number;

/** One node of a parsed filter. */
export type VisibilityExpr =
  | { readonly kind: 'and' | 'or'; readonly left: VisibilityExpr; readonly right: VisibilityExpr }
  | {
      readonly kind: 'compare';
      readonly attribute: VisibilityAttribute;
      readonly operator: ComparisonOperator;
      readonly value: VisibilityValue;
    }
  | {
      readonly kind: 'in';
      readonly attribute: VisibilityAttribute;
      readonly values: readonly VisibilityValue[];
      readonly negated: boolean;
    }
  | {
      readonly kind: 'between';
      readonly attribute: VisibilityAttribute;
      readonly low: VisibilityValue;
      readonly high: VisibilityValue;
      readonly negated: boolean;
    }
  | {
      readonly kind: 'startsWith';
      readonly attribute: VisibilityAttribute;
      readonly prefix: string;
      readonly negated: boolean;
    }
  | { readonly kind: 'isNull'; readonly attribute: VisibilityAttribute; readonly negated: boolean };

/** The attributes a list may be ordered by. */
export type OrderAttribute = 'StartTime' | 'CloseTime';

/** A parsed query. */
export interface ParsedVisibilityQuery {
  /** null: every row matches. */
  readonly where: VisibilityExpr | null;
  /** The row order: newest StartTime first unless the query says otherwise. */
  readonly orderBy: { readonly attribute: OrderAttribute; readonly descending: boolean };
  /** True when the query ends with `GROUP BY ExecutionStatus` (CountWorkflowExecutions only). */
  readonly groupByExecutionStatus: boolean;
}

/** A query that is malformed or uses what Cairn does not support; the message says which and what is supported. */
export class VisibilityQueryError extends Error {
  override readonly name = 'VisibilityQueryError';
}

/** `ExecutionStatus` values, as Temporal spells them. */
export const EXECUTION_STATUS_VALUES = [
  'Running',
  'Completed',
  'Failed',
  'Canceled',
  'Terminated',
  'ContinuedAsNew',
  'TimedOut',
] as const;

const KEYWORD_ATTRIBUTES: readonly KeywordAttribute[] = [
  'WorkflowId',
  'RunId',
  'WorkflowType',
  'TaskQueue',
  'ExecutionStatus',
];
const TIME_ATTRIBUTES: readonly TimeAttribute[] = ['StartTime', 'CloseTime', 'ExecutionTime'];
const SUPPORTED_ATTRIBUTES = `${[...KEYWORD_ATTRIBUTES, ...TIME_ATTRIBUTES].join(', ')}`;
const DEFAULT_ORDER = { attribute: 'StartTime', descending: true } as const;

type Token =
  | { readonly kind: 'word'; readonly text: string; readonly at: number }
  | { readonly kind: 'name'; readonly text: string; readonly at: number }
  | { readonly kind: 'string'; readonly text: string; readonly at: number }
  | { readonly kind: 'symbol'; readonly text: string; readonly at: number }
  | { readonly kind: 'end'; readonly text: ''; readonly at: number };

/** Parses `query` ('' or blanks: every row, newest start first). Throws {@link VisibilityQueryError}. */
export function parseVisibilityQuery(query: string): ParsedVisibilityQuery {
  const parser = new Parser(tokenize(query));
  return parser.parseQuery();
}

function fail(message: string): never {
  throw new VisibilityQueryError(`invalid visibility query: ${message}`);
}

const SYMBOLS = ['<=', '>=', '!=', '<>', '=', '<', '>', '(', ')', ','];

function tokenize(query: string): Token[] {
  const tokens: Token[] = [];
  let at = 0;
  while (at < query.length) {
    const char = query[at] as string;
    if (/\s/.test(char)) {
      at++;
    } else if (char === "'" || char === '"') {
      const { text, end } = readQuoted(query, at, char);
      tokens.push({ kind: 'string', text, at });
      at = end;
    } else if (char === '`') {
      const end = query.indexOf('`', at + 1);
      if (end < 0) fail(`unterminated backquoted name at position ${at}`);
      tokens.push({ kind: 'name', text: query.slice(at + 1, end), at });
      at = end + 1;
    } else if (/[A-Za-z_0-9.]/.test(char)) {
      const match = /^[A-Za-z_0-9.]+/.exec(query.slice(at)) as RegExpExecArray;
      tokens.push({ kind: 'word', text: match[0], at });
      at += match[0].length;
    } else {
      const symbol = SYMBOLS.find((candidate) => query.startsWith(candidate, at));
      if (symbol === undefined) fail(`unexpected character '${char}' at position ${at}`);
      tokens.push({ kind: 'symbol', text: symbol, at });
      at += symbol.length;
    }
  }
  tokens.push({ kind: 'end', text: '', at });
  return tokens;
}

/** A quoted string from `start` (its opening quote): `''` or `\'` is a quote, `\\` a backslash. */
function readQuoted(query: string, start: number, quote: string): { text: string; end: number } {
  let text = '';
  let at = start + 1;
  while (at < query.length) {
    const char = query[at] as string;
    if (char === '\\' && at + 1 < query.length) {
      text += query[at + 1];
      at += 2;
    } else if (char === quote && query[at + 1] === quote) {
      text += quote;
      at += 2;
    } else if (char === quote) {
      return { text, end: at + 1 };
    } else {
      text += char;
      at++;
    }
  }
  return fail(`unterminated string starting at position ${start}: close it with ${quote}`);
}

function describeToken(token: Token): string {
  return token.kind === 'end' ? 'the end of the query' : `'${token.text}' at position ${token.at}`;
}

class Parser {
  private position = 0;

  constructor(private readonly tokens: readonly Token[]) {}

  parseQuery(): ParsedVisibilityQuery {
    const where = this.isKeyword('ORDER') || this.isKeyword('GROUP') || this.peek().kind === 'end' ? null : this.expr();
    let orderBy: ParsedVisibilityQuery['orderBy'] = DEFAULT_ORDER;
    let groupByExecutionStatus = false;
    if (this.acceptKeyword('ORDER')) {
      this.expectKeyword('BY', 'after ORDER');
      orderBy = this.orderTerm();
    } else if (this.acceptKeyword('GROUP')) {
      this.expectKeyword('BY', 'after GROUP');
      const attribute = this.attribute();
      if (attribute !== 'ExecutionStatus')
        fail(`GROUP BY ${attribute} is not supported: only GROUP BY ExecutionStatus`);
      groupByExecutionStatus = true;
    }
    const rest = this.peek();
    if (rest.kind !== 'end') {
      const hint = rest.text === ',' ? ' (ORDER BY takes one attribute)' : '';
      fail(`unexpected ${describeToken(rest)}${hint}: expected AND, OR, ORDER BY, GROUP BY or the end of the query`);
    }
    return { where, orderBy, groupByExecutionStatus };
  }

  private orderTerm(): ParsedVisibilityQuery['orderBy'] {
    const attribute = this.attribute();
    if (attribute !== 'StartTime' && attribute !== 'CloseTime') {
      fail(`ORDER BY ${attribute} is not supported: order by StartTime or CloseTime`);
    }
    if (this.acceptKeyword('ASC')) return { attribute, descending: false };
    this.acceptKeyword('DESC');
    return { attribute, descending: true };
  }

  private expr(): VisibilityExpr {
    let left = this.conjunction();
    while (this.acceptKeyword('OR')) left = { kind: 'or', left, right: this.conjunction() };
    return left;
  }

  private conjunction(): VisibilityExpr {
    let left = this.primary();
    while (this.acceptKeyword('AND')) left = { kind: 'and', left, right: this.primary() };
    return left;
  }

  private primary(): VisibilityExpr {
    if (this.acceptSymbol('(')) {
      const inner = this.expr();
      if (!this.acceptSymbol(')')) fail(`expected ')' but found ${describeToken(this.peek())}`);
      return inner;
    }
    return this.predicate();
  }

  private predicate(): VisibilityExpr {
    const attribute = this.attribute();
    const operatorToken = this.peek();
    if (operatorToken.kind === 'symbol' && !['(', ')', ','].includes(operatorToken.text)) {
      this.position++;
      const operator = operatorToken.text === '<>' ? '!=' : (operatorToken.text as ComparisonOperator);
      checkOperator(attribute, operator);
      return { kind: 'compare', attribute, operator, value: this.literal(attribute) };
    }
    if (this.acceptKeyword('IS')) {
      const negated = this.acceptKeyword('NOT');
      this.expectKeyword('NULL', 'after IS');
      return { kind: 'isNull', attribute, negated };
    }
    const negated = this.acceptKeyword('NOT');
    if (this.acceptKeyword('IN')) return { kind: 'in', attribute, values: this.inList(attribute), negated };
    if (this.acceptKeyword('BETWEEN')) {
      if (!isTimeAttribute(attribute)) fail(`BETWEEN applies to time attributes (${TIME_ATTRIBUTES.join(', ')})`);
      const low = this.literal(attribute);
      this.expectKeyword('AND', 'between the BETWEEN bounds');
      return { kind: 'between', attribute, low, high: this.literal(attribute), negated };
    }
    if (this.acceptKeyword('STARTS_WITH')) {
      if (isTimeAttribute(attribute) || attribute === 'ExecutionStatus') {
        fail(`STARTS_WITH applies to WorkflowId, RunId, WorkflowType and TaskQueue, not ${attribute}`);
      }
      return { kind: 'startsWith', attribute, prefix: this.literal(attribute) as string, negated };
    }
    return fail(
      `expected an operator after ${attribute} but found ${describeToken(this.peek())}: ` +
        'use =, !=, <, <=, >, >=, [NOT] IN, [NOT] BETWEEN, [NOT] STARTS_WITH or IS [NOT] NULL'
    );
  }

  private inList(attribute: VisibilityAttribute): VisibilityValue[] {
    if (isTimeAttribute(attribute)) fail(`IN applies to keyword attributes (${KEYWORD_ATTRIBUTES.join(', ')})`);
    if (!this.acceptSymbol('(')) fail(`expected '(' after IN but found ${describeToken(this.peek())}`);
    const values = [this.literal(attribute)];
    while (this.acceptSymbol(',')) values.push(this.literal(attribute));
    if (!this.acceptSymbol(')')) fail(`expected ',' or ')' in the IN list but found ${describeToken(this.peek())}`);
    return values;
  }

  private attribute(): VisibilityAttribute {
    const token = this.peek();
    if (token.kind !== 'word' && token.kind !== 'name') {
      fail(`expected an attribute name but found ${describeToken(token)}`);
    }
    this.position++;
    const attribute = [...KEYWORD_ATTRIBUTES, ...TIME_ATTRIBUTES].find((name) => name === token.text);
    if (attribute === undefined) {
      fail(`unknown or unsupported attribute '${token.text}': Cairn supports ${SUPPORTED_ATTRIBUTES}`);
    }
    return attribute;
  }

  private literal(attribute: VisibilityAttribute): VisibilityValue {
    const token = this.peek();
    if (token.kind !== 'string') {
      fail(`expected a quoted string value for ${attribute} but found ${describeToken(token)}`);
    }
    this.position++;
    if (isTimeAttribute(attribute)) return timeMsOf(token.text, attribute);
    if (attribute === 'ExecutionStatus') return executionStatusOf(token.text);
    return token.text;
  }

  private peek(): Token {
    return this.tokens[this.position] as Token;
  }

  private isKeyword(keyword: string): boolean {
    const token = this.peek();
    return token.kind === 'word' && token.text.toUpperCase() === keyword;
  }

  private acceptKeyword(keyword: string): boolean {
    if (!this.isKeyword(keyword)) return false;
    this.position++;
    return true;
  }

  private expectKeyword(keyword: string, where: string): void {
    if (!this.acceptKeyword(keyword)) fail(`expected ${keyword} ${where} but found ${describeToken(this.peek())}`);
  }

  private acceptSymbol(symbol: string): boolean {
    const token = this.peek();
    if (token.kind !== 'symbol' || token.text !== symbol) return false;
    this.position++;
    return true;
  }
}

function isTimeAttribute(attribute: VisibilityAttribute): attribute is TimeAttribute {
  return (TIME_ATTRIBUTES as readonly string[]).includes(attribute);
}

function checkOperator(attribute: VisibilityAttribute, operator: ComparisonOperator): void {
  if (!isTimeAttribute(attribute) && operator !== '=' && operator !== '!=') {
    fail(`operator ${operator} is not supported for ${attribute}: use =, !=, IN or STARTS_WITH`);
  }
}

const RFC3339 = /^(\d{4}-\d{2}-\d{2})[Tt ](\d{2}:\d{2}:\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** Epoch ms of an RFC 3339 time (fractions below a millisecond are truncated). */
function timeMsOf(text: string, attribute: VisibilityAttribute): number {
  const match = RFC3339.exec(text);
  const millis = match?.[3] === undefined ? '' : match[3].slice(0, 4);
  const zone = match?.[4]?.toUpperCase() ?? '';
  const ms = match === null ? NaN : Date.parse(`${match[1]}T${match[2]}${millis}${zone}`);
  if (Number.isNaN(ms)) {
    fail(`${attribute} value '${text}' is not an RFC 3339 time: write e.g. '2026-01-01T00:00:00Z'`);
  }
  return ms;
}

/** The canonical spelling of an ExecutionStatus value (matched without regard to case). */
function executionStatusOf(text: string): string {
  const status = EXECUTION_STATUS_VALUES.find((value) => value.toLowerCase() === text.toLowerCase());
  if (status === undefined) {
    fail(`'${text}' is not an ExecutionStatus: use one of ${EXECUTION_STATUS_VALUES.join(', ')}`);
  }
  return status;
}
